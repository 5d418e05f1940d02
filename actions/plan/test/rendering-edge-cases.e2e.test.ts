/**
 * Issue 22 end to end: plans the real `terraform` makes from the project's edge-case
 * configuration (test/fixtures/terraform/edge-cases: long for_each keys that differ only in the
 * middle, one- and two-character secrets copied into an unmarked attribute, emoji and combining
 * marks at every cut, a right-to-left override), through the plan action's dist/ in plan mode
 * (comment, summary, log) and drift mode (issue, summary), and through the apply action's dist/
 * refusing a plan whose values changed after that comment was posted.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startGitHubStandIn,
  type GitHubStandIn,
} from '../../../stand-ins/src/github/github-stand-in.js';
import { runAction, type ActionResult } from '../../../test-bench/src/action-runner.js';
import {
  fakeSha,
  pullRequestEvent,
  pushEvent,
  workflowDispatchEvent,
} from '../../../test-bench/src/github-events.js';
import { driftMarker, planMarker } from '../../shared/src/plan/index.js';
import {
  editStateInput,
  terraformAvailable,
  terraformFixture,
  terraformSync,
  type TerraformFixture,
} from '../../shared/test/terraform/terraform-fixture.js';

const actionDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const applyActionDir = resolve(actionDir, '..', 'apply');
const repo = 'Codertocat/Hello-World';
const headSha = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const ready = terraformAvailable();
const describeReady = ready ? describe : describe.skip;
const WARNING = 'This plan contains invisible or direction-changing characters';

let github: GitHubStandIn;
const fixtures: TerraformFixture[] = [];

beforeAll(async () => {
  if (ready) github = await startGitHubStandIn();
});
afterAll(async () => {
  await github?.close();
  for (const fixture of fixtures) fixture.cleanup();
});

/** The edge-case stack applied with its defaults (both policies, pin "17", flag "Q"). */
function deployed(vars = ''): TerraformFixture {
  const fixture = terraformFixture('edge-cases');
  fixtures.push(fixture);
  if (vars !== '') writeFileSync(join(fixture.dir, 'terraform.tfvars'), vars);
  terraformSync(fixture, ['init', '-input=false', '-no-color']);
  terraformSync(fixture, ['apply', '-auto-approve', '-input=false', '-no-color']);
  return fixture;
}

function policyAddresses(fixture: TerraformFixture): { prod: string; staging: string } {
  const list = terraformSync(fixture, ['state', 'list']).split('\n');
  const find = (env: string) =>
    list.find((line) => line.startsWith('terraform_data.policy[') && line.includes(`${env}-base`));
  return { prod: find('platform-prod') as string, staging: find('platform-staging') as string };
}

const bulkKey = (index: number) =>
  `${Array.from({ length: 16 }, () => 'tenant-capacity').join('-')}-${String(index).padStart(4, '0')}`;

/** The block (module instance) of the bulk resource `index`: 50 a block (see the fixture). */
const bulkBlock = (index: number) => String(Math.floor(index / 50)).padStart(2, '0');
const bulkAddress = (index: number) =>
  `module.bulk["${bulkBlock(index)}"].terraform_data.bulk["${bulkKey(index)}"]`;

/**
 * `count` bulk resources in the state, each changed outside Terraform, without applying them
 * (Terraform applies 2,000 terraform_data in minutes on a loaded runner; the plan takes
 * seconds): the one instance a real apply made is the template for the others.
 */
function driftedBulk(fixture: TerraformFixture, count: number): void {
  interface Instance {
    index_key: string;
    attributes: Record<string, unknown>;
  }
  interface Resource {
    module?: string;
    name: string;
    instances: Instance[];
  }
  const state = JSON.parse(terraformSync(fixture, ['state', 'pull'])) as {
    serial: number;
    resources: Resource[];
  };
  const template = state.resources.find((entry) => entry.name === 'bulk');
  const instance = template?.instances[0];
  if (template === undefined || instance === undefined) throw new Error('no bulk resource');
  const value = { value: 'changed-outside', type: 'string' };
  const blocks = new Map<string, Resource>();
  for (let index = 0; index < count; index++) {
    const block = bulkBlock(index);
    const resource = blocks.get(block) ?? {
      ...template,
      module: `module.bulk["${block}"]`,
      instances: [],
    };
    blocks.set(block, resource);
    resource.instances.push({
      ...instance,
      index_key: bulkKey(index),
      attributes: { ...instance.attributes, id: randomUUID(), input: value, output: value },
    });
  }
  state.resources = [...state.resources.filter((entry) => entry !== template), ...blocks.values()];
  state.serial += 1;
  const file = join(fixture.dir, 'bulk.tfstate.json');
  writeFileSync(file, JSON.stringify(state));
  terraformSync(fixture, ['state', 'push', file]);
  rmSync(file);
  writeFileSync(join(fixture.dir, 'terraform.tfvars'), `bulk_count = ${count}\n`);
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
const wellFormed = (text: string) => !/\p{Cs}/u.test(text) && !text.includes('\uFFFD');

/** The fixture's graphemes: a family (4 pictographs, 3 joiners), a flag, q + 2 combining marks. */
const WHOLE_GRAPHEMES =
  /^(?:\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}|\u{1F1EA}\u{1F1FA}|q\u0323\u0301)*$/u;
