/**
 * The apply action end to end: its dist/ run by the test bench's action runner as GitHub runs
 * it, on a push to main, against real Terraform (terraform_data, local backend) and the GitHub
 * stand-in holding the merged pull request and its reviewed plan comment.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  runAction,
  startAction,
  type ActionResult,
} from '../../../test-bench/src/action-runner.js';
import { fakeSha, pullRequestEvent, pushEvent } from '../../../test-bench/src/github-events.js';
import { DEFAULT_TOKENS } from '../../../stand-ins/src/github/auth.js';
import {
  startGitHubStandIn,
  type GitHubStandIn,
} from '../../../stand-ins/src/github/github-stand-in.js';
import { createGitHubClient } from '../../shared/src/github/github-client.js';
import { digestKeyFrom } from '../../shared/src/plan/plan-digest.js';
import { terraformAvailable } from '../../shared/test/terraform/terraform-fixture.js';
import {
  applyActionDir,
  deployedStack,
  reviewComment,
  visibleLog,
  type StackScenario,
} from './support/apply-scenario.js';

const REPO = 'Codertocat/Hello-World';
const STACK = 'app';
const planActionDir = join(dirname(applyActionDir), 'plan');
const SECRET = 'sk-live-5f3c9a1b7e2d4c60';
const SECRET_AFTER_REVIEW = 'sk-live-rotated-after-review-9d1e';
/** Anyone who may comment on a public repository. */
const MALLORY_TOKEN = 'ghp_malloryCanCommentOnPublicRepos000000000';

const ready = terraformAvailable();
if (!ready) {
  console.warn('apply action tests skipped: they need the terraform binary on PATH');
}
const describeReady = ready ? describe : describe.skip;

let github: GitHubStandIn;
let nextPull = 10;
/** Every test's stack directory, removed after the test whatever its outcome. */
const stacks: StackScenario[] = [];

function cleanedUp(stack: StackScenario): StackScenario {
  stacks.push(stack);
  return stack;
}

afterEach(() => {
  for (const stack of stacks.splice(0)) stack.cleanup();
});

beforeAll(async () => {
  if (ready)
    github = await startGitHubStandIn({
      tokens: [
        ...DEFAULT_TOKENS,
        {
          token: MALLORY_TOKEN,
          permission: 'write',
          user: { login: 'mallory', id: 7, type: 'User' },
        },
      ],
    });
});

afterAll(async () => {
  if (github) await github.close();
});

interface Merged {
  number: number;
  mergeSha: string;
}

/** A merged pull request whose merge commit is the pushed commit, with `comment` on it. */
function mergedPullRequest(comment?: string): Merged {
  const number = nextPull++;
  const mergeSha = fakeSha(`merge-${number}`);
  github.addPullRequest(REPO, {
    number,
    headSha: fakeSha(`head-${number}`),
    state: 'closed',
    merged: true,
    mergeCommitSha: mergeSha,
  });
  if (comment !== undefined) github.addComment(REPO, number, comment);
  return { number, mergeSha };
}

function reviewed(stack: StackScenario): { merged: Merged; digest: string } {
  const { plan, digest } = stack.review();
  // The plan of the pull request's head: the commit that gets merged.
  const headSha = fakeSha(`head-${nextPull}`);
  const merged = mergedPullRequest(reviewComment(STACK, plan, digest, headSha));
  return { merged, digest };
}

