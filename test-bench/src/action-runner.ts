/**
 * Runs a JavaScript action's bundle as a child process the way the GitHub runner does, and
 * reads back everything the action reported.
 *
 *   const result = await runAction({
 *     actionDir: join(repoRoot, 'actions', 'plan'),        // has action.yml; runs dist/index.js
 *     inputs: { 'working-directory': stackDir },          // INPUT_WORKING-DIRECTORY; action.yml
 *                                                          //   defaults fill the rest
 *     token: github.writeToken,                             // for `${{ github.token }}` defaults
 *     event: pullRequestEvent({ number: 7, headSha }),      // ./github-events.ts
 *     apiUrl: github.apiUrl,                                // GITHUB_API_URL (stand-in)
 *     env: { TF_CLI_CONFIG_FILE: emptyFile },               // added to the clean environment
 *   });
 *   result.exitCode, result.signal, result.stdout, result.stderr, result.timedOut
 *   result.outputs['has-changes']                           // GITHUB_OUTPUT, heredoc form included
 *   result.summary                                          // GITHUB_STEP_SUMMARY text
 *   result.annotations                                      // ::error/::warning/::notice, parsed
 *   result.masks                                            // ::add-mask:: values
 *   result.state, result.exportedEnv, result.addedPath, result.commands
 *   result.limitViolations                                  // summary > 1 MiB, output > 1 MB
 *
 *   const { child, result } = await startAction({ ... });  // same, with the ChildProcess:
 *   child.kill('SIGTERM'); const { signal, exitCode } = await result;
 *
 * The child gets a clean environment: PATH, HOME (and TMPDIR, LANG when set), the runner's
 * GITHUB_* / RUNNER_* variables, INPUT_*, and `env`. Nothing else from the parent process
 * (no secrets, no NODE_OPTIONS from jest). A variable set to undefined in `env` is removed.
 * Each run gets its own temporary folder (RUNNER_TEMP, workspace, command files), removed
 * after the run unless `keepTemp` is set (then call result.cleanup()).
 *
 * Layout: this file prepares and launches the run; runner-environment.ts builds the child's
 * environment, action-result.ts reads back what the action reported.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { collectResult } from './action-result.js';
import type { GitHubEvent } from './github-events.js';
import {
  inputVariables,
  runContext,
  runnerEnvironment,
  type RunFolders,
} from './runner-environment.js';
import type { Annotation, WorkflowCommand } from './workflow-commands.js';

export type { Annotation, WorkflowCommand } from './workflow-commands.js';
export { MAX_OUTPUT_BYTES, MAX_SUMMARY_BYTES } from './action-result.js';
export { inputEnvName } from './runner-environment.js';

export interface RunActionOptions {
  /** Folder holding action.yml (runs.main/pre/post are resolved against it). */
  actionDir: string;
  /** Script to run instead of the one action.yml names (absolute, or relative to actionDir). */
  entry?: string;
  /** Which script of action.yml: 'main' (default), 'pre' or 'post'. */
  step?: 'main' | 'pre' | 'post';
  inputs?: Record<string, string | number | boolean>;
  /** Allow inputs action.yml does not declare (the runner only warns; by default this throws to catch typos). */
  allowUnknownInputs?: boolean;
  /** Replaces `${{ github.token }}` in input defaults; empty when not given. */
  token?: string;
  /** Default: a push to refs/heads/main of Codertocat/Hello-World with no payload file content beyond {}. */
  event?: GitHubEvent;
  /** Default: the event payload's repository, else Codertocat/Hello-World. */
  repository?: string;
  sha?: string;
  ref?: string;
  apiUrl?: string;
  serverUrl?: string;
  graphqlUrl?: string;
  runId?: string | number;
  runAttempt?: string | number;
  runNumber?: string | number;
  workflow?: string;
  job?: string;
  actor?: string;
  /** STATE_<name> variables, as the runner passes saved state to post steps. */
  state?: Record<string, string>;
  /** Sets RUNNER_DEBUG=1 (core.isDebug()). */
  debug?: boolean;
  /** Extra variables; undefined removes one the runner would set. */
  env?: Record<string, string | undefined>;
  /** GITHUB_WORKSPACE and the child's cwd; default a fresh folder in the run's temp dir. */
  workspace?: string;
  /** Node binary; default the one running the tests (process.execPath). */
  node?: string;
  /** Kill (SIGKILL) after this long; default 100 s. */
  timeoutMs?: number;
  keepTemp?: boolean;
}

export interface ActionResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  state: Record<string, string>;
  exportedEnv: Record<string, string>;
  addedPath: string[];
  annotations: Annotation[];
  masks: string[];
  commands: WorkflowCommand[];
  /**
   * GitHub limits this run broke, each a sentence: a step summary over 1 MiB (GitHub drops it),
   * an output over 1 MB. Empty when none.
   */
  limitViolations: string[];
  /** The exact environment the child got (for assertions; it holds the token). */
  env: Record<string, string>;
  tempDir: string;
  workspace: string;
  runnerTemp: string;
  cleanup(): Promise<void>;
}

export interface StartedAction {
  child: ChildProcess;
  result: Promise<ActionResult>;
}

interface ActionMetadata {
  inputs: Record<string, { default?: string }>;
  runs: { using?: string; main?: string; pre?: string; post?: string };
}

