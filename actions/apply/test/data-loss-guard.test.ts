/**
 * The data-loss guard end to end: the apply action's dist/ on a push to main, real Terraform
 * (terraform_data, local backend) and the GitHub stand-in holding the merged pull request, its
 * reviewed plan comment and its label events. terraform_data holds no data, so the test's own
 * rules file (the `risk-rules` input) puts its replacement in the data-loss class, as a user's
 * file would for a resource type of their own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAction, type ActionResult } from '../../../test-bench/src/action-runner.js';
import { fakeSha, pushEvent } from '../../../test-bench/src/github-events.js';
import {
  startGitHubStandIn,
  type GitHubStandIn,
} from '../../../stand-ins/src/github/github-stand-in.js';
import { terraformAvailable } from '../../shared/test/terraform/terraform-fixture.js';
import {
  applyActionDir,
  deployedStack,
  reviewComment,
  type StackScenario,
} from './support/apply-scenario.js';

const REPO = 'Codertocat/Hello-World';
const STACK = 'app';
const LABEL = 'allow-data-loss';
const RULES =
  'rules:\n  - class: data-loss\n    types: [terraform_data]\n    actions: [destroy, replace]\n';
const MINUTE = 60_000;

const ready = terraformAvailable();
const describeReady = ready ? describe : describe.skip;

let github: GitHubStandIn;
let nextPull = 300;

beforeAll(async () => {
  if (ready) github = await startGitHubStandIn();
});
afterAll(async () => {
  await github?.close();
});

/** A change that replaces terraform_data.app: data loss under the test's rules. */
function replacingStack(): StackScenario {
  const stack = deployedStack();
  stack.edit('input = var.greeting', 'input            = var.greeting\n  triggers_replace = "v2"');
  writeFileSync(join(stack.root, 'risk-rules.yml'), RULES);
  return stack;
}

/**
 * The pull request with the reviewed comment, labelled (and unlabelled) at the given minutes
 * before (negative) or after (positive) its merge, merged, and its merge commit pushed.
 */
function mergedWithLabels(
  stack: StackScenario,
  labelEvents: { at: number; kind: 'labeled' | 'unlabeled'; name?: string }[],
): { number: number; mergeSha: string } {
  const number = nextPull++;
  const headSha = fakeSha(`head-${number}`);
  const mergeSha = fakeSha(`merge-${number}`);
  const { plan, digest } = stack.review();
  github.addPullRequest(REPO, { number, headSha });
  github.addComment(REPO, number, reviewComment(STACK, plan, digest, headSha));
  const mergedAt = new Date(Date.now() - 10 * MINUTE);
  const at = (minutes: number) => ({ at: new Date(mergedAt.getTime() + minutes * MINUTE) });
  const record = ({ kind, at: minutes, name = LABEL }: (typeof labelEvents)[number]) => {
    if (kind === 'labeled') github.labelIssue(REPO, number, name, at(minutes));
    else github.unlabelIssue(REPO, number, name, at(minutes));
  };
  labelEvents.filter((event) => event.at <= 0).forEach(record);
  github.mergePullRequest(REPO, number, { at: mergedAt, mergeCommitSha: mergeSha });
  labelEvents.filter((event) => event.at > 0).forEach(record);
  github.associateCommit(REPO, mergeSha, number);
  return { number, mergeSha };
}

async function apply(stack: StackScenario, mergeSha: string): Promise<ActionResult> {
  return runAction({
    actionDir: applyActionDir,
    event: pushEvent({ after: mergeSha, ref: 'refs/heads/main' }),
    token: github.writeToken,
    apiUrl: github.apiUrl,
    runId: 4243,
    workspace: stack.root,
    env: stack.env,
    inputs: {
      'working-directory': 'stack',
      stack: STACK,
      'risk-rules': 'risk-rules.yml',
      'lock-timeout': '10s',
    },
    timeoutMs: 90_000,
  });
}

function comment(number: number): string {
  return github.comments(REPO, number)[0]?.body ?? '';
}

describeReady('data-loss guard (real Terraform, GitHub stand-in, dist/)', () => {
  it('refuses a data-loss plan merged without the label: nothing applied, reason everywhere', async () => {
    const stack = replacingStack();
    try {
      const merged = mergedWithLabels(stack, [{ at: -5, kind: 'labeled', name: 'docs' }]);
      const before = stack.stateBytes();
      const result = await apply(stack, merged.mergeSha);
      expect(result.exitCode).toBe(1);
      expect(result.outputs['applied']).toBe('false');
      expect(result.outputs['failure-reason']).toBe('data-loss-not-allowed');
      expect(stack.stateBytes().equals(before)).toBe(true);
      expect(result.stdout).not.toContain('[command]terraform apply');
      const failure = result.annotations.find((annotation) => annotation.level === 'error');
      expect(failure?.message).toContain('terraform_data.app: replace');
      expect(failure?.message).toContain(`did not carry the label '${LABEL}' when it was merged`);
      expect(result.summary).toContain('not applied (data-loss-not-allowed)');
      expect(result.summary).toContain('- `terraform_data.app`: replace');
      expect(result.summary).toContain(`the label \`${LABEL}\``);
      expect(comment(merged.number)).toContain(
        `**Not applied: data loss needs the label \`${LABEL}\` on the pull request when it is merged (\`terraform_data.app\`, see run 4243)**`,
      );
    } finally {
      stack.cleanup();
    }
  });

  it('applies it when the pull request carried the label at merge time', async () => {
    const stack = replacingStack();
    try {
      const merged = mergedWithLabels(stack, [{ at: -3, kind: 'labeled' }]);
      const result = await apply(stack, merged.mergeSha);
      expect(result.outputs['failure-reason']).toBe('');
      expect(result.outputs['applied']).toBe('true');
      expect(result.stdout).toContain(`carried the label '${LABEL}' when it was merged`);
      expect(comment(merged.number)).toContain('**Applied at');
    } finally {
      stack.cleanup();
    }
  });

  it.each([
    ['added after the merge', [{ at: 2, kind: 'labeled' as const }], 'added after the merge'],
    [
      'removed before the merge',
      [
        { at: -4, kind: 'labeled' as const },
        { at: -1, kind: 'unlabeled' as const },
      ],
      'did not carry',
    ],
  ])(
    'refuses when the label was %s (it is on the pull request now or was)',
    async (_, events, why) => {
      const stack = replacingStack();
      try {
        const merged = mergedWithLabels(stack, events);
        const before = stack.stateBytes();
        const result = await apply(stack, merged.mergeSha);
        expect(result.outputs['failure-reason']).toBe('data-loss-not-allowed');
        expect(result.summary).toContain(why);
        expect(stack.stateBytes().equals(before)).toBe(true);
      } finally {
        stack.cleanup();
      }
    },
  );

  it('does not ask for the label when the plan loses no data', async () => {
    const stack = deployedStack();
    try {
      stack.edit('default = "hello"', 'default = "bonjour"');
      writeFileSync(join(stack.root, 'risk-rules.yml'), RULES);
      const merged = mergedWithLabels(stack, []);
      github.clearRequests();
      const result = await apply(stack, merged.mergeSha);
      expect(result.outputs['applied']).toBe('true');
      expect(github.requests.some((request) => request.path.endsWith('/events'))).toBe(false);
    } finally {
      stack.cleanup();
    }
  });
});
