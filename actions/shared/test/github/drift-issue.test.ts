/** Issue 5's rules for the drift issue, with real Octokit against the GitHub stand-in. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  startGitHubStandIn,
  type GitHubStandIn,
} from '../../../../stand-ins/src/github/github-stand-in.js';
import {
  CommentAuthorError,
  createGitHubClient,
  syncDriftIssue,
  type DriftReport,
} from '../../src/github/index.js';
import { driftMarker } from '../../src/plan/index.js';

const repo = 'octo-org/octo-repo';
const BOT = 'github-actions[bot]';
const MALLORY = { login: 'mallory', id: 7, type: 'User' as const };
const repoRef = { owner: 'octo-org', repo: 'octo-repo' };
let github: GitHubStandIn;

beforeAll(async () => {
  github = await startGitHubStandIn();
});
afterAll(async () => {
  await github.close();
});

const client = () => createGitHubClient({ token: github.writeToken, apiUrl: github.apiUrl });

function report(stack: string, fingerprint: string | undefined): DriftReport {
  const print = fingerprint ?? '0'.repeat(64);
  return {
    stack,
    hasDrift: fingerprint !== undefined,
    body: `${driftMarker(stack)}\n<!-- multicloud:drift-meta fingerprint=${print} drifted=1 pending=0 -->\nreport ${print.slice(0, 4)}`,
    fingerprint: print,
    changeComment: (previous) =>
      `changed to ${print.slice(0, 4)} from ${previous?.fingerprint.slice(0, 4) ?? 'none'}`,
    reopenComment: 'found again',
    cleanComment: 'found clean',
  };
}

const driftA = 'a'.repeat(64);
const driftB = 'b'.repeat(64);

describe('syncDriftIssue', () => {
  it('follows the whole life of one issue: open, update, comment on change, close, reopen', async () => {
    const opened = await syncDriftIssue(client(), repoRef, report('global', driftA), BOT);
    expect(opened.action).toBe('opened');
    const number = opened.issue?.number as number;
    let issue = github.issue(repo, number);
    expect(issue).toMatchObject({ title: 'Drift: stack global', state: 'open', labels: ['drift'] });
    expect(github.labels(repo)).toContain('drift');

    expect((await syncDriftIssue(client(), repoRef, report('global', driftA), BOT)).action).toBe(
      'updated',
    );
    expect(github.issue(repo, number)?.comments).toHaveLength(0);

    expect((await syncDriftIssue(client(), repoRef, report('global', driftB), BOT)).action).toBe(
      'commented',
    );
    issue = github.issue(repo, number);
    expect(issue?.comments.map((comment) => comment.body)).toEqual(['changed to bbbb from aaaa']);
    expect(issue?.body).toContain('report bbbb');

    expect((await syncDriftIssue(client(), repoRef, report('global', undefined), BOT)).action).toBe(
      'closed',
    );
    issue = github.issue(repo, number);
    expect(issue).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(issue?.comments.at(-1)?.body).toBe('found clean');
    expect((await syncDriftIssue(client(), repoRef, report('global', undefined), BOT)).action).toBe(
      'none',
    );

    expect((await syncDriftIssue(client(), repoRef, report('global', driftA), BOT)).action).toBe(
      'reopened',
    );
    issue = github.issue(repo, number);
    expect(issue?.state).toBe('open');
    expect(issue?.comments.at(-1)?.body).toBe('found again');
    expect(
      github.issues(repo).filter((candidate) => candidate.body?.startsWith(driftMarker('global'))),
    ).toHaveLength(1);
  });

  it('finds a renamed issue whose label was removed, and keeps one issue per stack', async () => {
    const own = github.addIssue(repo, {
      title: 'renamed by a person',
      body: `${driftMarker('aws')}\nold report`,
    });
    const result = await syncDriftIssue(client(), repoRef, report('aws', driftA), BOT);
    expect(result).toMatchObject({ action: 'commented', issue: { number: own.number } });
    expect(github.issue(repo, own.number)?.labels).toEqual(['drift']);
    const other = await syncDriftIssue(client(), repoRef, report('azure', driftA), BOT);
    expect(other.action).toBe('opened');
    expect(other.issue?.number).not.toBe(own.number);
  });

  it('closes a duplicate left by a race, keeping the lowest number', async () => {
    const first = github.addIssue(repo, {
      title: 'Drift: stack dup',
      body: `${driftMarker('dup')}\n`,
      labels: ['drift'],
    });
    const second = github.addIssue(repo, {
      title: 'Drift: stack dup',
      body: `${driftMarker('dup')}\n`,
      labels: ['drift'],
    });
    const result = await syncDriftIssue(client(), repoRef, report('dup', driftA), BOT);
    expect(result.issue?.number).toBe(first.number);
    expect(github.issue(repo, second.number)).toMatchObject({
      state: 'closed',
      stateReason: 'not_planned',
    });
    expect(github.issue(repo, second.number)?.comments[0]?.body).toBe(
      `Duplicate of #${first.number}, which tracks drift of this stack.`,
    );
    // The duplicate no longer carries the marker: once the kept issue loses its label and is
    // closed clean, drift again reopens the kept issue, not the duplicate beside it.
    expect(github.issue(repo, second.number)?.body).not.toContain(driftMarker('dup'));
    await client().rest.issues.update({ ...repoRef, issue_number: first.number, labels: [] });
    await syncDriftIssue(client(), repoRef, report('dup', undefined), BOT);
    const again = await syncDriftIssue(client(), repoRef, report('dup', driftB), BOT);
    expect(again).toMatchObject({ action: 'reopened', issue: { number: first.number } });
    expect(github.issue(repo, second.number)?.state).toBe('closed');
  });

  it('leaves one open issue when runs for the same stack race', async () => {
    const results = await Promise.all(
      Array.from({ length: 2 }, () =>
        syncDriftIssue(client(), repoRef, report('race', driftA), BOT),
      ),
    );
    const open = github
      .issues(repo)
      .filter((issue) => issue.body?.startsWith(driftMarker('race')) && issue.state === 'open');
    expect(open).toHaveLength(1);
    expect(new Set(results.map((result) => result.issue?.number))).toEqual(
      new Set([open[0]?.number]),
    );
  });

  it('never adopts, edits or closes a marker issue someone else wrote: it opens its own', async () => {
    const forged = github.addIssue(repo, {
      title: 'Drift: stack forged',
      body: `${driftMarker('forged')}\n<!-- multicloud:drift-meta fingerprint=${driftA} drifted=1 pending=0 -->\nnothing to see`,
      labels: ['drift'],
      user: MALLORY,
    });
    const before = github.issue(repo, forged.number);

    const opened = await syncDriftIssue(client(), repoRef, report('forged', driftA), BOT);
    expect(opened.action).toBe('opened');
    expect(opened.issue?.number).not.toBe(forged.number);
    expect(github.issue(repo, opened.issue?.number as number)?.user).toBe(BOT);
    // Found clean: our issue is closed; the other one is left exactly as it was.
    const closed = await syncDriftIssue(client(), repoRef, report('forged', undefined), BOT);
    expect(closed).toMatchObject({ action: 'closed', issue: { number: opened.issue?.number } });
    expect(github.issue(repo, forged.number)).toEqual(before);
  });

  it('stops when the token opens issues as someone other than comment-author', async () => {
    const error = await syncDriftIssue(
      client(),
      repoRef,
      report('app-token', driftA),
      'drift-app[bot]',
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommentAuthorError);
    expect((error as Error).message).toContain(
      "written as 'github-actions[bot]', but comment-author is 'drift-app[bot]'",
    );
  });
});