async function apply(
  stack: StackScenario,
  mergeSha: string,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<ActionResult> {
  return runAction({
    actionDir: applyActionDir,
    event: pushEvent({ after: mergeSha, ref: 'refs/heads/main' }),
    token: github.writeToken,
    apiUrl: github.apiUrl,
    runId: 4243,
    env: { ...stack.env, ...env },
    inputs: { 'working-directory': stack.dir, stack: STACK, 'lock-timeout': '10s', ...inputs },
    timeoutMs: 90_000,
  });
}

/** The plan action on the push of `mergeSha`, keeping its plan file (plan-path) as deploy.yml does. */
function planOnPush(stack: StackScenario, mergeSha: string): Promise<ActionResult> {
  return runAction({
    actionDir: planActionDir,
    event: pushEvent({ after: mergeSha, ref: 'refs/heads/main' }),
    token: github.writeToken,
    apiUrl: github.apiUrl,
    env: stack.env,
    inputs: { 'working-directory': stack.dir, stack: STACK, comment: 'false' },
    keepTemp: true,
    timeoutMs: 90_000,
  });
}

function commentBody(number: number): string {
  return github.comments(REPO, number)[0]?.body ?? '';
}

function stateOf(stack: StackScenario, name: string): unknown {
  const state = JSON.parse(stack.stateBytes().toString('utf8')) as {
    resources: { name: string; instances: { attributes: { input: { value: unknown } } }[] }[];
  };
  return state.resources.find((resource) => resource.name === name)?.instances[0]?.attributes.input
    .value;
}

/** Everything a person or a later step can see from the run (outputs-json aside when asked). */
function everythingVisible(result: ActionResult, comment: string, withOutputsJson = true): string {
  const outputs = { ...result.outputs };
  if (!withOutputsJson) delete outputs['outputs-json'];
  return [
    visibleLog(result.stdout),
    result.stderr,
    result.summary,
    JSON.stringify(outputs),
    JSON.stringify(result.annotations),
    comment,
  ].join('\n');
}

describeReady('apply action (real Terraform, GitHub stand-in, dist/)', () => {
  it('applies the plan that was reviewed and reports it on the pull request', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const { merged, digest } = reviewed(stack);

    const result = await apply(stack, merged.mergeSha);

    expect(result.exitCode).toBe(0);
    expect(result.outputs['applied']).toBe('true');
    expect(result.outputs['failure-reason']).toBe('');
    expect(result.outputs['plan-digest']).toBe(digest);
    expect(stateOf(stack, 'app')).toEqual('bonjour');
    const outputs = JSON.parse(result.outputs['outputs-json'] ?? '{}') as Record<
      string,
      { value: unknown }
    >;
    expect(outputs['greeting']?.value).toBe('bonjour');
    // Sensitive outputs stay out unless asked for, and never appear in clear anywhere.
    expect(outputs['api_key']).toBeUndefined();
    expect(result.masks).toContain(SECRET);
    const comment = commentBody(merged.number);
    expect(comment).toContain(`**Applied at ${merged.mergeSha.slice(0, 7)} by run 4243**`);
    expect(result.summary).toContain('Terraform apply for `app`: applied');
    expect(result.stdout).toContain('[command]terraform apply');
    expect(everythingVisible(result, comment)).not.toContain(SECRET);
  });

  it('applies after the plan action reviewed the change on the pull request (two independent plans, one digest)', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const number = nextPull++;
    const headSha = fakeSha(`head-${number}`);
    const mergeSha = fakeSha(`merge-${number}`);
    github.addPullRequest(REPO, { number, headSha });
    const plan = await runAction({
      actionDir: planActionDir,
      event: pullRequestEvent({ number, headSha, repository: REPO }),
      token: github.writeToken,
      apiUrl: github.apiUrl,
      runId: 4242,
      env: stack.env,
      inputs: { 'working-directory': stack.dir, stack: STACK },
      timeoutMs: 90_000,
    });
    expect(plan.exitCode).toBe(0);
    expect(plan.outputs['plan-digest']).toMatch(/^[0-9a-f]{64}$/);
    // The pull request is merged; the push to main runs apply, which plans again.
    github.addPullRequest(REPO, {
      number: nextPull++,
      headSha: fakeSha('unrelated-open-pr'),
    });
    github.associateCommit(REPO, mergeSha, number);

    const result = await apply(stack, mergeSha);

    expect(result.outputs['failure-reason']).toBe('');
    expect(result.outputs['applied']).toBe('true');
    expect(result.outputs['plan-digest']).toBe(plan.outputs['plan-digest']);
    expect(commentBody(number)).toContain(`**Applied at ${mergeSha.slice(0, 7)} by run 4243**`);
  });

  it("on a pull_request event, takes the approved digest from that pull request's comment", async () => {
    const stack = cleanedUp(deployedStack());
    try {
      stack.edit('default = "hello"', 'default = "bonjour"');
      const { plan, digest } = stack.review();
      const number = nextPull++;
      const headSha = fakeSha(`head-${number}`);
      github.addPullRequest(REPO, { number, headSha });
      github.addComment(REPO, number, reviewComment(STACK, plan, digest, headSha));
      github.clearRequests();

      const result = await runAction({
        actionDir: applyActionDir,
        event: pullRequestEvent({ number, headSha, repository: REPO }),
        token: github.writeToken,
        apiUrl: github.apiUrl,
        env: stack.env,
        inputs: { 'working-directory': stack.dir, stack: STACK },
        timeoutMs: 90_000,
      });

      expect(result.outputs['failure-reason']).toBe('');
      expect(result.outputs['applied']).toBe('true');
      expect(result.outputs['plan-digest']).toBe(digest);
      // The pull request is known from the event: no commit-to-pull-request lookup.
      expect(github.requests.some((request) => request.path.includes('/commits/'))).toBe(false);
      expect(commentBody(number)).toContain('**Applied at');
    } finally {
      github.clearRequests();
    }
  });

  it('applies the plan-path the plan action saved on the push, as deploy.yml does', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const { merged, digest } = reviewed(stack);
    const plan = await planOnPush(stack, merged.mergeSha);
    try {
      expect(plan.exitCode).toBe(0);
      expect(plan.outputs['plan-digest']).toBe(digest);
      const result = await apply(stack, merged.mergeSha, {
        'plan-path': plan.outputs['plan-path'] ?? '',
      });
      expect(result.outputs['failure-reason']).toBe('');
      expect(result.outputs['applied']).toBe('true');
      expect(result.stdout).toContain(
        `[command]terraform apply -input=false -no-color -auto-approve -lock-timeout=10s ${plan.outputs['plan-path']}`,
      );
      expect(stateOf(stack, 'app')).toBe('bonjour');
    } finally {
      await plan.cleanup();
    }
  });

  it('verify-only checks the saved plan and applies nothing; the same plan-path is applied after (ADR 24: verify, then drain)', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const { merged, digest } = reviewed(stack);
    const plan = await planOnPush(stack, merged.mergeSha);
    try {
      const planPath = plan.outputs['plan-path'] ?? '';
      const before = stack.stateBytes();
      const commentBefore = commentBody(merged.number);

      const verify = await apply(stack, merged.mergeSha, {
        'plan-path': planPath,
        'verify-only': 'true',
      });

      expect(verify.exitCode).toBe(0);
      expect(verify.outputs['verified']).toBe('true');
      expect(verify.outputs['applied']).toBe('false');
      expect(verify.outputs['failure-reason']).toBe('');
      expect(verify.outputs['plan-digest']).toBe(digest);
      expect(verify.stdout).not.toContain('[command]terraform apply');
      expect(verify.summary).toContain('verified, not applied yet (verify-only)');
      expect(stack.stateBytes().equals(before)).toBe(true);
      // A pass is not posted: the apply step that follows posts the outcome.
      expect(commentBody(merged.number)).toBe(commentBefore);

      const applied = await apply(stack, merged.mergeSha, { 'plan-path': planPath });
      expect(applied.outputs['applied']).toBe('true');
      expect(applied.outputs['verified']).toBe('true');
      expect(stateOf(stack, 'app')).toBe('bonjour');
    } finally {
      await plan.cleanup();
    }
  });

  it('verify-only refuses a plan that is not the reviewed one, fails the step and posts the refusal', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const { merged } = reviewed(stack);
    stack.edit('default = "bonjour"', 'default = "hola"');
    const before = stack.stateBytes();

    const result = await apply(stack, merged.mergeSha, { 'verify-only': 'true' });

    expect(result.exitCode).toBe(1);
    expect(result.outputs['verified']).toBe('false');
    expect(result.outputs['failure-reason']).toBe('plan-changed');
    expect(stack.stateBytes().equals(before)).toBe(true);
    expect(commentBody(merged.number)).toContain('**Not applied: the plan changed after review');

    const orphan = await apply(stack, fakeSha('verify-pushed-directly'), {
      'verify-only': 'true',
    });
    expect(orphan.exitCode).toBe(1);
    expect(orphan.outputs['failure-reason']).toBe('no-approved-plan');
    expect(orphan.outputs['verified']).toBe('false');
  });

  it('refuses a bad verify-only value before anything runs', async () => {
    const stack = cleanedUp(deployedStack());
    const result = await apply(stack, fakeSha('verify-bad-input'), { 'verify-only': 'maybe' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toContain('verify-only');
    expect(result.stdout).not.toContain('[command]terraform');
  });

  it('refuses a configuration changed after review, shows the difference and leaves the state byte-identical', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const { merged, digest } = reviewed(stack);
    // Changed after the review: another value, a resource nobody reviewed, another secret.
    stack.edit('default = "bonjour"', 'default = "hola"');
    stack.edit('default = false', 'default = true');
    stack.edit(`default   = "${SECRET}"`, `default   = "${SECRET_AFTER_REVIEW}"`);
    const before = stack.stateBytes();

    const result = await apply(stack, merged.mergeSha);

    expect(result.exitCode).toBe(1);
    expect(result.outputs['applied']).toBe('false');
    expect(result.outputs['failure-reason']).toBe('plan-changed');
    expect(result.outputs['plan-digest']).not.toBe(digest);
    expect(stack.stateBytes().equals(before)).toBe(true);
    expect(result.stdout).not.toContain('[command]terraform apply');
    // The difference, by address and action, in the log and the summary.
    expect(result.stdout).toContain(
      'terraform_data.broken[0]: reviewed (not in the reviewed plan); now create',
    );
    // Same address, action and changed attributes (only its value changed): not listed.
    expect(result.stdout).not.toMatch(/^ {2}terraform_data\.app:/m);
    expect(result.stdout).toContain(
      '2 other changes have the same address, action and changed attributes as reviewed',
    );
    expect(result.summary).toContain(
      '| `terraform_data.broken[0]` | (not in the reviewed plan) | create |',
    );
    expect(result.summary).toContain(`approved plan-digest \`${digest}\``);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors.map((a) => a.message).join('\n')).toContain('not the plan that was reviewed');
    const comment = commentBody(merged.number);
    expect(comment).toMatch(
      /\*\*Not applied: the plan changed after review \(2 resources and 1 output differ, see run 4243\)\*\*/,
    );
    expect(result.stdout).toContain(
      'terraform_data.key: reviewed (not in the reviewed plan); now update: input, output',
    );
    expect(result.masks).toContain(SECRET_AFTER_REVIEW);
    const visible = everythingVisible(result, comment);
    expect(visible).not.toContain(SECRET_AFTER_REVIEW);
    expect(visible).not.toContain(SECRET);
  });

  it('with digest-key, refuses a sensitive value changed after review and applies the reviewed one', async () => {
    const stack = cleanedUp(deployedStack());
    const keyText = 'b7c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9';
    const key = digestKeyFrom(keyText);
    const REVIEWED_SECRET = 'sk-live-reviewed-3c8e0a';
    stack.edit(`default   = "${SECRET}"`, `default   = "${REVIEWED_SECRET}"`);
    const { plan, digest } = stack.review('review.tfplan', key);
    const number = nextPull;
    const { mergeSha } = mergedPullRequest(
      reviewComment(STACK, plan, digest, fakeSha(`head-${number}`), key),
    );
    // Changed again after review: the same address, action and attribute, another secret.
    stack.edit(`default   = "${REVIEWED_SECRET}"`, `default   = "${SECRET_AFTER_REVIEW}"`);
    const before = stack.stateBytes();

    const changed = await apply(stack, mergeSha, { 'digest-key': keyText });

    expect(changed.outputs['failure-reason']).toBe('plan-changed');
    expect(changed.outputs['plan-digest']).not.toBe(digest);
    expect(stack.stateBytes().equals(before)).toBe(true);
    expect(changed.stdout).not.toContain('[command]terraform apply');
    expect(changed.masks).toContain(keyText);
    expect(changed.annotations.filter((a) => a.level === 'warning')).toEqual([]);
    const visible = everythingVisible(changed, commentBody(number));
    for (const secret of [keyText, REVIEWED_SECRET, SECRET_AFTER_REVIEW])
      expect(visible).not.toContain(secret);

    // Without the key the comment's digest cannot be checked: refused, saying why.
    stack.edit(`default   = "${SECRET_AFTER_REVIEW}"`, `default   = "${REVIEWED_SECRET}"`);
    const unkeyed = await apply(stack, mergeSha);
    expect(unkeyed.outputs['failure-reason']).toBe('no-approved-plan');
    expect(unkeyed.annotations.find((a) => a.level === 'error')?.message).toContain(
      `its plan-digest for stack 'app' was made with digest-key ${key.id}, but this run has without a digest-key: give the plan and apply steps the same digest-key secret`,
    );
    expect(unkeyed.annotations.find((a) => a.level === 'warning')?.message).toContain(
      'digest-key is empty',
    );
    expect(stack.stateBytes().equals(before)).toBe(true);

    // The reviewed secret, with the key: applied.
    const applied = await apply(stack, mergeSha, { 'digest-key': keyText });
    expect(applied.outputs['failure-reason']).toBe('');
    expect(applied.outputs['applied']).toBe('true');
    expect(applied.outputs['plan-digest']).toBe(digest);
  });

  it('reports no invented difference when only values changed, with for_each keys too long to show whole', async () => {
    const stack = cleanedUp(deployedStack());
    // Two policy ARNs longer than a code span shows whole, differing only in the middle.
    const arn = (env: string) =>
      `arn:aws:iam::123456789012:policy/${'team-platform-'.repeat(50)}${env}${'-shared-baseline'.repeat(50)}`;
    const policies = (prod: string, staging: string) =>
      `default = { "${arn('prod')}" = "${prod}", "${arn('staging')}" = "${staging}" }`;
    stack.edit('default = {}', policies('v1', 'v1'));
    stack.tf(['apply', '-auto-approve', '-input=false', '-no-color']);
    stack.edit(policies('v1', 'v1'), policies('v2', 'v2'));
    const { merged, digest } = reviewed(stack);
    // After review only the values change again: same addresses, same actions.
    stack.edit(policies('v2', 'v2'), policies('v3', 'v2'));
    const before = stack.stateBytes();

    const result = await apply(stack, merged.mergeSha);

    expect(result.outputs['failure-reason']).toBe('plan-changed');
    expect(result.outputs['plan-digest']).not.toBe(digest);
    expect(stack.stateBytes().equals(before)).toBe(true);
    const explanation = `${visibleLog(result.stdout)}\n${result.summary}`;
    expect(explanation).toContain(
      'The plan made now has the same addresses, actions and changed attributes as the reviewed plan: only planned values differ.',
    );
    expect(explanation).not.toMatch(/not in the reviewed plan|not planned now|resources? differs?/);
    expect(commentBody(merged.number)).toContain(
      '**Not applied: the plan changed after review (planned values differ, see run 4243)**',
    );
  });

  it('explains a changed plan without a listing when the reviewed comment predates it', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const { plan, digest } = stack.review();
    // A comment as an older plan action wrote it: marker and meta line, no listing line.
    const old = reviewComment(STACK, plan, digest, fakeSha(`head-${nextPull}`))
      .split('\n')
      .filter((line) => !line.startsWith('<!-- multicloud:plan-listing'))
      .join('\n');
    const { number, mergeSha } = mergedPullRequest(old);
    stack.edit('default = "bonjour"', 'default = "hola"');

    const result = await apply(stack, mergeSha);

    expect(result.outputs['failure-reason']).toBe('plan-changed');
    expect(result.stdout).toContain(
      'Reviewed listing unavailable: the plan comment carries no machine-readable listing (it was written by an older version of the plan action',
    );
    expect(result.stdout).toContain('  terraform_data.app: update: input, output');
    expect(result.summary).toContain('| `terraform_data.app` | update: `input`, `output` |');
    expect(commentBody(number)).toContain(
      '**Not applied: the plan changed after review (reviewed listing unavailable, see run 4243)**',
    );
  });

  it('refuses a stale saved plan (plan-path) and applies nothing', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const { digest, planFile } = stack.review('saved.tfplan');
    // The state changes after the plan was saved (another apply), so Terraform refuses it.
    stack.tf([
      'apply',
      '-auto-approve',
      '-input=false',
      '-no-color',
      '-replace=terraform_data.hold',
      '-target=terraform_data.hold',
    ]);
    const before = stack.stateBytes();
    const { mergeSha } = mergedPullRequest();

    const result = await apply(stack, mergeSha, {
      'plan-path': planFile,
      'expected-plan-digest': digest,
    });

    expect(result.outputs['failure-reason']).toBe('stale-plan');
    expect(result.outputs['applied']).toBe('false');
    expect(result.outputs['plan-digest']).toBe(digest);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('is stale');
    expect(stack.stateBytes().equals(before)).toBe(true);
    expect(stateOf(stack, 'app')).toEqual('hello');
  });

  describe('state lock held by another process', () => {
    /** `terraform apply` replacing only terraform_data.hold, whose provisioner sleeps. */
    async function holdLock(stack: StackScenario, seconds: number) {
      const holder = spawn(
        'terraform',
        [
          'apply',
          '-auto-approve',
          '-input=false',
          '-no-color',
          '-replace=terraform_data.hold',
          '-target=terraform_data.hold',
          `-var=hold_seconds=${seconds}`,
        ],
        { cwd: stack.dir, env: { ...process.env, ...stack.env }, stdio: 'ignore' },
      );
      const done = new Promise<number | null>((resolve) => holder.on('close', resolve));
      const lockFile = join(stack.dir, '.terraform.tfstate.lock.info');
      for (let i = 0; i < 200 && !existsSync(lockFile); i++) await sleep(50);
      const info = JSON.parse(readFileSync(lockFile, 'utf8')) as { ID: string; Who: string };
      return { done, info };
    }

    it('waits lock-timeout, then fails naming the holder', async () => {
      const stack = cleanedUp(deployedStack());
      stack.edit('default = "hello"', 'default = "bonjour"');
      const { merged } = reviewed(stack);
      const { done, info } = await holdLock(stack, 12);
      try {
        const result = await apply(stack, merged.mergeSha, { 'lock-timeout': '3s' });
        expect(result.outputs['failure-reason']).toBe('state-locked');
        expect(result.outputs['applied']).toBe('false');
        const failure = result.annotations.find((a) => a.level === 'error')?.message ?? '';
        expect(failure).toContain(info.Who);
        expect(failure).toContain(info.ID);
        expect(failure).toContain('waited 3s');
        expect(commentBody(merged.number)).toContain(
          `**Not applied: the state is locked by ${info.Who}`,
        );
      } finally {
        // Killing the holder could orphan its provisioner's sleep: let it finish.
        await done;
      }
      expect(stateOf(stack, 'app')).toEqual('hello');
    });

    it('applies once the lock is released within lock-timeout', async () => {
      const stack = cleanedUp(deployedStack());
      stack.edit('default = "hello"', 'default = "bonjour"');
      const { merged, digest } = reviewed(stack);
      const { done } = await holdLock(stack, 3);
      try {
        const result = await apply(stack, merged.mergeSha, { 'lock-timeout': '30s' });
        expect(result.outputs['failure-reason']).toBe('');
        expect(result.outputs['applied']).toBe('true');
        expect(result.outputs['plan-digest']).toBe(digest);
      } finally {
        await done;
      }
      expect(stateOf(stack, 'app')).toEqual('bonjour');
    });
  });

  it('skips terraform apply when the plan has no changes', async () => {
    const stack = cleanedUp(deployedStack());
    const { merged, digest } = reviewed(stack);
    const before = stack.stateBytes();

    const result = await apply(stack, merged.mergeSha);

    expect(result.exitCode).toBe(0);
    expect(result.outputs['applied']).toBe('false');
    expect(result.outputs['failure-reason']).toBe('');
    expect(result.outputs['plan-digest']).toBe(digest);
    expect(result.stdout).not.toContain('[command]terraform apply');
    expect(stack.stateBytes().equals(before)).toBe(true);
    expect(commentBody(merged.number)).toContain('**No changes to apply at');
  });

  it('refuses an older marker comment by another user carrying the digest of the plan it would apply', async () => {
    const stack = cleanedUp(deployedStack());
    // Mallory's plan: the merged code plans this; nobody reviewed it (the bot's plan failed).
    stack.edit('default = "hello"', 'default = "bonjour"');
    const { plan, digest } = stack.review();
    const number = nextPull;
    const forgedBody = reviewComment(STACK, plan, digest, fakeSha(`head-${number}`));
    const { mergeSha } = mergedPullRequest();
    const mallory = createGitHubClient({ token: MALLORY_TOKEN, apiUrl: github.apiUrl });
    const { data: forged } = await mallory.rest.issues.createComment({
      owner: 'Codertocat',
      repo: 'Hello-World',
      issue_number: number,
      body: forgedBody,
    });
    github.addComment(
      REPO,
      number,
      `<!-- multicloud:plan stack=${STACK} -->\n<!-- multicloud:plan-meta digest=none commit=${fakeSha(`head-${number}`)} outcome=failed -->\n### Plan failed\n<!-- multicloud:status -->\n`,
    );
    const before = stack.stateBytes();

    const result = await apply(stack, mergeSha);

    expect(result.exitCode).toBe(1);
    expect(result.outputs['applied']).toBe('false');
    expect(result.outputs['failure-reason']).toBe('no-approved-plan');
    const failure = result.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(failure).toContain(`#${number}: its plan comment for stack 'app' shows no plan-digest`);
    expect(failure).toContain(
      '1 marker comment by mallory ignored (only comments by github-actions[bot], the comment-author, count)',
    );
    expect(result.stdout).not.toContain('[command]terraform');
    expect(stack.stateBytes().equals(before)).toBe(true);
    // Her comment is not touched: no status line written into it.
    const stored = github.comments(REPO, number).find((comment) => comment.id === forged.id);
    expect(stored?.body).toBe(forgedBody);
    expect(stored?.user).toBe('mallory');
  });

  it("refuses the bot's comment when it planned another commit than the merged head", async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const { plan, digest } = stack.review();
    // The comment shows the plan of an earlier push; the last push was never planned.
    const earlier = fakeSha(`earlier-push-${nextPull}`);
    const { number, mergeSha } = mergedPullRequest(reviewComment(STACK, plan, digest, earlier));
    const before = stack.stateBytes();

    const result = await apply(stack, mergeSha);

    expect(result.outputs['failure-reason']).toBe('no-approved-plan');
    expect(result.outputs['applied']).toBe('false');
    const failure = result.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(failure).toContain(
      `#${number}: its plan comment for stack 'app' is the plan of commit ${earlier.slice(0, 7)}, but the pull request's head was ${fakeSha(`head-${number}`).slice(0, 7)} when it was merged`,
    );
    expect(result.stdout).not.toContain('[command]terraform');
    expect(stack.stateBytes().equals(before)).toBe(true);
    expect(commentBody(number)).toContain('**Not applied: no approved plan was found');
  });

  it('refuses when no approved plan exists, naming the pull request and stack searched', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const before = stack.stateBytes();
    const withoutComment = mergedPullRequest();
    const result = await apply(stack, withoutComment.mergeSha);
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toBe('no-approved-plan');
    const failure = result.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(failure).toContain(`#${withoutComment.number}`);
    expect(failure).toContain(`stack '${STACK}'`);
    expect(result.stdout).not.toContain('[command]terraform');

    const orphan = await apply(stack, fakeSha('pushed-directly'));
    expect(orphan.outputs['failure-reason']).toBe('no-approved-plan');
    expect(orphan.annotations.find((a) => a.level === 'error')?.message).toContain(
      'belongs to no pull request',
    );
    expect(stack.stateBytes().equals(before)).toBe(true);
  });

  it('retries a GitHub 5xx answer, and warns (not fails) when the token cannot write the status', async () => {
    const stack = cleanedUp(deployedStack());
    const { merged } = reviewed(stack);
    const fault = github.injectServerError({
      status: 502,
      method: 'GET',
      path: '/repos/:o/:r/commits/:sha/pulls',
      times: 1,
    });
    const result = await runAction({
      actionDir: applyActionDir,
      event: pushEvent({ after: merged.mergeSha, ref: 'refs/heads/main' }),
      token: github.readToken,
      apiUrl: github.apiUrl,
      env: stack.env,
      inputs: { 'working-directory': stack.dir, stack: STACK },
      timeoutMs: 90_000,
    });
    github.clearFaults();
    expect(fault.hits).toBe(1);
    expect(result.exitCode).toBe(0);
    expect(result.outputs['failure-reason']).toBe('');
    const pullLookups = github.requests.filter((request) =>
      request.path.includes(`/commits/${merged.mergeSha}/pulls`),
    );
    expect(pullLookups.map((request) => request.status)).toEqual([502, 200]);
    const warnings = result.annotations.filter((a) => a.level === 'warning');
    expect(warnings.map((a) => a.message).join('\n')).toContain('read-only token');
    expect(commentBody(merged.number)).not.toContain('No changes to apply');
  });

  it('includes sensitive outputs only when asked, masked and never in clear', async () => {
    const stack = cleanedUp(deployedStack());
    const { merged } = reviewed(stack);
    const result = await apply(stack, merged.mergeSha, { 'include-sensitive-outputs': 'true' });
    expect(result.exitCode).toBe(0);
    const outputs = JSON.parse(result.outputs['outputs-json'] ?? '{}') as Record<
      string,
      { value: unknown; sensitive: boolean }
    >;
    expect(outputs['api_key']).toEqual({ sensitive: true, type: 'string', value: SECRET });
    expect(result.masks).toContain(SECRET);
    // Only outputs-json holds it (asked for, and masked by the runner wherever it is shown).
    expect(everythingVisible(result, commentBody(merged.number), false)).not.toContain(SECRET);
  });

  it('still reports a successful apply when terraform output fails after it', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = "hello"', 'default = "bonjour"');
    const { merged } = reviewed(stack);
    // The real terraform for every command but `output`, which fails as a broken backend would.
    const realTerraform = execFileSync('sh', ['-c', 'command -v terraform'], {
      encoding: 'utf8',
    }).trim();
    const bin = join(stack.root, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'terraform'),
      `#!/bin/sh\nif [ "$1" = output ]; then echo "Error: backend unreachable" >&2; exit 1; fi\nexec '${realTerraform}' "$@"\n`,
      { mode: 0o755 },
    );

    const result = await apply(
      stack,
      merged.mergeSha,
      {},
      {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
      },
    );

    expect(result.exitCode).toBe(0);
    expect(result.outputs['applied']).toBe('true');
    expect(result.outputs['outputs-json']).toBe('{}');
    expect(stateOf(stack, 'app')).toEqual('bonjour');
    const warnings = result.annotations.filter((a) => a.level === 'warning');
    expect(warnings.map((a) => a.message).join('\n')).toContain(
      "Could not read the outputs of stack 'app' (terraform output failed)",
    );
    expect(commentBody(merged.number)).toContain(`**Applied at ${merged.mergeSha.slice(0, 7)}`);
  });

  it('passes a cancelled job on to Terraform, which stops gracefully: lock released, state written', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit(
      'variable "slow_seconds" {\n  type    = number\n  default = 0',
      'variable "slow_seconds" {\n  type    = number\n  default = 60',
    );
    const { merged } = reviewed(stack);
    const { child, result } = await startAction({
      actionDir: applyActionDir,
      event: pushEvent({ after: merged.mergeSha, ref: 'refs/heads/main' }),
      token: github.writeToken,
      apiUrl: github.apiUrl,
      env: stack.env,
      inputs: { 'working-directory': stack.dir, stack: STACK, 'lock-timeout': '10s' },
      timeoutMs: 90_000,
    });
    // As GitHub cancels a step: SIGINT to the action's node process only, once Terraform
    // is in the middle of the apply (its provisioner sleeps for a minute).
    let seen = '';
    await new Promise<void>((resolve) =>
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('[command]terraform apply')) resolve();
      }),
    );
    const lockFile = join(stack.dir, '.terraform.tfstate.lock.info');
    for (let i = 0; i < 200 && !existsSync(lockFile); i++) await sleep(50);
    await sleep(1_000);
    const cancelledAt = Date.now();
    child.kill('SIGINT');
    const cancelled = await result;

    // Node waited for Terraform, which stopped at once and wrote what it had done.
    expect(cancelled.signal).toBeNull();
    expect(Date.now() - cancelledAt).toBeLessThan(30_000);
    expect(existsSync(lockFile)).toBe(false);
    const state = JSON.parse(stack.stateBytes().toString('utf8')) as {
      resources: { name: string; instances: { status?: string }[] }[];
    };
    expect(state.resources.find((r) => r.name === 'slow')?.instances[0]?.status).toBe('tainted');
    expect(cancelled.outputs['failure-reason']).toBe('apply-failed');
    const errors = cancelled.annotations.filter((a) => a.level === 'error');
    expect(errors.map((a) => a.message).join('\n')).toContain('execution halted');
    expect(commentBody(merged.number)).toContain('**Apply failed at');
  });

  it('reports an apply error as apply-failed with Terraform error as an annotation', async () => {
    const stack = cleanedUp(deployedStack());
    stack.edit('default = false', 'default = true');
    const { merged, digest } = reviewed(stack);
    const result = await apply(stack, merged.mergeSha);
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toBe('apply-failed');
    expect(result.outputs['plan-digest']).toBe(digest);
    const messages = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(messages.join('\n')).toContain('deploy target refused the change');
    expect(commentBody(merged.number)).toContain('**Apply failed at');
    // As Terraform left it: the object whose provisioner failed is kept, tainted.
    const state = JSON.parse(stack.stateBytes().toString('utf8')) as {
      resources: { name: string; instances: { status?: string }[] }[];
    };
    const broken = state.resources.find((resource) => resource.name === 'broken');
    expect(broken?.instances[0]?.status).toBe('tainted');
  });
});
