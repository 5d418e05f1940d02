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
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fakeSha, type GitHubEvent } from './github-events.js';
import {
  annotationsFrom,
  parseCommands,
  parseKeyValueFile,
  type Annotation,
  type WorkflowCommand,
} from './workflow-commands.js';

export type { Annotation, WorkflowCommand } from './workflow-commands.js';

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

/** INPUT_<NAME>: upper-cased, spaces to underscores, hyphens kept (as the runner and @actions/core do). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** GitHub's documented limits: 1 MiB per step summary, 1 MB per output. */
export const MAX_SUMMARY_BYTES = 1024 * 1024;
export const MAX_OUTPUT_BYTES = 1_000_000;

const EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;

export async function startAction(options: RunActionOptions): Promise<StartedAction> {
  const actionDir = resolve(options.actionDir);
  const metadata = await readActionMetadata(actionDir);
  const step = options.step ?? 'main';
  const script = options.entry ?? metadata.runs[step];
  if (!script) throw new Error(`${actionDir}/action.yml has no runs.${step}`);
  const entry = resolve(actionDir, script);
  if (!existsSync(entry)) {
    throw new Error(
      `${entry} does not exist: build the action first (node scripts/build-actions.js <name>)`,
    );
  }

  const declared = new Set(Object.keys(metadata.inputs).map((name) => name.toLowerCase()));
  const unknown = Object.keys(options.inputs ?? {}).filter(
    (name) => !declared.has(name.toLowerCase()),
  );
  if (unknown.length > 0 && !options.allowUnknownInputs) {
    throw new Error(
      `input(s) ${unknown.join(', ')} not declared in ${actionDir}/action.yml (declared: ${[...declared].join(', ') || 'none'}); pass allowUnknownInputs to send them anyway`,
    );
  }

  const tempDir = await mkdtemp(join(tmpdir(), 'action-run-'));
  const cleanup = () => rm(tempDir, { recursive: true, force: true });
  try {
    const runnerTemp = join(tempDir, 'runner-temp');
    const workspace = options.workspace ?? join(tempDir, 'workspace');
    const commandDir = join(tempDir, 'file-commands');
    await Promise.all([
      mkdir(runnerTemp),
      mkdir(commandDir),
      mkdir(join(tempDir, 'tool-cache')),
      options.workspace ? Promise.resolve() : mkdir(workspace),
    ]);
    const files = {
      event: join(tempDir, 'event.json'),
      output: join(commandDir, 'set_output'),
      summary: join(commandDir, 'step_summary'),
      state: join(commandDir, 'save_state'),
      env: join(commandDir, 'set_env'),
      path: join(commandDir, 'add_path'),
    };
    const event = options.event ?? {
      name: 'push',
      payload: {},
      ref: 'refs/heads/main',
    };
    await writeFile(files.event, JSON.stringify(event.payload, null, 2));
    await Promise.all(
      [files.output, files.summary, files.state, files.env, files.path].map((file) =>
        writeFile(file, ''),
      ),
    );

    const payloadRepository = (event.payload.repository as { full_name?: unknown } | undefined)
      ?.full_name;
    const repository =
      options.repository ??
      (typeof payloadRepository === 'string' ? payloadRepository : 'Codertocat/Hello-World');
    const ref = options.ref ?? event.ref ?? 'refs/heads/main';
    const sha = options.sha ?? event.sha ?? fakeSha(`${repository}@${ref}`);
    const serverUrl = options.serverUrl ?? 'https://github.com';
    const apiUrl = options.apiUrl ?? 'https://api.github.com';
    const github: Record<string, string> = {
      token: options.token ?? '',
      workspace,
      repository,
      repository_owner: repository.split('/')[0] as string,
      server_url: serverUrl,
      api_url: apiUrl,
      event_name: event.name,
      sha,
      ref,
      action_path: actionDir,
    };
    const runner: Record<string, string> = { temp: runnerTemp, os: 'Linux', arch: 'X64' };
    const evaluateDefault = (inputName: string, value: string) =>
      value.replace(EXPRESSION, (_match, expression: string) => {
        const [scope, key, ...rest] = expression.split('.');
        const table = scope === 'github' ? github : scope === 'runner' ? runner : undefined;
        const resolved = rest.length === 0 && key ? table?.[key] : undefined;
        if (resolved === undefined) {
          throw new Error(
            `action.yml input "${inputName}" default uses \${{ ${expression} }}, which the test bench does not evaluate (supported: github.${Object.keys(github).join(', github.')}, runner.${Object.keys(runner).join(', runner.')})`,
          );
        }
        return resolved;
      });

    const inputEnv: Record<string, string> = {};
    for (const [name, spec] of Object.entries(metadata.inputs)) {
      if (spec.default !== undefined) {
        inputEnv[inputEnvName(name)] = evaluateDefault(name, spec.default);
      }
    }
    for (const [name, value] of Object.entries(options.inputs ?? {})) {
      inputEnv[inputEnvName(name)] = String(value);
    }

    const refName = ref.replace(/^refs\/(heads|tags)\//, '');
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      LANG: process.env.LANG,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION: '__run',
      GITHUB_ACTION_PATH: actionDir,
      GITHUB_ACTION_REPOSITORY: '',
      GITHUB_ACTOR: options.actor ?? 'Codertocat',
      GITHUB_ACTOR_ID: '21031067',
      GITHUB_TRIGGERING_ACTOR: options.actor ?? 'Codertocat',
      GITHUB_API_URL: apiUrl,
      GITHUB_SERVER_URL: serverUrl,
      GITHUB_GRAPHQL_URL: options.graphqlUrl ?? `${apiUrl.replace(/\/v3\/?$/, '')}/graphql`,
      GITHUB_EVENT_NAME: event.name,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_REPOSITORY: repository,
      GITHUB_REPOSITORY_OWNER: repository.split('/')[0],
      GITHUB_SHA: sha,
      GITHUB_REF: ref,
      GITHUB_REF_NAME: ref.startsWith('refs/pull/') ? ref.slice('refs/pull/'.length) : refName,
      GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      GITHUB_HEAD_REF: event.headRef ?? '',
      GITHUB_BASE_REF: event.baseRef ?? '',
      GITHUB_RUN_ID: String(options.runId ?? 1658821493),
      GITHUB_RUN_ATTEMPT: String(options.runAttempt ?? 1),
      GITHUB_RUN_NUMBER: String(options.runNumber ?? 1),
      GITHUB_WORKFLOW: options.workflow ?? 'test-bench',
      GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/test-bench.yml@${ref}`,
      GITHUB_JOB: options.job ?? 'test',
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_STATE: files.state,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      RUNNER_TEMP: runnerTemp,
      RUNNER_TOOL_CACHE: join(tempDir, 'tool-cache'),
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'test-bench',
      RUNNER_ENVIRONMENT: 'github-hosted',
      ...(options.debug ? { RUNNER_DEBUG: '1' } : {}),
      ...Object.fromEntries(
        Object.entries(options.state ?? {}).map(([name, value]) => [`STATE_${name}`, value]),
      ),
      ...inputEnv,
      ...options.env,
    };
    const childEnv = Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );

    const child = spawn(options.node ?? process.execPath, [entry], {
      cwd: workspace,
      env: childEnv,
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
        collect(exitCode, signal).then(resolveResult, rejectResult);
      });
    });

    const collect = async (
      exitCode: number | null,
      signal: NodeJS.Signals | null,
    ): Promise<ActionResult> => {
      try {
        const out = Buffer.concat(stdout).toString('utf8');
        const err = Buffer.concat(stderr).toString('utf8');
        const commands = [...parseCommands(out, 'stdout'), ...parseCommands(err, 'stderr')];
        const read = (file: string) => readFile(file, 'utf8');
        const [outputs, summary, state, exportedEnv, pathFile] = await Promise.all([
          read(files.output).then((text) => parseKeyValueFile(text, 'GITHUB_OUTPUT')),
          read(files.summary),
          read(files.state).then((text) => parseKeyValueFile(text, 'GITHUB_STATE')),
          read(files.env).then((text) => parseKeyValueFile(text, 'GITHUB_ENV')),
          read(files.path),
        ]);
        const limitViolations: string[] = [];
        const summaryBytes = Buffer.byteLength(summary);
        if (summaryBytes > MAX_SUMMARY_BYTES) {
          limitViolations.push(
            `step summary is ${summaryBytes} bytes; GitHub drops a summary over ${MAX_SUMMARY_BYTES} bytes (1 MiB)`,
          );
        }
        for (const [name, value] of Object.entries(outputs)) {
          const bytes = Buffer.byteLength(value);
          if (bytes > MAX_OUTPUT_BYTES) {
            limitViolations.push(
              `output "${name}" is ${bytes} bytes; GitHub's limit is ${MAX_OUTPUT_BYTES} bytes (1 MB) per output`,
            );
          }
        }
        return {
          exitCode,
          signal,
          timedOut,
          limitViolations,
          stdout: out,
          stderr: err,
          outputs,
          summary,
          state,
          exportedEnv,
          addedPath: pathFile.split('\n').filter((line) => line.trim() !== ''),
          annotations: annotationsFrom(commands),
          masks: commands.filter((c) => c.command === 'add-mask').map((c) => c.message),
          commands,
          env: childEnv,
          tempDir,
          workspace,
          runnerTemp,
          cleanup,
        };
      } finally {
        if (!options.keepTemp) await cleanup();
      }
    };

    return { child, result };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export async function runAction(options: RunActionOptions): Promise<ActionResult> {
  const { result } = await startAction(options);
  return result;
}
