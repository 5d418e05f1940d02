import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { startAction } from '../../test-bench/src/action-runner.js';
import { SandboxError } from './errors.js';
import { repoRoot } from './paths.js';

export interface ShiftRequest {
  /** `aws=100,azure=0`: whole percentages that sum to 100. */
  target: string;
  /** Cumulative percent of the way to the target, e.g. `50,100`. */
  steps?: string;
  bakeSeconds?: number;
  probeIntervalSeconds?: number;
  minProbesPerStep?: number;
  dryRun?: boolean;
  /** Any other action input, by its action.yml name. */
  extraInputs?: Record<string, string>;
}

export interface ShiftResult {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  /** The action's log, workflow commands turned into plain lines. */
  log: string[];
}

/** The sandbox's defaults: a quick canary (two steps, short bakes) rather than the action's minutes. */
export const SANDBOX_SHIFT_DEFAULTS = {
  steps: '50,100',
  bakeSeconds: 2,
  probeIntervalSeconds: 1,
  minProbesPerStep: 1,
  // Everything shares one machine here: a busy laptop or CI runner must not read as a slow
  // cloud. Health (status) failures still roll back at once.
  maxP95LatencyMs: 5000,
  // The Route 53 stand-in answers INSYNC on the first GetChange after a batch: the action's
  // default 2 s (1 s before) between asking was a fixed wait per step in every sandbox shift,
  // i.e. 8 s of each rehearsal.
  changePollSeconds: 0.25,
};

const TARGET = /^(aws|azure)=\d{1,3},(aws|azure)=\d{1,3}$/;

/** A first check of the target, so a typo fails here with the accepted form (the action checks it fully). */
export function checkTarget(target: string): void {
  const match = TARGET.exec(target.replace(/\s+/g, ''));
  if (!match || match[1] === match[2]) {
    throw new SandboxError(
      `--target must look like aws=100,azure=0 (both clouds, whole percentages), got "${target}"`,
    );
  }
}

/** Turns `::error::text` and friends into readable lines; hides debug and other commands. */
export function plainLine(line: string): string | undefined {
  const command = /^::([\w-]+)(?: [^:]*)?::(.*)$/.exec(line);
  if (!command) return line;
  const [, name, text] = command;
  switch (name) {
    case 'error':
    case 'warning':
    case 'notice':
      return `${name}: ${text}`;
    case 'group':
      return `▸ ${text}`;
    default:
      return undefined;
  }
}

export interface SandboxTargets {
  shiftInputs: Record<string, string>;
  shiftEnv: Record<string, string>;
  cells: { aws: string; azure: string };
}

/** The action's inputs for a shift in this sandbox (router blocks, smoke URLs, quick schedule). */
export function shiftInputs(
  request: ShiftRequest,
  sandbox: SandboxTargets,
): Record<string, string> {
  return {
    ...sandbox.shiftInputs,
    target: request.target.replace(/\s+/g, ''),
    steps: request.steps ?? SANDBOX_SHIFT_DEFAULTS.steps,
    'bake-seconds': String(request.bakeSeconds ?? SANDBOX_SHIFT_DEFAULTS.bakeSeconds),
    'probe-interval-seconds': String(
      request.probeIntervalSeconds ?? SANDBOX_SHIFT_DEFAULTS.probeIntervalSeconds,
    ),
    'min-probes-per-step': String(
      request.minProbesPerStep ?? SANDBOX_SHIFT_DEFAULTS.minProbesPerStep,
    ),
    'max-p95-latency-ms': String(SANDBOX_SHIFT_DEFAULTS.maxP95LatencyMs),
    'smoke-urls': `aws=${sandbox.cells.aws}/health,azure=${sandbox.cells.azure}/health`,
    'change-poll-seconds': String(SANDBOX_SHIFT_DEFAULTS.changePollSeconds),
    'dry-run': String(request.dryRun ?? false),
    ...(request.extraInputs ?? {}),
  };
}

/**
 * Runs the real traffic-shift action (`actions/traffic-shift/dist/index.js`, unchanged) through
 * the shared test bench's runner, exactly as the GitHub runner would (INPUT_* with action.yml
 * defaults, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, a clean environment); its router
 * inputs point at the sandbox's control planes and its smoke URLs at the cells' own endpoints.
 */
export async function runTrafficShift(
  request: ShiftRequest,
  sandbox: SandboxTargets,
  onLine: (line: string) => void = () => undefined,
): Promise<ShiftResult> {
  checkTarget(request.target);
  const log: string[] = [];
  let started;
  try {
    started = await startAction({
      actionDir: join(repoRoot(), 'actions', 'traffic-shift'),
      inputs: shiftInputs(request, sandbox),
      event: { name: 'workflow_dispatch', payload: { inputs: { target: request.target } } },
      env: sandbox.shiftEnv,
      timeoutMs: 60 * 60 * 1000,
    });
  } catch (error) {
    throw new SandboxError(`cannot run the traffic-shift action: ${(error as Error).message}`);
  }
  for (const stream of [started.child.stdout, started.child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (raw) => {
      const line = plainLine(raw);
      if (line === undefined) return;
      log.push(line);
      onLine(line);
    });
  }
  const result = await started.result;
  return {
    exitCode: result.exitCode ?? 1,
    outputs: result.outputs,
    summary: result.summary,
    log,
  };
}
