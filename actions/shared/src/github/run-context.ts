/**
 * What the workflow run is about (repository, event, commit, pull request, run link), read
 * once from the runner's GITHUB_* variables and event payload. Plan and apply share it.
 */
import { readFileSync } from 'node:fs';

export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  /** GITHUB_SHA: the commit the workflow runs on (for a pull_request event, GitHub's merge commit). */
  sha: string;
  /** The commit a plan is for: the pull request's head, else GITHUB_SHA. */
  commitSha?: string;
  /** The pull request, for pull_request events. */
  pullNumber?: number;
  /** True when the pull request comes from another repository (its token is read-only). */
  fromFork: boolean;
  /** GITHUB_RUN_ID, and the run's page; absent outside a workflow run. */
  runId?: string;
  runUrl?: string;
}

interface PullRequestPayload {
  pull_request?: {
    number?: unknown;
    head?: { sha?: string; repo?: { full_name?: string } | null };
    base?: { repo?: { full_name?: string } };
  };
}

function readPayload(eventPath: string | undefined): PullRequestPayload {
  if (!eventPath) return {};
  try {
    return JSON.parse(readFileSync(eventPath, 'utf8')) as PullRequestPayload;
  } catch {
    return {};
  }
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const [owner = '', repo = ''] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  const sha = env['GITHUB_SHA'] ?? '';
  const context: RunContext = {
    owner,
    repo,
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    sha,
    fromFork: false,
  };
  const pull = readPayload(env['GITHUB_EVENT_PATH']).pull_request;
  if (typeof pull?.number === 'number') {
    context.pullNumber = pull.number;
    const head = pull.head?.repo?.full_name;
    const base = pull.base?.repo?.full_name;
    context.fromFork = head !== undefined && base !== undefined && head !== base;
  }
  const commitSha = pull?.head?.sha ?? sha;
  if (commitSha) context.commitSha = commitSha;
  const runId = env['GITHUB_RUN_ID'];
  if (runId) {
    context.runId = runId;
    const server = (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, '');
    context.runUrl = `${server}/${owner}/${repo}/actions/runs/${runId}`;
  }
  return context;
}
