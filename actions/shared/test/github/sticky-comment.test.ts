/** The sticky comment and drift issue logic with real Octokit against the GitHub stand-in. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  startGitHubStandIn,
  type GitHubStandIn,
} from '../../../../stand-ins/src/github/github-stand-in.js';
import {
  CommentAuthorError,
  createGitHubClient,
  findPlanComment,
  isReadOnlyTokenError,
  updatePlanCommentStatus,
  upsertPlanComment,
} from '../../src/github/index.js';
import { parsePlanComment, planMarker } from '../../src/plan/index.js';

const repo = 'Codertocat/Hello-World';
let github: GitHubStandIn;
let pull: number;

beforeAll(async () => {
  github = await startGitHubStandIn();
});
afterAll(async () => {
  await github.close();
});
beforeEach(() => {
  github.clearFaults();
  pull = github.addPullRequest(repo, { headSha: 'a'.repeat(40) }).number;
});

const ref = () => ({ owner: 'Codertocat', repo: 'Hello-World', issueNumber: pull });
const client = (token = github.writeToken) => createGitHubClient({ token, apiUrl: github.apiUrl });
const ours = (stack: string) => ({ stack, author: 'github-actions[bot]' });
const body = (stack: string, text: string) =>
  `${planMarker(stack)}\n### ${text}\n<!-- multicloud:status -->\n`;

describe('upsertPlanComment', () => {
  it('creates one comment per stack, then updates it in place', async () => {
    const first = await upsertPlanComment(client(), ref(), ours('aws'), body('aws', 'one'));
    await upsertPlanComment(client(), ref(), ours('azure'), body('azure', 'other stack'));
    const second = await upsertPlanComment(client(), ref(), ours('aws'), body('aws', 'two'));
    expect(first.action).toBe('created');
    expect(second).toMatchObject({ action: 'updated', id: first.id, removedDuplicates: 0 });
    const comments = github.comments(repo, pull);
    expect(comments.map((comment) => comment.body)).toEqual([
      body('aws', 'two'),
      body('azure', 'other stack'),
    ]);
  });

  it('removes duplicates left by anything else, keeping the oldest, and ignores quotes of it', async () => {
    const oldest = github.addComment(repo, pull, body('aws', 'stale'));
    github.addComment(repo, pull, body('aws', 'copy'));
    github.addComment(repo, pull, `> ${planMarker('aws')}\n> quoted by a reviewer`);
    github.addComment(repo, pull, body('aws-eu', 'a stack whose name starts the same'));
    const result = await upsertPlanComment(client(), ref(), ours('aws'), body('aws', 'fresh'));
    expect(result).toMatchObject({ id: oldest.id, action: 'updated', removedDuplicates: 1 });
    expect(github.comments(repo, pull).map((comment) => comment.body)).toEqual([
      body('aws', 'fresh'),
      `> ${planMarker('aws')}\n> quoted by a reviewer`,
      body('aws-eu', 'a stack whose name starts the same'),
    ]);
  });

  it('leaves one comment when runs for the same stack race', async () => {
    const results = await Promise.all(
      ['one', 'two'].map((text) =>
        upsertPlanComment(client(), ref(), ours('aws'), body('aws', text)),
      ),
    );
    const comments = github.comments(repo, pull);
    expect(comments).toHaveLength(1);
    expect(new Set(results.map((result) => result.id))).toEqual(new Set([comments[0]?.id]));
  });

  it('posts a new comment when the one it found is deleted before the update', async () => {
    const old = github.addComment(repo, pull, body('aws', 'old'));
    github.injectFault({
      method: 'PATCH',
      path: `/repos/Codertocat/Hello-World/issues/comments/${old.id}`,
      status: 404,
      body: { message: 'Not Found' },
    });
    const result = await upsertPlanComment(client(), ref(), ours('aws'), body('aws', 'new'));
    expect(github.comments(repo, pull).map((comment) => comment.body)).toEqual([
      body('aws', 'new'),
    ]);
    expect(result.body).toBe(body('aws', 'new'));
  });

  it('finds the comment among more than one page of comments', async () => {
    for (let i = 0; i < 130; i++) github.addComment(repo, pull, `chatter ${i}`);
    const created = await upsertPlanComment(client(), ref(), ours('aws'), body('aws', 'late'));
    const again = await upsertPlanComment(client(), ref(), ours('aws'), body('aws', 'later'));
    expect(again.id).toBe(created.id);
    expect(
      github.comments(repo, pull).filter((comment) => comment.body.startsWith(planMarker('aws'))),
    ).toHaveLength(1);
  });

  it('reports a read-only token (a fork pull request) as such', async () => {
    const error = await upsertPlanComment(
      client(github.readToken),
      ref(),
      ours('aws'),
      body('aws', 'x'),
    ).catch((caught: unknown) => caught);
    expect(isReadOnlyTokenError(error)).toBe(true);
    expect(github.comments(repo, pull)).toHaveLength(0);
  });

  it('waits out a secondary rate limit and a 502, then succeeds', async () => {
    github.injectSecondaryRateLimit({
      method: 'POST',
      path: '/repos/:o/:r/issues/:n/comments',
      retryAfterSeconds: 1,
    });
    github.injectServerError({
      method: 'GET',
      path: '/repos/:o/:r/issues/:n/comments',
      status: 502,
    });
    const result = await upsertPlanComment(
      client(),
      ref(),
      ours('aws'),
      body('aws', 'after limits'),
    );
    expect(result.action).toBe('created');
    expect(github.comments(repo, pull)).toHaveLength(1);
    const posts = github.requests.filter(
      (request) => request.method === 'POST' && request.path.endsWith(`/issues/${pull}/comments`),
    );
    expect(posts.map((request) => request.status)).toEqual([403, 201]);
  });
});

describe("another user's marker comments", () => {
  const MALLORY = { login: 'mallory', id: 7, type: 'User' as const };

  it('are never read, edited or deleted: ours is updated and our duplicates removed', async () => {
    const forged = github.addComment(repo, pull, body('aws', 'forged, older than ours'), MALLORY);
    const mine = github.addComment(repo, pull, body('aws', 'ours'));
    github.addComment(repo, pull, body('aws', 'our duplicate'));
    const later = github.addComment(repo, pull, body('aws', 'forged, newer'), MALLORY);

    expect((await findPlanComment(client(), ref(), ours('aws')))?.id).toBe(mine.id);
    const result = await upsertPlanComment(client(), ref(), ours('aws'), body('aws', 'fresh'));

    expect(result).toMatchObject({ id: mine.id, action: 'updated', removedDuplicates: 1 });
    const after = github.comments(repo, pull);
    expect(after.map((comment) => [comment.id, comment.user, comment.body])).toEqual([
      [forged.id, 'mallory', body('aws', 'forged, older than ours')],
      [mine.id, 'github-actions[bot]', body('aws', 'fresh')],
      [later.id, 'mallory', body('aws', 'forged, newer')],
    ]);
    expect(after.find((comment) => comment.id === forged.id)?.updatedAt).toEqual(forged.updatedAt);
    const writes = github.requests.filter((request) => request.method !== 'GET');
    expect(writes.some((request) => request.path.endsWith(`/${forged.id}`))).toBe(false);
    expect(writes.some((request) => request.path.endsWith(`/${later.id}`))).toBe(false);
  });

  it('do not stop a first comment of ours, and get no status line', async () => {
    const forged = github.addComment(repo, pull, body('aws', 'forged'), MALLORY);
    expect(await findPlanComment(client(), ref(), ours('aws'))).toBeUndefined();
    expect(
      await updatePlanCommentStatus(client(), ref(), ours('aws'), 'Applied at a1b2c3d by run 9'),
    ).toBeUndefined();
    const created = await upsertPlanComment(client(), ref(), ours('aws'), body('aws', 'ours'));
    expect(created).toMatchObject({ action: 'created', author: 'github-actions[bot]' });
    expect(github.comments(repo, pull).map((comment) => comment.body)).toEqual([
      body('aws', 'forged'),
      body('aws', 'ours'),
    ]);
    expect(github.comments(repo, pull)[0]?.updatedAt).toEqual(forged.updatedAt);
  });

  it('a token that posts as someone other than comment-author is stopped, its comment removed', async () => {
    const error = await upsertPlanComment(
      client(),
      ref(),
      { stack: 'aws', author: 'plan-app[bot]' },
      body('aws', 'x'),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommentAuthorError);
    expect((error as Error).message).toContain(
      "written as 'github-actions[bot]', but comment-author is 'plan-app[bot]'",
    );
    expect(github.comments(repo, pull)).toEqual([]);
  });
});

describe('status line (for apply)', () => {
  it('finds the comment and writes the status without changing the digest', async () => {
    const digest = 'f'.repeat(64);
    const text = `${planMarker('aws')}\n<!-- multicloud:plan-meta digest=${digest} commit=abc outcome=changes -->\n### plan\n<!-- multicloud:status -->\n\nrest`;
    await upsertPlanComment(client(), ref(), ours('aws'), text);
    expect(
      parsePlanComment((await findPlanComment(client(), ref(), ours('aws')))?.body ?? '').digest,
    ).toBe(digest);
    const updated = await updatePlanCommentStatus(
      client(),
      ref(),
      ours('aws'),
      'Applied at a1b2c3d by run 9',
    );
    expect(updated?.body).toContain('**Applied at a1b2c3d by run 9**');
    const stored = github.comments(repo, pull)[0]?.body ?? '';
    expect(parsePlanComment(stored)).toMatchObject({
      digest,
      status: 'Applied at a1b2c3d by run 9',
    });
    expect(await updatePlanCommentStatus(client(), ref(), ours('gcp'), 'x')).toBeUndefined();
  });
});

describe('GitHub Enterprise Server', () => {
  it('uses the API root GITHUB_API_URL gives, path prefix included', async () => {
    const enterprise = await startGitHubStandIn({ pathPrefix: '/api/v3' });
    try {
      const number = enterprise.addPullRequest(repo, { headSha: 'b'.repeat(40) }).number;
      const previous = process.env['GITHUB_API_URL'];
      process.env['GITHUB_API_URL'] = enterprise.apiUrl;
      try {
        const result = await upsertPlanComment(
          createGitHubClient({ token: enterprise.writeToken }),
          { owner: 'Codertocat', repo: 'Hello-World', issueNumber: number },
          ours('aws'),
          body('aws', 'on GHES'),
        );
        expect(result.action).toBe('created');
      } finally {
        if (previous === undefined) delete process.env['GITHUB_API_URL'];
        else process.env['GITHUB_API_URL'] = previous;
      }
      expect(enterprise.requests.every((request) => request.path.startsWith('/api/v3/'))).toBe(
        true,
      );
      expect(enterprise.comments(repo, number)).toHaveLength(1);
    } finally {
      await enterprise.close();
    }
  });
});
