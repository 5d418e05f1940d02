/**
 * The plan action end to end: its dist/ bundle run as the GitHub runner runs it, real
 * Terraform on terraform_data fixtures, and the GitHub REST stand-in.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startGitHubStandIn,
  type GitHubStandIn,
} from '../../../stand-ins/src/github/github-stand-in.js';
import { runAction, type ActionResult } from '../../../test-bench/src/action-runner.js';
import { pullRequestEvent } from '../../../test-bench/src/github-events.js';
import {
  digestKeyFrom,
  parsePlan,
  parsePlanComment,
  planDigest,
  planMarker,
} from '../../shared/src/plan/index.js';
import type { RisksOutput } from '../../shared/src/risk/index.js';
import {
  terraformAvailable,
  terraformFixture,
  type TerraformFixture,
} from '../../shared/test/terraform/terraform-fixture.js';

const actionDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = 'Codertocat/Hello-World';
const headSha = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const ready = terraformAvailable();
const describeReady = ready ? describe : describe.skip;

let github: GitHubStandIn;
let fixture: TerraformFixture;
let pull: number;

beforeAll(async () => {
  if (ready) github = await startGitHubStandIn();
});
afterAll(async () => {
  await github?.close();
});
beforeEach(() => {
  if (!ready) return;
  fixture = terraformFixture('changes');
  pull = github.addPullRequest(repo, { headSha }).number;
  github.clearFaults();
  github.clearRequests();
});

async function plan(
  inputs: Record<string, string> = {},
  options: { token?: string; fromFork?: string; keepTemp?: boolean } = {},
): Promise<ActionResult> {
  return runAction({
    actionDir,
    inputs: { 'working-directory': 'stack', stack: 'app', ...inputs },
    token: options.token ?? github.writeToken,
    event: pullRequestEvent({
      number: pull,
      headSha,
      ...(options.fromFork ? { fromFork: options.fromFork } : {}),
    }),
    apiUrl: github.apiUrl,
    runId: 4242,
    workspace: dirname(fixture.dir),
    env: fixture.env,
    keepTemp: options.keepTemp ?? false,
  });
}

function planComments(): string[] {
  return github
    .comments(repo, pull)
    .map((comment) => comment.body)
    .filter((body) => body.startsWith(planMarker('app')));
}

describeReady('plan action end to end', () => {
  afterEach(() => fixture.cleanup());

  it('leaves one comment after two runs, updated in place, with outputs that match the plan', async () => {
    const first = await plan({}, { keepTemp: true });
    try {
      expect(first.exitCode).toBe(0);
      expect(first.outputs).toMatchObject({
        'has-changes': 'true',
        add: '7',
        change: '0',
        replace: '0',
        destroy: '0',
      });
      const planJson = readFileSync(first.outputs['plan-json-path'] as string, 'utf8');
      expect(first.outputs['plan-digest']).toBe(planDigest(parsePlan(planJson)));
      expect(first.outputs['plan-path']?.startsWith(first.runnerTemp)).toBe(true);
      expect(first.outputs['comment-url']).toMatch(
        /^https:\/\/github\.com\/Codertocat\/Hello-World\/pull\/\d+#issuecomment-\d+$/,
      );
    } finally {
      await first.cleanup();
    }
    expect(planComments()).toHaveLength(1);
    const firstId = github.comments(repo, pull)[0]?.id;

    writeFileSync(join(fixture.dir, 'next.tfvars'), 'keep_value = "two"\nextra_count = 3\n');
    const second = await plan({ 'var-files': 'next.tfvars' });
    expect(second.exitCode).toBe(0);
    expect(second.outputs['add']).toBe('9');
    const comments = github.comments(repo, pull);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.id).toBe(firstId);
    const body = comments[0]?.body ?? '';
    expect(body).toContain(
      '### Terraform plan for `app`: 9 to add, 0 to change, 0 to replace, 0 to destroy, 2 output changes',
    );
    expect(body).toContain(`commit \`${headSha.slice(0, 7)}\``);
    expect(body).toContain(
      '[run 4242](https://github.com/Codertocat/Hello-World/actions/runs/4242)',
    );
    expect(body).toMatch(/Terraform \d+\.\d+\.\d+/);
    expect(parsePlanComment(body)).toMatchObject({
      digest: second.outputs['plan-digest'],
      commit: headSha,
      outcome: 'changes',
    });
    expect(second.summary).toContain('### Terraform plan for `app`: 9 to add');
  });

  it("never edits or deletes another user's marker comment, and posts its own beside it", async () => {
    const mallory = { login: 'mallory', id: 7, type: 'User' as const };
    const forgedBody = `${planMarker('app')}\n<!-- multicloud:plan-meta digest=${'e'.repeat(64)} commit=${headSha} outcome=changes -->\n### Terraform plan for \`app\`: 0 to add`;
    const forged = github.addComment(repo, pull, forgedBody, mallory);

    const first = await plan();
    const second = await plan();

    expect([first.exitCode, second.exitCode]).toEqual([0, 0]);
    const comments = github.comments(repo, pull);
    expect(comments.map((comment) => comment.user)).toEqual(['mallory', 'github-actions[bot]']);
    expect(comments[0]).toEqual(forged);
    expect(parsePlanComment(comments[1]?.body ?? '').digest).toBe(second.outputs['plan-digest']);
    const touched = github.requests.filter(
      (request) => request.method !== 'GET' && request.path.endsWith(`/comments/${forged.id}`),
    );
    expect(touched).toEqual([]);
  });

  it('fails, naming comment-author, when the token posts as someone else', async () => {
    const result = await plan({ 'comment-author': 'plan-app[bot]' });
    expect(result.exitCode).toBe(1);
    const failure = result.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(failure).toContain(
      "The plan comment of stack app was written as 'github-actions[bot]', but comment-author is 'plan-app[bot]'",
    );
    expect(failure).toContain('Set comment-author: github-actions[bot]');
    // The comment it could never find again is taken back.
    expect(planComments()).toEqual([]);
  });

  it('digests sensitive values under digest-key, names the key by its id only, and warns without one', async () => {
    const keyText = '5e4d3c2b1a09f8e7d6c5b4a392817065f4e3d2c1b0a99887';
    const keyed = await plan({ 'digest-key': keyText }, { keepTemp: true });
    try {
      expect(keyed.exitCode).toBe(0);
      const model = parsePlan(readFileSync(keyed.outputs['plan-json-path'] as string, 'utf8'));
      const key = digestKeyFrom(keyText);
      expect(keyed.outputs['plan-digest']).toBe(planDigest(model, key));
      expect(keyed.outputs['plan-digest']).not.toBe(planDigest(model));
      expect(parsePlanComment(planComments()[0] ?? '')).toMatchObject({
        digest: keyed.outputs['plan-digest'],
        digestKeyId: key.id,
      });
      expect(keyed.masks).toContain(keyText);
      expect(keyed.annotations.filter((a) => a.level === 'warning')).toEqual([]);
      const shown = [
        keyed.stdout.replace(/^::add-mask::.*$/gm, ''),
        keyed.summary,
        planComments()[0],
        JSON.stringify(keyed.outputs),
      ];
      for (const text of shown) expect(text).not.toContain(keyText);
    } finally {
      await keyed.cleanup();
    }

    const unkeyed = await plan();
    const warnings = unkeyed.annotations.filter((a) => a.level === 'warning');
    expect(warnings.map((a) => a.message)).toEqual([
      expect.stringContaining(
        'digest-key is empty: a sensitive value changed after review does not change the plan-digest',
      ) as unknown as string,
    ]);
    expect(parsePlanComment(planComments()[0] ?? '').digestKeyId).toBe('none');

    const short = await plan({ 'digest-key': 'too-short-to-be-a-key' });
    expect(short.exitCode).toBe(1);
    expect(short.annotations.find((a) => a.level === 'error')?.message).toContain(
      "Input 'digest-key': must be a secret of at least 32 characters",
    );
    expect(short.stdout + short.stderr).not.toContain('too-short-to-be-a-key');
  });

  it('never shows a sensitive value, and masks it in the log', async () => {
    writeFileSync(join(fixture.dir, 'secret.tfvars'), 'db_password = "s3cr3t-from-tfvars-77"\n');
    const result = await plan({ 'var-files': 'secret.tfvars' });
    expect(result.exitCode).toBe(0);
    expect(result.masks).toContain('s3cr3t-from-tfvars-77');
    const body = planComments()[0] ?? '';
    expect(body).toContain('| `password` | create | (sensitive) |');
    for (const text of [body, result.summary, ...Object.values(result.outputs)]) {
      expect(text).not.toContain('s3cr3t-from-tfvars-77');
      expect(text).not.toContain('initial-password-4f1c');
    }
  });

  it('warns instead of failing when the token is read-only (a pull request from a fork)', async () => {
    const result = await plan({}, { token: github.readToken, fromFork: 'forker/Hello-World' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['has-changes']).toBe('true');
    expect(result.outputs['plan-digest']).toMatch(/^[0-9a-f]{64}$/);
    expect(result.outputs['comment-url']).toBeUndefined();
    expect(result.summary).toContain('### Terraform plan for `app`');
    // A fork's run gets no secret either: no digest-key, said once.
    const warnings = result.annotations.filter((annotation) => annotation.level === 'warning');
    expect(warnings.map((warning) => warning.message)).toEqual([
      expect.stringContaining('digest-key is empty') as unknown as string,
      expect.stringContaining('No plan comment on pull request #') as unknown as string,
    ]);
    expect(warnings[1]?.message).toContain(
      'a pull request from a fork gets a read-only GITHUB_TOKEN',
    );
    expect(github.comments(repo, pull)).toHaveLength(0);
  });

  it('retries a secondary rate limit and still posts the comment', async () => {
    github.injectSecondaryRateLimit({
      method: 'POST',
      path: '/repos/:o/:r/issues/:n/comments',
      retryAfterSeconds: 1,
    });
    const result = await plan();
    expect(result.exitCode).toBe(0);
    expect(planComments()).toHaveLength(1);
    const posts = github.requests.filter(
      (request) => request.method === 'POST' && request.path.endsWith('/comments'),
    );
    expect(posts.map((request) => request.status)).toEqual([403, 201]);
  });

  it('fails on a Terraform error with its text as an annotation, and the comment says so', async () => {
    writeFileSync(
      join(fixture.dir, 'broken.tf'),
      'resource "terraform_data" "broken" {\n  input = terraform_data.missing.output\n}\n',
    );
    const result = await plan();
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((annotation) => annotation.level === 'error');
    expect(errors[0]).toMatchObject({ title: 'terraform plan failed for stack app' });
    expect(errors[0]?.message).toContain('Error: Reference to undeclared resource');
    expect(errors[1]?.message).toBe(
      'terraform plan failed (exit code 1): Error: Reference to undeclared resource',
    );
    const body = planComments()[0] ?? '';
    expect(body).toContain('### Terraform plan for `app`: failed');
    expect(body).toContain('A managed resource "terraform_data" "missing" has not been declared');
    expect(parsePlanComment(body).outcome).toBe('failed');
    expect(result.stderr + result.stdout).not.toMatch(/at .*\.js:\d+:\d+/);
  });

  it('keeps a backend-config value that Terraform quotes in its error out of the comment and summary', async () => {
    writeFileSync(join(fixture.dir, 'backend.tf'), 'terraform {\n  backend "local" {}\n}\n');
    writeFileSync(join(fixture.dir, 'not-a-folder'), '');
    const secret = 'sig=backend-credential-7c1e';
    const result = await plan({
      'backend-config': `path=${join(fixture.dir, 'not-a-folder', secret, 'state.tfstate')}`,
    });
    expect(result.exitCode).toBe(1);
    const body = planComments()[0] ?? '';
    expect(body).toContain('### Terraform plan for `app`: failed');
    expect(body).toContain('Error refreshing state: open (sensitive): not a directory');
    for (const text of [body, result.summary]) expect(text).not.toContain(secret);
    expect(result.masks.some((mask) => mask.includes(secret))).toBe(true);
  });

  it('refuses a bad input before running anything, naming the input', async () => {
    const result = await plan({ mode: 'apply' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.map((annotation) => annotation.message)).toEqual([
      "Input 'mode': must be one of plan, drift; got 'apply'.",
    ]);
    expect(github.requests).toHaveLength(0);
    const missing = await plan({ 'working-directory': 'nowhere' });
    expect(missing.annotations[0]?.message).toContain(
      "Input 'working-directory': 'nowhere' is not a directory",
    );
  });

  it("adds a user's risk class to terraform_data: the risks output and the comment's risk list", async () => {
    writeFileSync(
      join(dirname(fixture.dir), 'risk-rules.yml'),
      [
        'classes:',
        '  - id: cost',
        '    title: Cost',
        'rules:',
        '  - class: cost',
        '    types: [terraform_data]',
        '    actions: [create]',
        '',
      ].join('\n'),
    );
    const result = await plan({ 'risk-rules': 'risk-rules.yml', cloud: 'azure' });
    expect(result.exitCode).toBe(0);
    const risks = JSON.parse(result.outputs['risks'] ?? '') as RisksOutput;
    expect(risks.classes).toEqual(['cost']);
    expect(risks.counts).toEqual({ 'data-loss': 0, traffic: 0, access: 0, cost: 7 });
    expect(risks.resources['cost']).toContain('terraform_data.keep');
    expect(risks.resources['cost']).toContain('module.app.terraform_data.service');
    const body = planComments()[0] ?? '';
    expect(body).toContain(
      '### Terraform plan for `app` (Azure cell): 7 to add, 0 to change, 0 to replace, 0 to destroy, 2 output changes; the rollout drains Azure to apply it',
    );
    expect(body).toContain('**Risks**: data loss 0 · traffic 0 · access 0 · cost 7');
    expect(body).toContain('  - `terraform_data.keep`: create');
    expect(result.summary).toContain('**Risks**: data loss 0 · traffic 0 · access 0 · cost 7');
  });

  it('refuses a bad risk-rules file before running terraform, naming the input and the form', async () => {
    writeFileSync(join(dirname(fixture.dir), 'risk-rules.json'), '{"rules": [{"class": "cost"}]}');
    const result = await plan({ 'risk-rules': 'risk-rules.json' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations).toHaveLength(1);
    const message = result.annotations[0]?.message ?? '';
    expect(message).toContain(
      "Input 'risk-rules': risk-rules.json: rules[0].class: 'cost' is not a known class",
    );
    expect(message).toContain('Expected a YAML or JSON file with `rules:`');
    expect(result.outputs['plan-path']).toBeUndefined();
    expect(github.requests).toHaveLength(0);
  });
});
