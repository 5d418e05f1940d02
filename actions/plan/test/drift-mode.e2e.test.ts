/**
 * Drift mode end to end: real Terraform (a change outside Terraform simulated by editing the
 * state with state pull/push), the action's bundle, and the GitHub stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startGitHubStandIn,
  type GitHubStandIn,
} from '../../../stand-ins/src/github/github-stand-in.js';
import { runAction, type ActionResult } from '../../../test-bench/src/action-runner.js';
import { workflowDispatchEvent } from '../../../test-bench/src/github-events.js';
import { createGitHubClient } from '../../shared/src/github/index.js';
import { driftMarker } from '../../shared/src/plan/index.js';
import {
  editStateInput,
  terraformAvailable,
  terraformFixture,
  terraformSync,
  type TerraformFixture,
} from '../../shared/test/terraform/terraform-fixture.js';

const actionDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = 'octo-org/octo-repo';
const ready = terraformAvailable();
const describeReady = ready ? describe : describe.skip;

let github: GitHubStandIn;
const fixtures: TerraformFixture[] = [];
let runNumber = 5100;

function appliedFixture(): TerraformFixture {
  const fixture = terraformFixture('changes');
  fixtures.push(fixture);
  terraformSync(fixture, ['init', '-input=false']);
  terraformSync(fixture, ['apply', '-auto-approve', '-input=false']);
  return fixture;
}

async function checkDrift(fixture: TerraformFixture, stack: string): Promise<ActionResult> {
  runNumber++;
  return runAction({
    actionDir,
    inputs: { 'working-directory': 'stack', stack, mode: 'drift' },
    token: github.writeToken,
    event: workflowDispatchEvent(),
    apiUrl: github.apiUrl,
    runId: runNumber,
    workspace: dirname(fixture.dir),
    env: fixture.env,
  });
}

function issuesOf(stack: string) {
  return github.issues(repo).filter((issue) => issue.body?.startsWith(driftMarker(stack)));
}

beforeAll(async () => {
  if (ready) github = await startGitHubStandIn();
});
afterAll(async () => {
  await github?.close();
  for (const fixture of fixtures) fixture.cleanup();
});

describeReady('drift mode end to end', () => {
  it('keeps exactly one issue true through drift, change, repair and drift again', async () => {
    const fixture = appliedFixture();

    const clean = await checkDrift(fixture, 'global');
    expect(clean.exitCode).toBe(0);
    expect(clean.outputs).toMatchObject({ drift: 'false', 'has-changes': 'false' });
    expect(clean.summary).toContain('### No drift in stack `global`');
    expect(issuesOf('global')).toHaveLength(0);

    editStateInput(fixture, 'terraform_data', 'keep', 'changed-outside');
    const first = await checkDrift(fixture, 'global');
    expect(first.exitCode).toBe(0);
    expect(first.outputs['drift']).toBe('true');
    const number = Number(first.outputs['drift-issue-number']);
    let [issue] = issuesOf('global');
    expect(issue).toMatchObject({
      number,
      title: 'Drift: stack global',
      state: 'open',
      labels: ['drift'],
    });
    expect(issue?.body).toContain('#### In the code but not applied (');
    expect(issue?.body).toContain('| `terraform_data.keep` | update: `input`, `output` |');
    expect(issue?.body).toContain(
      `([run ${runNumber}](https://github.com/octo-org/octo-repo/actions/runs/${runNumber}))`,
    );
    expect(issue?.comments).toHaveLength(0);

    // A person renames the issue: the marker still finds it.
    await createGitHubClient({
      token: github.writeToken,
      apiUrl: github.apiUrl,
    }).rest.issues.update({
      owner: 'octo-org',
      repo: 'octo-repo',
      issue_number: number,
      title: 'global stack is off, looking into it',
    });
    const second = await checkDrift(fixture, 'global');
    expect(second.outputs['drift-issue-number']).toBe(String(number));
    [issue] = issuesOf('global');
    expect(issue?.comments).toHaveLength(0);
    expect(issue?.body).toContain(`[run ${runNumber}]`);

    editStateInput(fixture, 'terraform_data', 'replace_me', 'changed-too');
    const third = await checkDrift(fixture, 'global');
    expect(third.outputs['drift-issue-number']).toBe(String(number));
    [issue] = issuesOf('global');
    expect(issue?.comments.map((comment) => comment.body)).toEqual([
      expect.stringMatching(
        /^Drift changed: 1 more in the code but not applied\. Found \(\[run \d+\]/,
      ) as unknown as string,
    ]);

    terraformSync(fixture, ['apply', '-auto-approve', '-input=false']);
    const repaired = await checkDrift(fixture, 'global');
    expect(repaired.outputs['drift']).toBe('false');
    [issue] = issuesOf('global');
    expect(issue).toMatchObject({ number, state: 'closed', stateReason: 'completed' });
    expect(issue?.comments.at(-1)?.body).toMatch(
      /^Found clean on \d{4}-\d\d-\d\d \d\d:\d\d UTC \(\[run \d+\]/,
    );

    editStateInput(fixture, 'terraform_data', 'keep', 'changed-again');
    const again = await checkDrift(fixture, 'global');
    expect(again.outputs['drift-issue-number']).toBe(String(number));
    [issue] = issuesOf('global');
    expect(issue).toMatchObject({ number, state: 'open' });
    expect(issue?.comments.at(-1)?.body).toMatch(/^Drift found again on /);
    expect(issuesOf('global')).toHaveLength(1);
  });

  it('ignores a marker issue another user opened: it opens its own and leaves that one alone', async () => {
    const fixture = appliedFixture();
    const forged = github.addIssue(repo, {
      title: 'Drift: stack forged',
      body: `${driftMarker('forged')}\n<!-- multicloud:drift-meta fingerprint=${'0'.repeat(64)} drifted=0 pending=0 -->\nAll good, nothing to do here.`,
      labels: ['drift'],
      user: { login: 'mallory', id: 7, type: 'User' },
    });
    editStateInput(fixture, 'terraform_data', 'keep', 'changed-outside');

    const result = await checkDrift(fixture, 'forged');

    expect(result.exitCode).toBe(0);
    const number = Number(result.outputs['drift-issue-number']);
    expect(number).not.toBe(forged.number);
    expect(github.issue(repo, number)).toMatchObject({
      user: 'github-actions[bot]',
      state: 'open',
      labels: ['drift'],
    });
    expect(github.issue(repo, forged.number)).toEqual(forged);
    const touched = github.requests.filter(
      (request) =>
        request.method !== 'GET' && new RegExp(`/issues/${forged.number}(/|$)`).test(request.path),
    );
    expect(touched).toEqual([]);
  });

  it('gives two stacks two issues, and never leaks the sensitive variable', async () => {
    const aws = appliedFixture();
    const azure = appliedFixture();
    editStateInput(aws, 'terraform_data', 'keep', 'x');
    editStateInput(azure, 'terraform_data', 'keep', 'y');
    const results = [
      await checkDrift(aws, 'aws'),
      await checkDrift(azure, 'azure'),
      await checkDrift(aws, 'aws'),
    ];
    expect(results.map((result) => result.exitCode)).toEqual([0, 0, 0]);
    expect(issuesOf('aws')).toHaveLength(1);
    expect(issuesOf('azure')).toHaveLength(1);
    expect(issuesOf('aws')[0]?.number).not.toBe(issuesOf('azure')[0]?.number);
    for (const result of results) {
      expect(result.masks).toContain('initial-password-4f1c');
      expect(result.summary).not.toContain('initial-password-4f1c');
    }
    for (const issue of github.issues(repo))
      expect(issue.body ?? '').not.toContain('initial-password-4f1c');
  });
});
