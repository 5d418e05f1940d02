/** What the workflow run is about: repository, pull request, commit, run link. */
import { readFileSync } from 'node:fs';

export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  /** The pull request, for pull_request events. */
  pullNumber?: number;
  /** The commit the plan is for: the pull request head, else GITHUB_SHA. */
  commitSha?: string;
  /** True when the pull request comes from another repository (its token is read-only). */
  fromFork: boolean;
  runId?: string;
  runUrl?: string;
}

interface PullRequestPayload {
  pull_request?: {
    number?: number;
    head?: { sha?: string; repo?: { full_name?: string } | null };
    base?: { repo?: { full_name?: string } };
  };
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const [owner = '', repo = ''] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  const eventName = env['GITHUB_EVENT_NAME'] ?? '';
  let payload: PullRequestPayload = {};
  const eventPath = env['GITHUB_EVENT_PATH'];
  if (eventPath) {
    try {
      payload = JSON.parse(readFileSync(eventPath, 'utf8')) as PullRequestPayload;
    } catch {
      payload = {};
    }
  }
  const pull = payload.pull_request;
  const context: RunContext = {
    owner,
    repo,
    eventName,
    fromFork: false,
  };
  if (pull?.number !== undefined) {
    context.pullNumber = pull.number;
    const head = pull.head?.repo?.full_name;
    const base = pull.base?.repo?.full_name;
    context.fromFork = head !== undefined && base !== undefined && head !== base;
  }
  const sha = pull?.head?.sha ?? env['GITHUB_SHA'];
  if (sha) context.commitSha = sha;
  const runId = env['GITHUB_RUN_ID'];
  if (runId) {
    context.runId = runId;
    const server = (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, '');
    context.runUrl = `${server}/${owner}/${repo}/actions/runs/${runId}`;
  }
  return context;
}
