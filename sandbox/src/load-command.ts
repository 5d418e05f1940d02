import { connectSandbox } from './client.js';
import { SandboxError } from './errors.js';
import { formatCounts, LoadGenerator, type LoadFlow } from './load-generator.js';

const USAGE = `usage: npm run load -- [--rps 20] [--duration 30] [--flow browse|checkout|health] [--state-file PATH]

Sends steady traffic through the running sandbox's edge router and prints, every second, how
many requests each cloud served and how many failed. --duration 0 (the default) runs until Ctrl-C.
Flows: browse (stock reads, the default), checkout (cart, item, checkout, order read), health
(GET /health, the deep check the smoke tests call).`;

export async function main(argv: string[]): Promise<number> {
  const values = new Map<string, string>();
  try {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] ?? '';
      if (arg === '--help') {
        console.log(USAGE);
        return 0;
      }
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (!['--rps', '--duration', '--flow', '--state-file'].includes(name))
        throw new SandboxError(`unknown option ${arg}\n\n${USAGE}`);
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new SandboxError(`${name} needs a value`);
      values.set(name, value);
    }
    const rps = Number(values.get('--rps') ?? '20');
    if (!Number.isInteger(rps) || rps < 1 || rps > 2000)
      throw new SandboxError(
        `--rps must be a whole number from 1 to 2000, got "${values.get('--rps')}"`,
      );
    const duration = Number(values.get('--duration') ?? '0');
    if (!Number.isInteger(duration) || duration < 0)
      throw new SandboxError(
        `--duration must be whole seconds (0 = until Ctrl-C), got "${values.get('--duration')}"`,
      );
    const flow = values.get('--flow') ?? 'browse';
    if (!['browse', 'checkout', 'health'].includes(flow))
      throw new SandboxError(`--flow must be browse, checkout or health, got "${flow}"`);

    const { state } = connectSandbox(values.get('--state-file'));
    const router = state.urls.router ?? '';
    console.log(
      `load: ${rps} ${flow} units/s through ${router}${duration ? ` for ${duration} s` : ' (Ctrl-C stops)'}`,
    );
    const load = new LoadGenerator(router, { rps, flow: flow as LoadFlow });
    load.start();
    let last = load.snapshot();
    let seconds = 0;
    await new Promise<void>((resolve) => {
      const ticker = setInterval(() => {
        seconds++;
        const now = load.snapshot();
        const delta = (cloud: 'aws' | 'azure'): number =>
          now.perCloud[cloud].requests - last.perCloud[cloud].requests;
        const total = delta('aws') + delta('azure');
        const share = total ? Math.round((delta('aws') / total) * 100) : 0;
        console.log(
          `${String(seconds).padStart(4)} s   aws ${String(delta('aws')).padStart(4)}   azure ${String(delta('azure')).padStart(4)}   ` +
            `(aws ${total ? share : '-'}% / azure ${total ? 100 - share : '-'}%)   failed ${now.failed - last.failed}` +
            (now.skipped > last.skipped
              ? `   skipped ${now.skipped - last.skipped} (sandbox saturated)`
              : ''),
        );
        last = now;
        if (duration && seconds >= duration) finish();
      }, 1000);
      const finish = (): void => {
        clearInterval(ticker);
        resolve();
      };
      process.once('SIGINT', finish);
      process.once('SIGTERM', finish);
    });
    const report = await load.stop();
    console.log(
      `total: ${formatCounts(report)} (of ${report.requests}; p50 ${report.latencyMs.p50.toFixed(1)} ms, p99 ${report.latencyMs.p99.toFixed(1)} ms)` +
        (report.skipped ? `; ${report.skipped} units skipped: the sandbox could not keep up` : ''),
    );
    for (const failure of report.failures.slice(0, 5)) {
      console.log(
        `  failed: ${failure.method} ${failure.path} -> ${failure.status || 'no answer'} on ${failure.cloud}: ${failure.detail}`,
      );
    }
    return report.failed === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof SandboxError) {
      console.error(`npm run load: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
