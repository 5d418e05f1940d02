import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

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
};

const TARGET = /^(aws|azure)=\d{1,3},(aws|azure)=\d{1,3}$/;

/** The same check the action makes, so a typo fails here with the accepted form. */
export function checkTarget(target: string): void {
  const match = TARGET.exec(target.replace(/\s+/g, ''));
  if (!match || match[1] === match[2]) {
    throw new SandboxError(
      `--target must look like aws=100,azure=0 (both clouds, whole percentages), got "${target}"`,
    );
  }
}

/** GitHub's runner: `INPUT_<NAME>` with spaces as underscores, upper case (hyphens kept). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Reads `inputs.<name>.default` from action.yml (plain scalars only, which is all it has). */
export function actionDefaults(actionYml: string): Record<string, string> {
  const defaults: Record<string, string> = {};
  let inInputs = false;
  let current: string | undefined;
  for (const line of actionYml.split('\n')) {
    if (/^\S/.test(line)) {
      inInputs = line.startsWith('inputs:');
      current = undefined;
      continue;
    }
    if (!inInputs) continue;
    const input = /^ {2}([\w-]+):\s*$/.exec(line);
    if (input) {
      current = input[1];
      continue;
    }
    const value = /^ {4}default:\s*(.*)$/.exec(line);
    if (value && current)
      defaults[current] = (value[1] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return defaults;
}

/** Turns `::error::text` and friends into readable lines; hides debug and state commands. */
function plainLine(line: string): string | undefined {
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

function readKeyValueFile(path: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  if (!existsSync(path)) return outputs;
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] ?? '');
      if (name) outputs[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}

/**
 * Runs the real traffic-shift action (`actions/traffic-shift/dist/index.js`, unchanged) as
 * the GitHub runner would: INPUT_* variables with action.yml's defaults, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, RUNNER_TEMP; its router inputs point at the sandbox's control
 * planes and its smoke URLs at the cells' own endpoints.
 */
export async function runTrafficShift(
  request: ShiftRequest,
  sandbox: {
    shiftInputs: Record<string, string>;
    shiftEnv: Record<string, string>;
    cells: { aws: string; azure: string };
  },
  onLine: (line: string) => void = () => undefined,
): Promise<ShiftResult> {
  checkTarget(request.target);
  const actionDir = join(repoRoot(), 'actions', 'traffic-shift');
  const entry = join(actionDir, 'dist', 'index.js');
  if (!existsSync(entry)) {
    throw new SandboxError(
      `the traffic-shift action is not built: ${entry} is missing (run \`npm run build\`)`,
    );
  }
  const defaults = existsSync(join(actionDir, 'action.yml'))
    ? actionDefaults(readFileSync(join(actionDir, 'action.yml'), 'utf8'))
    : {};
  const inputs: Record<string, string> = {
    ...defaults,
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
    'smoke-urls': `aws=${sandbox.cells.aws}/health,azure=${sandbox.cells.azure}/health`,
    'dry-run': String(request.dryRun ?? false),
    ...(request.extraInputs ?? {}),
  };

  const runnerTemp = mkdtempSync(join(tmpdir(), 'multicloud-shift-'));
  const files = {
    GITHUB_OUTPUT: join(runnerTemp, 'output'),
    GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary.md'),
    GITHUB_STATE: join(runnerTemp, 'state'),
    GITHUB_ENV: join(runnerTemp, 'env'),
    GITHUB_PATH: join(runnerTemp, 'path'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const eventPath = join(runnerTemp, 'event.json');
  writeFileSync(eventPath, JSON.stringify({ inputs: { target: inputs.target } }));

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...sandbox.shiftEnv,
    ...files,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    GITHUB_WORKSPACE: repoRoot(),
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'local/sandbox',
    GITHUB_RUN_ID: String(Date.now()),
    GITHUB_ACTION: 'traffic-shift',
    GITHUB_API_URL: 'http://127.0.0.1:9',
  };
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value;

  const log: string[] = [];
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [entry], {
        env,
        cwd: repoRoot(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (raw) => {
          const line = plainLine(raw);
          if (line === undefined) return;
          log.push(line);
          onLine(line);
        });
      }
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    return {
      exitCode,
      outputs: readKeyValueFile(files.GITHUB_OUTPUT),
      summary: existsSync(files.GITHUB_STEP_SUMMARY)
        ? readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8')
        : '',
      log,
    };
  } finally {
    rmSync(runnerTemp, { recursive: true, force: true });
  }
}
