import { CLOUDS, isCloud, type Cloud } from '../../actions/shared/src/clouds.js';
import { connectSandbox, launchSandbox, type LaunchedSandbox } from '../../sandbox/src/client.js';
import { LoadGenerator, type LoadReport } from '../../sandbox/src/load-generator.js';
import { defaultStateFile, readState, type SandboxState } from '../../sandbox/src/state-file.js';
import type { TokenSource } from '../../sandbox/src/tokens.js';
import type { SandboxClient } from '../../sandbox/src/client.js';
import { RolloutError } from './errors.js';
import { outageHeld, rehearseOutage, renderOutageSummary } from './outage-rehearsal.js';
import { rehearse, renderSummary } from './rehearsal.js';
import {
  parseRolloutSettings,
  ROLLOUT_VARIABLES,
  type RolloutSettings,
  type RolloutVariable,
} from './settings.js';

/** Quick schedule for a rehearsal: seconds instead of the workflow's minutes. */
export const REHEARSAL_DEFAULTS: Partial<Record<RolloutVariable, string>> = {
  DEPLOY_DRAIN_STEPS: '50,100',
  DEPLOY_CANARY_STEPS: '50,100',
  DEPLOY_BAKE_SECONDS: '2',
  DEPLOY_PROBE_INTERVAL_SECONDS: '0.5',
  DEPLOY_MIN_PROBES: '2',
  // The cells share this machine with the load, the action and everything else: a probe's
  // latency says more about the laptop than about the release.
  DEPLOY_MAX_P95_LATENCY_MS: '5000',
  DEPLOY_SMOKE_TIMEOUT_SECONDS: '5',
};

const variableFlags = Object.entries(ROLLOUT_VARIABLES).map(
  ([name, spec]) =>
    `  ${spec.flag.padEnd(27)} ${name} (${REHEARSAL_DEFAULTS[name as RolloutVariable] ?? spec.default})`,
);

export const USAGE = `usage: npm run rehearse -- [options]

Runs the deploy workflow's rollout sequence (plan, verify, drain, apply, smoke, canary back; one cloud at a
time) against the local sandbox with the real traffic-shift action, under steady load through
the edge router, and prints versions, splits and request counts. Exit code 0 only when the
rollout completed.

  --changed aws|azure|both|none
                              which cells get a new build (default both); the others keep their
                              version, so their plan has no changes and their traffic is untouched
  --unapproved aws|azure      that cloud's reviewed plan is not the plan the deploy makes: its apply
                              is refused, found by the verify step before any traffic moves
  --break aws|azure           that cloud's new version fails its health check (rehearse the rollback)
  --slow aws|azure=+Nms       that cloud's new version answers N ms slower (e.g. --slow azure=+150ms):
                              the canary's comparison with the other cloud catches it
  --degrade aws|azure         that cloud's new version passes its smoke test, then fails once the
                              canary gives it traffic (rehearse the canary's rollback)
  --outage aws|azure          instead of a rollout: shoppers check out carts at --load-rps while
                              that cloud is down for --outage-seconds (default 20), then the
                              figures: served by the survivor, orders lost and duplicated,
                              replicas converged, stock oversold, failed requests
  --outage-seconds N          how long the outage lasts (default 20)
  --version V                 the version rolled out (default: the cells' version, minor + 1)
  --load-rps N                background requests per second through the router (default 50; 0 = none)
  --restart-downtime-ms N     how long a cell answers 503 while it restarts (default 1000)
  --state-file PATH           use the sandbox that wrote this state file (default: the running
                              one if any, else a new one on free ports, stopped at the end)
  --help                      this text
The repository variables, as flags (rehearsal default in brackets):
${variableFlags.join('\n')}`;

interface RehearseArgs {
  variables: Partial<Record<RolloutVariable, string>>;
  /** The cells that get a new build. */
  changed: readonly Cloud[];
  unapprovedCloud: Cloud | undefined;
  breakCloud: Cloud | undefined;
  degradeCloud: Cloud | undefined;
  slow: { cloud: Cloud; latencyMs: number } | undefined;
  version: string | undefined;
  loadRps: number;
  restartDowntimeMs: number;
  stateFile: string | undefined;
  /** An outage rehearsal of this cloud instead of a rollout. */
  outage: Cloud | undefined;
  outageSeconds: number;
}

