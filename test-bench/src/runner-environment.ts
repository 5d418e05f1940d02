/**
 * The environment the GitHub runner gives a JavaScript action's process, rebuilt for one run:
 * the `github` and `runner` contexts the run is in (repository, ref, sha, URLs; event from the
 * payload), the GITHUB_* / RUNNER_* variables and file-command paths, INPUT_* from action.yml's
 * defaults (`${{ github.* }}` and `${{ runner.* }}` evaluated) overridden by the given inputs,
 * saved state (STATE_*), and the caller's `env`. Nothing else from the parent process (no
 * secrets, no NODE_OPTIONS from jest): PATH, HOME, TMPDIR and LANG only.
 */
import type { RunActionOptions } from './action-runner.js';
import { fakeSha, type GitHubEvent } from './github-events.js';

/** Where one run keeps its files (all below its own temporary folder). */
export interface RunFolders {
  tempDir: string;
  runnerTemp: string;
  toolCache: string;
  workspace: string;
  files: {
    event: string;
    output: string;
    summary: string;
    state: string;
    env: string;
    path: string;
  };
}

/** The values of the `github` and `runner` contexts this run uses. */
export interface RunContext {
  repository: string;
  ref: string;
  sha: string;
  serverUrl: string;
  apiUrl: string;
  github: Record<string, string>;
  runner: Record<string, string>;
}

const EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;

/** INPUT_<NAME>: upper-cased, spaces to underscores, hyphens kept (as the runner and @actions/core do). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export function runContext(
  options: RunActionOptions,
  event: GitHubEvent,
  actionDir: string,
  folders: RunFolders,
): RunContext {
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
    workspace: folders.workspace,
    repository,
    repository_owner: repository.split('/')[0] as string,
    server_url: serverUrl,
    api_url: apiUrl,
    event_name: event.name,
    sha,
    ref,
    action_path: actionDir,
  };
  const runner = { temp: folders.runnerTemp, os: 'Linux', arch: 'X64' };
  return { repository, ref, sha, serverUrl, apiUrl, github, runner };
}

/** INPUT_* for every input: action.yml's default (evaluated), then the given value. */
export function inputVariables(
  declared: Record<string, { default?: string }>,
  inputs: RunActionOptions['inputs'],
  context: RunContext,
): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    if (spec.default !== undefined) {
      variables[inputEnvName(name)] = evaluateDefault(name, spec.default, context);
    }
  }
  for (const [name, value] of Object.entries(inputs ?? {})) {
    variables[inputEnvName(name)] = String(value);
  }
  return variables;
}

function evaluateDefault(inputName: string, value: string, context: RunContext): string {
  const { github, runner } = context;
  return value.replace(EXPRESSION, (_match, expression: string) => {
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
}

/** The child's whole environment; a variable set to undefined in `options.env` is left out. */
export function runnerEnvironment(
  options: RunActionOptions,
  event: GitHubEvent,
  actionDir: string,
  folders: RunFolders,
  context: RunContext,
  inputs: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    LANG: process.env.LANG,
    CI: 'true',
    ...githubVariables(options, event, actionDir, context),
    ...fileCommandVariables(folders),
    ...runnerVariables(folders),
    ...(options.debug ? { RUNNER_DEBUG: '1' } : {}),
    ...Object.fromEntries(
      Object.entries(options.state ?? {}).map(([name, value]) => [`STATE_${name}`, value]),
    ),
    ...inputs,
    ...options.env,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function githubVariables(
  options: RunActionOptions,
  event: GitHubEvent,
  actionDir: string,
  { repository, ref, sha, serverUrl, apiUrl }: RunContext,
): Record<string, string> {
  const refName = ref.replace(/^refs\/(heads|tags)\//, '');
  return {
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
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0] as string,
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
  };
}

function fileCommandVariables({ workspace, files }: RunFolders): Record<string, string> {
  return {
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
  };
}

function runnerVariables({ runnerTemp, toolCache }: RunFolders): Record<string, string> {
  return {
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: toolCache,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'test-bench',
    RUNNER_ENVIRONMENT: 'github-hosted',
  };
}