/**
 * In an address Terraform writes the joiner as the escape `\u200d`: there each pictograph is a
 * grapheme of its own, and the escape must stay whole.
 */
const WHOLE_ADDRESS_PARTS =
  /^(?:\u{1F468}|\u{1F469}|\u{1F467}|\u{1F466}|\\u200d|\u{1F1EA}\u{1F1FA}|q\u0323\u0301)*$/u;
/** Emoji runs next to a cut: a value's end after its x's, an address's head after its k's and its tail before its z's. */
const RUN = '(?:[^\\0-\\x7F]|q|[\\\\u0-9a-f])+';
const CUT_RUNS = new RegExp(`([xk])(${RUN})…|…(${RUN})z`, 'gu');

/** Texts cut next to the emoji runs (each side of every "…") hold whole graphemes only. */
function cutsAtGraphemes(text: string): { cuts: number; split: string[] } {
  const split: string[] = [];
  let cuts = 0;
  for (const [, before, head, tail] of text.matchAll(CUT_RUNS)) {
    const run = head ?? tail ?? '';
    cuts++;
    if (!(before === 'x' ? WHOLE_GRAPHEMES : WHOLE_ADDRESS_PARTS).test(run)) split.push(run);
  }
  return { cuts, split };
}
const visible = (result: ActionResult) =>
  result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');

/** What every rendering must hold for these plans, wherever it is shown. */
function expectSafe(text: string): void {
  expect(wellFormed(text)).toBe(true);
  expect(cutsAtGraphemes(text).split).toEqual([]);
  expect(text).not.toMatch(/"17"|"Q"|pin":"17|flag":"Q/);
  expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B\u200E\u200F]/);
}

