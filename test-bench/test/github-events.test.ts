import { describe, expect, it } from '@jest/globals';
import {
  fakeSha,
  pullRequestEvent,
  pushEvent,
  webhookExample,
  workflowDispatchEvent,
} from '../src/github-events.js';

describe('event payloads from @octokit/webhooks-examples', () => {
  it('builds a pull_request event with a chosen number, head and repository', () => {
    const event = pullRequestEvent({
      number: 9,
      headSha: 'b'.repeat(40),
      headRef: 'feature/x',
      baseRef: 'main',
      repository: 'acme/infra',
    });
    const payload = event.payload as {
      number: number;
      action: string;
      repository: { full_name: string; name: string; owner: { login: string } };
      pull_request: {
        number: number;
        html_url: string;
        head: { sha: string; ref: string; repo: { full_name: string } };
        base: { ref: string; repo: { full_name: string } };
      };
    };
    expect(event.name).toBe('pull_request');
    expect(payload.number).toBe(9);
    expect(payload.action).toBe('opened');
    expect(payload.repository).toMatchObject({
      full_name: 'acme/infra',
      name: 'infra',
      owner: { login: 'acme' },
    });
    expect(payload.pull_request.number).toBe(9);
    expect(payload.pull_request.html_url).toBe('https://github.com/acme/infra/pull/9');
    expect(payload.pull_request.head).toMatchObject({ sha: 'b'.repeat(40), ref: 'feature/x' });
    expect(payload.pull_request.base.repo.full_name).toBe('acme/infra');
    expect(event.ref).toBe('refs/pull/9/merge');
    expect(event.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(event.sha).not.toBe('b'.repeat(40));
    expect(JSON.stringify(payload)).not.toContain('Codertocat/Hello-World');
  });

  it('marks a pull request from a fork', () => {
    const event = pullRequestEvent({ fromFork: 'someone/Hello-World' });
    const pull = (
      event.payload as {
        pull_request: {
          head: { repo: { full_name: string; fork: boolean } };
          base: { repo: { full_name: string } };
        };
      }
    ).pull_request;
    expect(pull.head.repo).toMatchObject({ full_name: 'someone/Hello-World', fork: true });
    expect(pull.base.repo.full_name).toBe('Codertocat/Hello-World');
  });

  it('builds push and workflow_dispatch events', () => {
    const push = pushEvent({
      ref: 'refs/heads/main',
      before: 'c'.repeat(40),
      after: 'd'.repeat(40),
    });
    expect(push).toMatchObject({ name: 'push', sha: 'd'.repeat(40), ref: 'refs/heads/main' });
    expect(push.payload).toMatchObject({ created: false, head_commit: { id: 'd'.repeat(40) } });
    const dispatch = workflowDispatchEvent({ inputs: { target: '100' }, ref: 'refs/heads/main' });
    expect(dispatch.payload).toMatchObject({ inputs: { target: '100' }, ref: 'refs/heads/main' });
    expect(dispatch.name).toBe('workflow_dispatch');
  });

  it('takes the example of the chosen action: synchronize has before/after, closed is closed', () => {
    const sync = pullRequestEvent({ action: 'synchronize', headSha: 'e'.repeat(40) });
    expect(sync.payload).toMatchObject({ action: 'synchronize', after: 'e'.repeat(40) });
    expect(sync.payload['before']).toMatch(/^[0-9a-f]{40}$/);
    const merged = pullRequestEvent({ action: 'closed', merged: true, number: 4 });
    const pull = merged.payload['pull_request'] as Record<string, unknown>;
    expect(pull).toMatchObject({ state: 'closed', merged: true, number: 4 });
    expect(pull['closed_at']).toEqual(expect.any(String));
    expect(pull['merged_at']).toBe(pull['closed_at']);
    const unmerged = pullRequestEvent({ action: 'closed' }).payload['pull_request'];
    expect(unmerged).toMatchObject({ merged: false, merged_at: null });
  });

  it('gives each caller its own copy, and names the event when no example matches', () => {
    const first = webhookExample('issue_comment', (payload) => payload.action === 'created');
    first.comment.body = 'changed by one test';
    const second = webhookExample('issue_comment', (payload) => payload.action === 'created');
    expect(second.comment.body).not.toBe('changed by one test');
    expect(() => webhookExample('push', (payload) => payload.ref === 'refs/heads/nowhere')).toThrow(
      'no matching "push" example payload',
    );
  });
});

describe('fakeSha', () => {
  it('is stable and looks like a commit sha', () => {
    expect(fakeSha('x')).toBe(fakeSha('x'));
    expect(fakeSha('x')).not.toBe(fakeSha('y'));
    expect(fakeSha('x')).toMatch(/^[0-9a-f]{40}$/);
  });
});
