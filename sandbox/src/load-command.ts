import { CLOUDS, type Cloud } from '../../actions/shared/src/clouds.js';
import { connectSandbox } from './client.js';
import { SandboxError } from './errors.js';
import { formatCounts, LoadGenerator, type LoadFlow, type LoadReport } from './load-generator.js';

const USAGE = `usage: npm run load -- [--rps 20] [--duration 30] [--flow browse|checkout|health] [--state-file PATH]

Sends steady traffic through the running sandbox's edge router, as 20 shoppers with bearer
tokens from its issuer, and prints, every second, how many requests each cloud served and how
many failed (a 5xx, a 401 or 403, or no answer). --duration 0 (the default) runs until Ctrl-C.
Flows: browse (stock reads, the default), checkout (cart, item, checkout, order read), health
(GET /health, the deep check the smoke tests call).`;

interface LoadOptions {
  rps: number;
  /** Seconds; 0 = until Ctrl-C. */
  duration: number;
  flow: LoadFlow;
  stateFile: string | undefined;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const options = parseLoadArgs(argv);
    if (options === 'help') {
      console.log(USAGE);
      return 0;
    }
    const { state, tokens } = connectSandbox(options.stateFile);
    const router = state.urls.router ?? '';
    const until = options.duration ? ` for ${options.duration} s` : ' (Ctrl-C stops)';
    console.log(`load: ${options.rps} ${options.flow} units/s through ${router}${until}`);
    const load = new LoadGenerator(router, { rps: options.rps, flow: options.flow, tokens });
    load.start();
    await printEverySecond(load, options.duration);
    const report = await load.stop();
    printReport(report);
    return report.failed === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof SandboxError) {
      console.error(`npm run load: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

function parseLoadArgs(argv: string[]): LoadOptions | 'help' {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help') return 'help';
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
  return { rps, duration, flow: flow as LoadFlow, stateFile: values.get('--state-file') };
}

/** One line a second: what each cloud served since the last line, and what failed. */
function printEverySecond(load: LoadGenerator, duration: number): Promise<void> {
  let last = load.snapshot();
  let seconds = 0;
  return new Promise<void>((resolve) => {
    const ticker = setInterval(() => {
      seconds++;
      const now = load.snapshot();
      const served = Object.fromEntries(
        CLOUDS.map((cloud) => [
          cloud,
          now.perCloud[cloud].requests - last.perCloud[cloud].requests,
        ]),
      ) as Record<Cloud, number>;
      const total = served.aws + served.azure;
      const share = total ? Math.round((served.aws / total) * 100) : 0;
      console.log(
        `${String(seconds).padStart(4)} s   aws ${String(served.aws).padStart(4)}   azure ${String(served.azure).padStart(4)}   ` +
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
}

function printReport(report: LoadReport): void {
  console.log(
    `total: ${formatCounts(report)} (of ${report.requests}; p50 ${report.latencyMs.p50.toFixed(1)} ms, p99 ${report.latencyMs.p99.toFixed(1)} ms)` +
      (report.skipped ? `; ${report.skipped} units skipped: the sandbox could not keep up` : ''),
  );
  for (const failure of report.failures.slice(0, 5)) {
    console.log(
      `  failed: ${failure.method} ${failure.path} -> ${failure.status || 'no answer'} on ${failure.cloud}: ${failure.detail}`,
    );
  }
}
