/** readRunContext: what plan and apply learn about the run from the runner's environment. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';

import { readRunContext } from '../../src/github/run-context.js';

const folder = mkdtempSync(join(tmpdir(), 'run-context-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A pull_request event payload, trimmed to the fields GitHub documents and the context reads. */
let events = 0;
function pullRequestEvent(headRepo: string | null): string {
  const file = join(folder, `event-${++events}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      action: 'synchronize',
      number: 42,
      pull_request: {
        number: 42,
        head: { sha: 'a'.repeat(40), repo: headRepo === null ? null : { full_name: headRepo } },
        base: { sha: 'b'.repeat(40), repo: { full_name: 'octo-org/octo-repo' } },
      },
    }),
  );
  return file;
}

const runner = {
  GITHUB_REPOSITORY: 'octo-org/octo-repo',
  GITHUB_SHA: 'c'.repeat(40),
  GITHUB_RUN_ID: '1234',
  GITHUB_SERVER_URL: 'https://github.example.com/',
};

describe('readRunContext', () => {
  it('a pull request from the repository itself: its head commit, number and run link', () => {
    const context = readRunContext({
      ...runner,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: pullRequestEvent('octo-org/octo-repo'),
    });
    expect(context).toEqual({
      owner: 'octo-org',
      repo: 'octo-repo',
      eventName: 'pull_request',
      sha: 'c'.repeat(40),
      commitSha: 'a'.repeat(40),
      pullNumber: 42,
      fromFork: false,
      runId: '1234',
      runUrl: 'https://github.example.com/octo-org/octo-repo/actions/runs/1234',
    });
  });

  it('a pull request from a fork is marked so (its token is read-only)', () => {
    const env = { ...runner, GITHUB_EVENT_NAME: 'pull_request' };
    const fork = readRunContext({ ...env, GITHUB_EVENT_PATH: pullRequestEvent('someone/fork') });
    expect(fork.fromFork).toBe(true);
    // A deleted head repository is not evidence of a fork.
    const deleted = readRunContext({ ...env, GITHUB_EVENT_PATH: pullRequestEvent(null) });
    expect(deleted.fromFork).toBe(false);
  });

  it('a push: GITHUB_SHA is the commit, no pull request', () => {
    const context = readRunContext({ ...runner, GITHUB_EVENT_NAME: 'push' });
    expect(context.sha).toBe('c'.repeat(40));
    expect(context.commitSha).toBe('c'.repeat(40));
    expect(context.pullNumber).toBeUndefined();
    expect(context.fromFork).toBe(false);
  });

  it('outside a workflow run: no run link, and an unreadable payload reads as no payload', () => {
    const context = readRunContext({
      GITHUB_REPOSITORY: 'octo-org/octo-repo',
      GITHUB_EVENT_PATH: join(folder, 'missing.json'),
    });
    expect(context.runId).toBeUndefined();
    expect(context.runUrl).toBeUndefined();
    expect(context.commitSha).toBeUndefined();
    expect(context.sha).toBe('');
  });
});