export function parseRehearseArgs(argv: string[]): RehearseArgs | 'help' {
  const byFlag = new Map(
    Object.entries(ROLLOUT_VARIABLES).map(([name, spec]) => [
      spec.flag as string,
      name as RolloutVariable,
    ]),
  );
  const own = [
    '--changed',
    '--unapproved',
    '--break',
    '--degrade',
    '--slow',
    '--version',
    '--load-rps',
    '--restart-downtime-ms',
    '--state-file',
    '--outage',
    '--outage-seconds',
  ];
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help') return 'help';
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!own.includes(name) && !byFlag.has(name))
      throw new RolloutError(`unknown option "${arg}" (npm run rehearse -- --help lists them)`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value.startsWith('--'))
      throw new RolloutError(`${name} needs a value`);
    values.set(name, value);
  }
  const variables: Partial<Record<RolloutVariable, string>> = { ...REHEARSAL_DEFAULTS };
  for (const [flag, name] of byFlag) {
    const value = values.get(flag);
    if (value !== undefined) variables[name] = value;
  }
  const changed = parseChanged(values.get('--changed') ?? 'both');
  const cloudOption = (flag: string): Cloud | undefined => {
    const value = values.get(flag);
    if (value !== undefined && !isCloud(value))
      throw new RolloutError(`${flag} must be aws or azure, got "${value}"`);
    return value;
  };
  const version = values.get('--version');
  if (version !== undefined && !/^[\w.+-]{1,64}$/.test(version))
    throw new RolloutError(
      `--version must be letters, digits, dots, dashes or underscores (at most 64), got "${version}"`,
    );
  const whole = (flag: string, fallback: number, max: number): number => {
    const text = values.get(flag) ?? String(fallback);
    if (!/^\d+$/.test(text) || Number(text) > max)
      throw new RolloutError(`${flag} must be a whole number from 0 to ${max}, got "${text}"`);
    return Number(text);
  };
  const args: RehearseArgs = {
    variables,
    changed,
    unapprovedCloud: cloudOption('--unapproved'),
    breakCloud: cloudOption('--break'),
    degradeCloud: cloudOption('--degrade'),
    slow: parseSlow(values.get('--slow')),
    version,
    loadRps: whole('--load-rps', 50, 2000),
    restartDowntimeMs: whole('--restart-downtime-ms', 1000, 60_000),
    stateFile: values.get('--state-file'),
    outage: cloudOption('--outage'),
    outageSeconds: whole('--outage-seconds', 20, 600),
  };
  checkOutageFlags(args, [...values.keys()]);
  return args;
}

/** The flags only the outage rehearsal reads, and those it shares with the rollout's. */
const OUTAGE_ONLY = ['--outage-seconds'];
const SHARED = ['--outage', '--load-rps', '--state-file'];

/**
 * `--outage` runs no rollout: a rollout flag beside it, or an outage flag without it, would be
 * silently ignored; and the outage rehearsal measures its own load, so it needs some.
 */
function checkOutageFlags(args: RehearseArgs, given: readonly string[]): void {
  if (!args.outage) {
    const stray = given.filter((flag) => OUTAGE_ONLY.includes(flag));
    if (stray.length) throw new RolloutError(`${stray.join(', ')} goes with --outage aws|azure`);
    return;
  }
  const rolloutOnly = given.filter((flag) => !OUTAGE_ONLY.includes(flag) && !SHARED.includes(flag));
  if (rolloutOnly.length)
    throw new RolloutError(
      `--outage runs no rollout: ${rolloutOnly.join(', ')} cannot go with it (it takes --outage-seconds, --load-rps, --state-file)`,
    );
  if (args.loadRps === 0)
    throw new RolloutError(
      '--load-rps must be from 1 to 2000 with --outage: it measures that load',
    );
}

/** `--slow azure=+150ms`: which cloud's new version is slower, and by how much (1-10000 ms). */
function parseSlow(text: string | undefined): RehearseArgs['slow'] {
  if (text === undefined) return undefined;
  const match = /^(\w+)=\+(\d+)ms$/.exec(text);
  const cloud = match?.[1] ?? '';
  const latencyMs = Number(match?.[2]);
  if (!match || !isCloud(cloud) || latencyMs < 1 || latencyMs > 10_000)
    throw new RolloutError(
      `--slow must be <cloud>=+<N>ms with cloud aws or azure and N from 1 to 10000, e.g. azure=+150ms; got "${text}"`,
    );
  return { cloud, latencyMs };
}

/** `--changed`: aws, azure, both or none. */
function parseChanged(text: string): Cloud[] {
  if (text === 'both') return [...CLOUDS];
  if (text === 'none') return [];
  if (isCloud(text)) return [text];
  throw new RolloutError(`--changed must be aws, azure, both or none, got "${text}"`);
}

/** 1.0.0 -> 1.1.0; anything else gets a suffix. */
export function nextVersion(current: string | undefined): string {
  const semver = /^(\d+)\.(\d+)\.(\d+)$/.exec(current ?? '');
  if (semver) return `${semver[1]}.${Number(semver[2]) + 1}.0`;
  return `${current ?? '1.0.0'}-next`;
}

function liveSandbox(stateFile: string): SandboxState | undefined {
  try {
    return readState(stateFile);
  } catch {
    return undefined;
  }
}

/** The sandbox and the background load a rehearsal uses; stops what it started itself. */
class RehearsalRun {
  private launched: LaunchedSandbox | undefined;
  private load: LoadGenerator | undefined;

