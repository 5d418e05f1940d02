import { describe, expect, it } from '@jest/globals';
import {
  fakeSha,
  hasGitHubEventFixtures,
  pullRequestEvent,
  pushEvent,
  workflowDispatchEvent,
} from '../src/github-events.js';

const describeWithFixtures = hasGitHubEventFixtures() ? describe : describe.skip;
if (!hasGitHubEventFixtures()) {
  console.warn('github-events tests skipped: ../shared/fixtures/github-events is absent');
}

describeWithFixtures('event payloads from the fixtures', () => {
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
});

describe('fakeSha', () => {
  it('is stable and looks like a commit sha', () => {
    expect(fakeSha('x')).toBe(fakeSha('x'));
    expect(fakeSha('x')).not.toBe(fakeSha('y'));
    expect(fakeSha('x')).toMatch(/^[0-9a-f]{40}$/);
  });
});
