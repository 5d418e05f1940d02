/**
 * The conformance checks of the corpus suites (plan-conformance.ts) on plans the project owns,
 * so that a plain clone, without ../shared beside it, still checks them: plans the real
 * terraform makes here from the project's own test configuration (terraform_data), and
 * hand-written plans in the aws and azurerm shapes (test/fixtures/plans, see its README).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findDrift,
  parsePlan,
  planDigest,
  renderDriftIssue,
  renderPlanComment,
} from '../../src/plan/index.js';
import {
  terraformAvailable,
  terraformFixture,
  terraformSync,
  type TerraformFixture,
} from '../terraform/terraform-fixture.js';
import { expectPlanConformance } from './plan-conformance.js';

const plansDir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/plans');
const handWritten = readdirSync(plansDir)
  .filter((name) => name.endsWith('.json'))
  .sort();

function readPlanFile(name: string): string {
  return readFileSync(join(plansDir, name), 'utf8');
}

function driftIssueOf(text: string): string {
  const plan = parsePlan(text);
  return renderDriftIssue(findDrift(plan, plan), plan, plan, { stack: 's', foundAt: new Date(0) });
}

describe('hand-written aws and azurerm plans conform', () => {
  it.each(handWritten)('%s', (name) => expectPlanConformance(readPlanFile(name)));

  it('aws-cell--changes: the destroy and the replacement first, no key, no sensitive variable', () => {
    const plan = parsePlan(readPlanFile('aws-cell--changes.json'));
    const comment = renderPlanComment(plan, { stack: 'aws', digest: planDigest(plan) });
    expect(comment).toContain(
      '> - destroy `module.cell.aws_s3_bucket.exports` (no longer in the configuration)',
    );
    expect(comment).toContain('> - replace `module.cell.aws_sqs_queue.order_events`');
    expect(comment).toContain(
      '| `environment[0].variables.PAYMENT_API_KEY` | (sensitive) | (sensitive, changed) |',
    );
    for (const secret of ['pk-live-7Qx2RZk9Wm4Tb3Nf', 'pk-live-old-4Hd8Lq2Vn6Sx', 'whsec-'])
      expect(comment).not.toContain(secret);
  });

  it('azure-cell--refresh-only: every drifted attribute has a row, sensitive settings stay hidden', () => {
    const issue = driftIssueOf(readPlanFile('azure-cell--refresh-only.json'));
    const app = '`module.cell.azurerm_linux_function_app.app`';
    const gateway = '`module.cell.azurerm_api_management.gateway`';
    expect(issue).toContain('#### Changed outside Terraform (3)');
    expect(issue).toContain(`| ${app} | \`app_settings\` | (sensitive) | (sensitive) |`);
    expect(issue).toContain(`| ${app} | \`https_only\` | \`true\` | \`false\` |`);
    expect(issue).toContain(
      '| `module.cell.azurerm_storage_container.dead_letters` | (the whole resource) | exists | deleted |',
    );
    // The diff reads null and empty alike; Terraform still reports the refresh as drift.
    expect(issue).toContain(`| ${gateway} | \`tags\` | \`null\` | \`{}\` |`);
    expect(issue).toContain(`| ${gateway} | \`zones\` | \`null\` | \`[]\` |`);
    for (const secret of ['SharedAccessKey=', 'dbg-5Fh2Kq8Vz1', 'DEBUG_TOKEN'])
      expect(issue).not.toContain(secret);
  });

  it('aws-cell--terraform-1.0.0-drift: addresses built from their parts, unchanged entries left out', () => {
    const text = readPlanFile('aws-cell--terraform-1.0.0-drift.json');
    expect(parsePlan(text).resourceDrift.map((change) => change.address)).toEqual([
      'module.cell["eu"].aws_lambda_function.service["orders"]',
      'aws_sns_topic_subscription.customer_email[0]',
    ]);
    const issue = driftIssueOf(text);
    expect(issue).toContain('drifted=2 ');
    expect(issue).toContain(
      '| `module.cell["eu"].aws_lambda_function.service["orders"]` | `memory_size` | `256` | `1024` |',
    );
    expect(issue).toContain(
      '| `aws_sns_topic_subscription.customer_email[0]` | (the whole resource) | exists | deleted |',
    );
    expect(issue).not.toContain('order_events');
    expect(issue).not.toContain('lambda_assume');
  });
});

const describeWithTerraform = terraformAvailable() ? describe : describe.skip;

describeWithTerraform('plans the real terraform makes from the test configuration conform', () => {
  let fixture: TerraformFixture;
  const show = (args: string[]): string => {
    terraformSync(fixture, ['plan', '-input=false', '-out=owned.tfplan', ...args]);
    return terraformSync(fixture, ['show', '-json', 'owned.tfplan']);
  };

  beforeAll(() => {
    fixture = terraformFixture('changes');
    terraformSync(fixture, ['init', '-input=false']);
  });
  afterAll(() => fixture?.cleanup());

  // In order: each plan starts from the state the one before left.
  it('creates in nested modules, with a sensitive variable, resource and output', () => {
    const text = show([]);
    expect(parsePlan(text).resourceChanges.length).toBeGreaterThan(5);
    expectPlanConformance(text);
    terraformSync(fixture, ['apply', '-input=false', '-auto-approve']);
  });

  it('updates, replaces and destroys, rotating the sensitive variable', () => {
    const vars = join(fixture.dir, 'next.tfvars.json');
    writeFileSync(
      vars,
      JSON.stringify({
        keep_value: 'two',
        generation: 2,
        extra_count: 0,
        db_password: 'rotated-password-7c1d',
      }),
    );
    const text = show([`-var-file=${vars}`]);
    expect(parsePlan(text).resourceChanges.map((change) => change.kind)).toEqual(
      expect.arrayContaining(['update', 'replace', 'destroy']),
    );
    expectPlanConformance(text);
  });

  it('destroys everything', () => {
    const text = show(['-destroy']);
    const kinds = new Set(parsePlan(text).resourceChanges.map((change) => change.kind));
    expect([...kinds]).toEqual(['destroy']);
    expectPlanConformance(text);
  });
});