  /** The sandbox of --state-file, else the running one, else a new one on free ports. */
  async sandbox(
    stateFile: string | undefined,
  ): Promise<{ state: SandboxState; client: SandboxClient; tokens: TokenSource }> {
    if (stateFile) {
      const connected = connectSandbox(stateFile);
      console.log(`using the sandbox of ${stateFile}: router ${connected.state.urls.router}`);
      return connected;
    }
    if (liveSandbox(defaultStateFile())) {
      const connected = connectSandbox();
      console.log(`using the running sandbox: router ${connected.state.urls.router}`);
      return connected;
    }
    console.log('no sandbox running: starting one on free ports ...');
    this.launched = await launchSandbox({ timeoutMs: 120_000 });
    const state = readState(this.launched.stateFile);
    console.log(`sandbox up: router ${state.urls.router}, dashboard ${state.urls.dashboard}`);
    return { state, client: this.launched.client, tokens: this.launched.tokens };
  }

  /** Shoppers browsing with their own bearer tokens from the sandbox's issuer. */
  startLoad(router: string, rps: number, tokens: TokenSource): void {
    if (rps <= 0) return;
    // A generous client timeout: on a busy machine a slow answer is not a failed one.
    this.load = new LoadGenerator(router, { rps, flow: 'browse', timeoutMs: 30_000, tokens });
    this.load.start();
    console.log(`background load: ${rps} requests/s through ${router}`);
  }

  async stopLoad(): Promise<LoadReport | undefined> {
    const report = await this.load?.stop();
    this.load = undefined;
    return report;
  }

  async stopAll(): Promise<void> {
    await this.stopLoad();
    if (this.launched) {
      console.log('stopping the sandbox this rehearsal started ...');
      await this.launched.stop();
      this.launched = undefined;
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (typeof parsed === 'number') return parsed;
  const { args, settings } = parsed;
  const run = new RehearsalRun();
  const onSignal = (): void => {
    void run.stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let summary: string | undefined;
  try {
    const { state, client, tokens } = await run.sandbox(args.stateFile);
    if (args.outage) {
      const outage = await rehearseOutage({
        down: args.outage,
        outageSeconds: args.outageSeconds,
        rps: args.loadRps,
        state,
        client,
        tokens,
        log: (line) => console.log(line),
      });
      summary = renderOutageSummary(outage);
      return outageHeld(outage) ? 0 : 1;
    }
    const start = await client.state();
    const version = args.version ?? nextVersion(start.cells[settings.order[0]].version);
    run.startLoad(state.urls.router ?? '', args.loadRps, tokens);
    console.log(describeRollout(args, settings, version));
    const result = await rehearse({
      settings,
      version,
      changed: args.changed,
      unapprovedCloud: args.unapprovedCloud,
      breakCloud: args.breakCloud,
      degradeCloud: args.degradeCloud,
      ...(args.slow ? { slow: args.slow } : {}),
      restartDowntimeMs: args.restartDowntimeMs,
      state,
      client,
      log: (line) => console.log(line),
    });
    // Let the load's last requests land before the counters are read again.
    const loadReport = await run.stopLoad();
    const final = { ...result, after: await client.state() };
    if (loadReport) console.log(describeLoad(loadReport));
    summary = renderSummary(final, settings, version);
    return result.completed ? 0 : 1;
  } catch (error) {
    console.error(`npm run rehearse: ${(error as Error).message}`);
    return error instanceof RolloutError ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await run.stopAll();
    // Last, so that its last line (`failed requests: N`) is the output's last line.
    if (summary) console.log(summary);
  }
}

/** The arguments and the rollout settings, or the exit code when there is nothing to run. */
function parseCommandLine(
  argv: string[],
): { args: RehearseArgs; settings: RolloutSettings } | number {
  try {
    const args = parseRehearseArgs(argv);
    if (args === 'help') {
      console.log(USAGE);
      return 0;
    }
    return { args, settings: parseRolloutSettings(args.variables) };
  } catch (error) {
    console.error(`npm run rehearse: ${(error as Error).message}`);
    return 2;
  }
}

function describeRollout(args: RehearseArgs, settings: RolloutSettings, version: string): string {
  return (
    `rolling out ${version}: ${settings.order.join(' then ')}, back to ${settings.split.aws}/${settings.split.azure}` +
    (args.changed.length < CLOUDS.length
      ? `; new build for ${args.changed.length === 0 ? 'no cell' : args.changed.join(' and ')} only`
      : '') +
    (args.unapprovedCloud
      ? `; ${args.unapprovedCloud}'s plan is not the reviewed one: its apply will be refused`
      : '') +
    (args.breakCloud ? `; ${args.breakCloud}'s new version will fail its health check` : '') +
    (args.degradeCloud
      ? `; ${args.degradeCloud}'s new version will degrade once the canary gives it traffic`
      : '') +
    (args.slow
      ? `; ${args.slow.cloud}'s new version will answer ${args.slow.latencyMs} ms slower`
      : '')
  );
}

function describeLoad(report: LoadReport): string {
  const failures = report.failures
    .slice(0, 20)
    .map((f) => `${f.at} ${f.method} ${f.path} ${f.status} (${f.cloud}: ${f.detail})`)
    .join('; ');
  return (
    `\nbackground load: ${report.requests} requests, ${report.failed} failed` +
    (report.failures.length ? `; first: ${failures}` : '')
  );
}
