import { connectSandbox } from './client.js';
import { SandboxError } from './errors.js';
import {
  checkTarget,
  runTrafficShift,
  SANDBOX_SHIFT_DEFAULTS,
  type ShiftRequest,
} from './shift-runner.js';

const USAGE = `usage: npm run shift -- --target aws=100,azure=0 [options]

  --target aws=N,azure=M       the split to reach (whole percentages, sum 100)
  --steps 50,100               cumulative percent of the way per step (default ${SANDBOX_SHIFT_DEFAULTS.steps})
  --bake-seconds N             bake after each step (default ${SANDBOX_SHIFT_DEFAULTS.bakeSeconds})
  --probe-interval-seconds N   probe interval during a bake (default ${SANDBOX_SHIFT_DEFAULTS.probeIntervalSeconds})
  --dry-run                    print the plan of steps, change nothing
  --state-file PATH            the running sandbox's state file (default <tmp>/multicloud-sandbox/state.json)

Runs the real traffic-shift action (actions/traffic-shift/dist) against the running sandbox.`;

function parse(argv: string[]): { request: ShiftRequest; stateFile?: string } | 'help' {
  const values = new Map<string, string>();
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help') return 'help';
    if (arg === '--dry-run') {
      dryRun = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (
      ![
        '--target',
        '--steps',
        '--bake-seconds',
        '--probe-interval-seconds',
        '--state-file',
      ].includes(name)
    ) {
      throw new SandboxError(`unknown option ${arg}\n\n${USAGE}`);
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new SandboxError(`${name} needs a value\n\n${USAGE}`);
    values.set(name, value);
  }
  const target = values.get('--target');
  if (!target)
    throw new SandboxError(`--target is required, e.g. --target aws=100,azure=0\n\n${USAGE}`);
  checkTarget(target);
  const seconds = (name: string): number | undefined => {
    const value = values.get(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value))
      throw new SandboxError(`${name} must be a whole number of seconds, got "${value}"`);
    return Number(value);
  };
  const bakeSeconds = seconds('--bake-seconds');
  const probeIntervalSeconds = seconds('--probe-interval-seconds');
  const steps = values.get('--steps');
  const stateFile = values.get('--state-file');
  return {
    request: {
      target,
      ...(steps ? { steps } : {}),
      ...(bakeSeconds !== undefined ? { bakeSeconds } : {}),
      ...(probeIntervalSeconds !== undefined ? { probeIntervalSeconds } : {}),
      dryRun,
    },
    ...(stateFile ? { stateFile } : {}),
  };
}

/** `npm run shift`: the action runs here (like a workflow job); its log also goes to the dashboard. */
export async function main(argv: string[]): Promise<number> {
  try {
    const parsed = parse(argv);
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    const { state, client } = connectSandbox(parsed.stateFile);
    const cells = { aws: state.urls.aws ?? '', azure: state.urls.azure ?? '' };
    console.log(
      `traffic-shift (actions/traffic-shift/dist) -> ${parsed.request.target} on the sandbox at ${state.urls.router}`,
    );
    // The dashboard gets the log too, in order; a dashboard that went away does not stop the shift.
    let forwarding: Promise<unknown> = Promise.resolve();
    const forward = (text: string): void => {
      forwarding = forwarding.then(() => client.note('shift', text)).catch(() => undefined);
    };
    forward(`npm run shift: target ${parsed.request.target}`);
    const result = await runTrafficShift(
      parsed.request,
      { shiftInputs: state.shiftInputs, shiftEnv: state.shiftEnv, cells },
      (line) => {
        console.log(`  ${line}`);
        forward(line);
      },
    );
    const outputs = Object.entries(result.outputs).map(([name, value]) => `${name}=${value}`);
    if (outputs.length > 0) console.log(`outputs: ${outputs.join(' ')}`);
    const verdict =
      result.exitCode === 0 ? `done: ${parsed.request.target}` : `failed (exit ${result.exitCode})`;
    console.log(verdict);
    forward(`npm run shift: ${verdict}`);
    await forwarding;
    return result.exitCode;
  } catch (error) {
    if (error instanceof SandboxError) {
      console.error(`npm run shift: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