describeReady('plan rendering edge cases, end to end (real terraform, dist/)', () => {
  it('plan mode: identifiable long addresses, no short secret, whole graphemes, escaped bidi', async () => {
    const fixture = deployed();
    const { prod, staging } = policyAddresses(fixture);
    expect(prod.length).toBeGreaterThan(1_000);
    writeFileSync(
      join(fixture.dir, 'terraform.tfvars'),
      'environments = ["prod"]\npolicy_version = "v2"\npin_label = "pins2"\ntext_generation = "b"\nbidi_generation = "b"\n',
    );
    const pull = github.addPullRequest(repo, { headSha }).number;
    const result = await runAction({
      actionDir,
      inputs: { 'working-directory': 'stack', stack: 'edge' },
      token: github.writeToken,
      event: pullRequestEvent({ number: pull, headSha }),
      apiUrl: github.apiUrl,
      runId: 4301,
      workspace: dirname(fixture.dir),
      env: fixture.env,
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ destroy: '1' });
    const comment =
      github
        .comments(repo, pull)
        .map((entry) => entry.body)
        .find((body) => body.startsWith(planMarker('edge'))) ?? '';

    // The destroyed policy is told apart from the updated one, and marked as shortened.
    const destroyLine = comment.split('\n').find((line) => line.startsWith('> - destroy ')) ?? '';
    expect(destroyLine).toContain(`shortened from`);
    expect(destroyLine).toContain(hashOf(staging));
    expect(destroyLine).not.toContain(hashOf(prod));
    expect(comment).toMatch(new RegExp(`\\| ~ \\| .*${hashOf(prod)}.* \\| update: \`input\``));
    expect(comment).toContain('(shortened addresses are given whole in the job summary of');
    // The summary has the destroyed address whole.
    expect(result.summary).toContain(`\`\`\`text\n${staging}\n\`\`\``);

    // The pin and the flag, copied into `output`, never appear; the row says (sensitive).
    expect(comment).toContain('{"flag":(sensitive),"name":"pins","pin":(sensitive)}');
    // Emoji and combining marks at every cut (values at 120 and 400, addresses at 1,000).
    expect(comment).toMatch(/`"bx{100,}[^`]*…`/);
    // Cuts fell inside the emoji runs of values and of long keys' heads and tails: 18 offsets
    // put each code unit of the run at each cut (57 such cuts in the comment, 90 in the summary).
    expect(cutsAtGraphemes(comment).cuts).toBeGreaterThanOrEqual(50);
    expect(cutsAtGraphemes(result.summary).cuts).toBeGreaterThanOrEqual(80);
    // The bidi override: escaped, with one warning line before the caution list.
    expect(comment).toContain('"b-\\u202Eeulav"');
    expect(comment.split(WARNING)).toHaveLength(2);
    expect(comment.indexOf(WARNING)).toBeLessThan(comment.indexOf('[!CAUTION]'));
    expect(result.summary.split(WARNING)).toHaveLength(2);
    for (const text of [comment, result.summary, visible(result), JSON.stringify(result.outputs)])
      expectSafe(text);

    // Merged; after review only values change (same addresses, same actions, the destroy too):
    // the apply refuses, reading the comment the plan action wrote, and invents no difference.
    writeFileSync(
      join(fixture.dir, 'terraform.tfvars'),
      'environments = ["prod"]\npolicy_version = "v3"\npin_label = "pins3"\ntext_generation = "c"\nbidi_generation = "c"\n',
    );
    const mergeSha = fakeSha(`merge-${pull}`);
    github.associateCommit(repo, mergeSha, pull);
    const refused = await runAction({
      actionDir: applyActionDir,
      inputs: { 'working-directory': 'stack', stack: 'edge', 'lock-timeout': '10s' },
      token: github.writeToken,
      event: pushEvent({ after: mergeSha, ref: 'refs/heads/main', repository: repo }),
      apiUrl: github.apiUrl,
      runId: 4304,
      workspace: dirname(fixture.dir),
      env: fixture.env,
    });
    expect(refused.outputs['failure-reason']).toBe('plan-changed');
    const explanation = `${visible(refused)}\n${refused.summary}`;
    expect(explanation).toContain(
      'The plan made now has the same addresses, actions and changed attributes as the reviewed plan: only planned values differ.',
    );
    expect(explanation).not.toMatch(/not in the reviewed plan|not planned now|resources? differs?/);
    const status = github
      .comments(repo, pull)
      .map((entry) => entry.body)
      .find((body) => body.startsWith(planMarker('edge')));
    expect(status).toContain('**Not applied: the plan changed after review (planned values differ');
    for (const text of [explanation, JSON.stringify(refused.outputs), status ?? ''])
      expectSafe(text);
  }, 300_000);

  it('drift mode: the issue tells the two policies apart, the summary names them whole', async () => {
    const fixture = deployed();
    const { prod, staging } = policyAddresses(fixture);
    editStateInput(fixture, 'terraform_data', 'policy', 'changed-outside');
    editStateInput(fixture, 'terraform_data', 'bidi', 'x-\u202Eedisni');
    const result = await runAction({
      actionDir,
      inputs: { 'working-directory': 'stack', stack: 'edge-drift', mode: 'drift' },
      token: github.writeToken,
      event: workflowDispatchEvent(),
      apiUrl: github.apiUrl,
      runId: 4302,
      workspace: dirname(fixture.dir),
      env: fixture.env,
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['drift']).toBe('true');
    const issue = github
      .issues('octo-org/octo-repo')
      .concat(github.issues(repo))
      .find((entry) => entry.body?.startsWith(driftMarker('edge-drift')));
    const body = issue?.body ?? '';
    expect(body).toContain(hashOf(prod));
    expect(body).toContain(hashOf(staging));
    expect(body).toContain('Shortened addresses are given whole in the job summary of the run.');
    expect(result.summary).toContain(`\`\`\`text\n${prod}\n\`\`\``);
    expect(result.summary).toContain(`\`\`\`text\n${staging}\n\`\`\``);
    expect(body.split(WARNING)).toHaveLength(2);
    for (const text of [body, result.summary, visible(result)]) expectSafe(text);
  }, 300_000);

  it('drift mode: 2,000 resources with long keys are all named in the job summary', async () => {
    const fixture = deployed('bulk_count = 1\n');
    driftedBulk(fixture, 2000);
    const result = await runAction({
      actionDir,
      inputs: { 'working-directory': 'stack', stack: 'edge-bulk', mode: 'drift', comment: 'false' },
      token: github.writeToken,
      event: workflowDispatchEvent(),
      apiUrl: github.apiUrl,
      runId: 4303,
      workspace: dirname(fixture.dir),
      env: fixture.env,
      timeoutMs: 300_000,
    });
    expect(result.exitCode).toBe(0);
    expect(result.limitViolations).toEqual([]);
    // More than the half of 1 MiB the summary used to stop at.
    expect(Buffer.byteLength(result.summary)).toBeGreaterThan(600_000);
    expect(result.summary).not.toContain('not shown here');
    const missing = Array.from({ length: 2000 }, (_, i) => bulkAddress(i)).filter(
      (address) => !result.summary.includes(address),
    );
    expect(missing).toEqual([]);
  }, 300_000);
});