export async function readActionMetadata(actionDir: string): Promise<ActionMetadata> {
  const file = join(actionDir, 'action.yml');
  let parsed: unknown;
  try {
    parsed = parseYaml(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const metadata = (parsed ?? {}) as Partial<ActionMetadata>;
  if (!metadata.runs || typeof metadata.runs !== 'object') {
    throw new Error(`${file} has no runs: section`);
  }
  const inputs: ActionMetadata['inputs'] = {};
  for (const [name, spec] of Object.entries(metadata.inputs ?? {})) {
    const value = (spec ?? {}) as { default?: unknown };
    inputs[name] = value.default === undefined ? {} : { default: String(value.default) };
  }
  return { inputs, runs: metadata.runs };
}

/** A push to refs/heads/main with an empty payload. */
const DEFAULT_EVENT: GitHubEvent = { name: 'push', payload: {}, ref: 'refs/heads/main' };

export async function startAction(options: RunActionOptions): Promise<StartedAction> {
  const actionDir = resolve(options.actionDir);
  const metadata = await readActionMetadata(actionDir);
  const entry = entryScript(actionDir, metadata, options);
  checkInputsDeclared(actionDir, metadata, options);
  const tempDir = await mkdtemp(join(tmpdir(), 'action-run-'));
  const cleanup = () => rm(tempDir, { recursive: true, force: true });
  try {
    const folders = await createRunFolders(tempDir, options.workspace);
    const event = options.event ?? DEFAULT_EVENT;
    await writeRunFiles(folders, event);
    const context = runContext(options, event, actionDir, folders);
    const inputs = inputVariables(metadata.inputs, options.inputs, context);
    const env = runnerEnvironment(options, event, actionDir, folders, context, inputs);
    return launch(entry, env, folders, options, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export async function runAction(options: RunActionOptions): Promise<ActionResult> {
  const { result } = await startAction(options);
  return result;
}

/** The script to run: `entry`, or the step's script in action.yml; it must exist (built). */
function entryScript(
  actionDir: string,
  metadata: ActionMetadata,
  options: RunActionOptions,
): string {
  const step = options.step ?? 'main';
  const script = options.entry ?? metadata.runs[step];
  if (!script) throw new Error(`${actionDir}/action.yml has no runs.${step}`);
  const entry = resolve(actionDir, script);
  if (!existsSync(entry)) {
    throw new Error(
      `${entry} does not exist: build the action first (node scripts/build-actions.js <name>)`,
    );
  }
  return entry;
}

/** Inputs action.yml does not declare are a typo unless allowUnknownInputs says otherwise. */
function checkInputsDeclared(
  actionDir: string,
  metadata: ActionMetadata,
  options: RunActionOptions,
): void {
  const declared = new Set(Object.keys(metadata.inputs).map((name) => name.toLowerCase()));
  const unknown = Object.keys(options.inputs ?? {}).filter(
    (name) => !declared.has(name.toLowerCase()),
  );
  if (unknown.length > 0 && !options.allowUnknownInputs) {
    throw new Error(
      `input(s) ${unknown.join(', ')} not declared in ${actionDir}/action.yml (declared: ${[...declared].join(', ') || 'none'}); pass allowUnknownInputs to send them anyway`,
    );
  }
}

async function createRunFolders(tempDir: string, workspace?: string): Promise<RunFolders> {
  const commandDir = join(tempDir, 'file-commands');
  const folders: RunFolders = {
    tempDir,
    runnerTemp: join(tempDir, 'runner-temp'),
    toolCache: join(tempDir, 'tool-cache'),
    workspace: workspace ?? join(tempDir, 'workspace'),
    files: {
      event: join(tempDir, 'event.json'),
      output: join(commandDir, 'set_output'),
      summary: join(commandDir, 'step_summary'),
      state: join(commandDir, 'save_state'),
      env: join(commandDir, 'set_env'),
      path: join(commandDir, 'add_path'),
    },
  };
  await Promise.all([
    mkdir(folders.runnerTemp),
    mkdir(commandDir),
    mkdir(folders.toolCache),
    workspace ? Promise.resolve() : mkdir(folders.workspace),
  ]);
  return folders;
}

/** The event payload, and empty file-command files for the action to append to. */
async function writeRunFiles({ files }: RunFolders, event: GitHubEvent): Promise<void> {
  await writeFile(files.event, JSON.stringify(event.payload, null, 2));
  await Promise.all(
    [files.output, files.summary, files.state, files.env, files.path].map((file) =>
      writeFile(file, ''),
    ),
  );
}

/** Spawns the action; its result is collected when it closes (or is killed at the timeout). */
function launch(
  entry: string,
  env: Record<string, string>,
  folders: RunFolders,
  options: RunActionOptions,
  cleanup: () => Promise<void>,
): StartedAction {
  const child = spawn(options.node ?? process.execPath, [entry], {
    cwd: folders.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 100_000);
  const result = new Promise<ActionResult>((resolveResult, rejectResult) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      void cleanup();
      rejectResult(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const end = {
        exitCode,
        signal,
        timedOut,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      collectResult(end, folders, env, cleanup)
        .finally(() => (options.keepTemp ? undefined : cleanup()))
        .then(resolveResult, rejectResult);
    });
  });
  return { child, result };
}
