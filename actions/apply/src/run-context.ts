/** What the run is about, read from the runner's GITHUB_* environment and event payload. */
import { context } from '@actions/github';

export interface RunContext {
  eventName: string;
  /** The commit being deployed (GITHUB_SHA). */
  sha: string;
  owner: string;
  repo: string;
  runId: string;
  runUrl: string;
  /** The pull request of a pull_request event. */
  pullNumber?: number;
}

export function readRunContext(): RunContext {
  const { owner, repo } = context.repo;
  const runId = Number.isFinite(context.runId) ? String(context.runId) : 'unknown';
  const run: RunContext = {
    eventName: context.eventName ?? '',
    sha: context.sha ?? '',
    owner,
    repo,
    runId,
    runUrl: `${context.serverUrl}/${owner}/${repo}/actions/runs/${runId}`,
  };
  const pull = (context.payload.pull_request as { number?: unknown } | undefined)?.number;
  if (typeof pull === 'number') run.pullNumber = pull;
  return run;
}
