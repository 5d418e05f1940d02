/**
 * Risk classes of drift (issue 19): the resources of a refresh-only plan in the shapes real aws
 * and azurerm plans have (fixtures/plans/drift-risks--aws-azure.json) land in the right class, at
 * the top of the drift issue and its job summary with their addresses, and in the `risks`
 * output, worded as what happened outside Terraform; no value from the plan reaches either.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findDrift,
  readPlan,
  renderDriftIssue,
  renderDriftSummary,
  type PlanModel,
} from '../../src/plan/index.js';
import {
  assessChanges,
  builtInCatalogue,
  findingsOf,
  risksOutput,
  withRulesFile,
  type RisksOutput,
} from '../../src/risk/index.js';
import { BUCKET, FORCE, RECORD, ROLE, STORAGE, TOPIC } from './cell-addresses.js';
import { syntheticPlan } from '../plan/synthetic-plan.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plans');
const refreshJson = JSON.parse(
  readFileSync(join(fixtures, 'drift-risks--aws-azure.json'), 'utf8'),
) as { resource_drift: { address: string }[] };
const refresh = readPlan(refreshJson);
const catalogue = builtInCatalogue();
const context = { stack: 'aws', runId: '7001', foundAt: new Date('2026-12-05T05:17:00Z') };

/** The normal plan: a table the code no longer has, destroyed at the next deploy. */
const normal = readPlan({
  format_version: '1.2',
  terraform_version: '1.11.4',
  resource_changes: [
    {
      address: 'module.cell.aws_dynamodb_table.carts',
      module_address: 'module.cell',
      mode: 'managed',
      type: 'aws_dynamodb_table',
      name: 'carts',
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: {
        actions: ['delete'],
        before: { name: 'shop-aws-carts', hash_key: 'cartId' },
        after: null,
        after_unknown: {},
        before_sensitive: {},
        after_sensitive: false,
      },
      action_reason: 'delete_because_no_resource_config',
    },
  ],
});

function issueOf(refreshOnly: PlanModel, pending: PlanModel, rules = catalogue) {
  const findings = findDrift(refreshOnly, pending);
  const risks = assessChanges(findings.drifted, rules);
  return {
    findings,
    risks,
    output: JSON.parse(risksOutput(risks, 'drift')) as RisksOutput,
    body: renderDriftIssue(findings, refreshOnly, pending, { ...context, risks }),
  };
}

describe('risk classes of drift', () => {
  const { risks, output, body, findings } = issueOf(refresh, normal);
  const addresses = (id: string) => findingsOf(risks, id).map((finding) => finding.address);

  it('a bucket deleted outside Terraform and force_destroy turned on are data loss', () => {
    expect(addresses('data-loss')).toEqual([BUCKET, FORCE]);
    const reasons = Object.fromEntries(
      output.findings
        .filter((finding) => finding.class === 'data-loss')
        .map((finding) => [finding.address, finding.reasons]),
    );
    expect(reasons).toEqual({
      [BUCKET]: ['deleted outside Terraform'],
      [FORCE]: ['force_destroy turned on'],
    });
  });

  it('a Route 53 record changed outside Terraform is traffic', () => {
    expect(addresses('traffic')).toEqual([RECORD]);
    expect(output.findings.find((finding) => finding.address === RECORD)?.reasons).toEqual([
      'changed outside Terraform: ttl',
    ]);
  });

  it('a role assignment deleted and a storage account opened outside Terraform are access', () => {
    expect(addresses('access')).toEqual([ROLE, STORAGE]);
    expect(output.findings.find((finding) => finding.address === STORAGE)?.reasons).toEqual([
      'public_network_access_enabled turned on',
      'network_rules.default_action set to "Allow"',
    ]);
    expect(output.findings.find((finding) => finding.address === ROLE)?.reasons).toEqual([
      'deleted outside Terraform',
    ]);
  });

  it('counts only what drifted: a tag change is in no class, a pending destroy is a plan risk', () => {
    expect(findings.pending.map((change) => change.address)).toEqual([
      'module.cell.aws_dynamodb_table.carts',
    ]);
    const all = Object.values(output.resources).flat();
    expect(all).not.toContain(TOPIC);
    expect(all).not.toContain('module.cell.aws_dynamodb_table.carts');
    expect(output.counts).toEqual({ 'data-loss': 2, traffic: 1, access: 2 });
  });

  it('opens the issue with the classes and their addresses, before the drift table', () => {
    const section = body.indexOf('**Risks of this drift**: data loss 2 · traffic 1 · access 2');
    const table = body.indexOf('#### Changed outside Terraform (6)');
    expect(section).toBeGreaterThan(body.indexOf('Terraform found drift in stack `aws`'));
    expect(table).toBeGreaterThan(section);
    const text = body.slice(section, table);
    expect(text).toContain(`- \`${BUCKET}\`: deleted outside Terraform`);
    expect(text).toContain(`- \`${RECORD}\`: changed outside Terraform: \`ttl\``);
    expect(text).toContain(`- \`${ROLE}\`: deleted outside Terraform`);
    expect(text.indexOf('**Data loss** (2)')).toBeLessThan(text.indexOf('**Traffic** (1)'));
    expect(text.indexOf('**Traffic** (1)')).toBeLessThan(text.indexOf('**Access** (2)'));
    // The apply's label is about plans: a drift issue does not ask for it.
    expect(text).not.toContain('allow-data-loss');
    const summary = renderDriftSummary(findings, refresh, normal, { ...context, risks });
    expect(summary).toContain(text);
  });

  it('never shows a value from the plan in the risk section or the output', () => {
    const text = risksOutput(risks, 'drift') + body;
    expect(text).not.toContain('c2VjcmV0LWtleS1zaG91bGQtbmV2ZXItYmUtc2hvd24=');
    expect(risksOutput(risks, 'drift')).not.toMatch(/shop-aws|westeurope|3600|platform/);
  });

  it('says none found when what drifted is in no class, and nothing when nothing drifted', () => {
    const tagOnly = readPlan({
      ...refreshJson,
      resource_drift: refreshJson.resource_drift.filter((entry) => entry.address === TOPIC),
    });
    expect(issueOf(tagOnly, normal).body).toContain(
      '**Risks of this drift**: none found (checked: data loss, traffic, access).',
    );
    const pendingOnly = issueOf(readPlan(syntheticPlan([])), normal);
    expect(pendingOnly.findings.hasDrift).toBe(true);
    expect(pendingOnly.body).not.toContain('Risks of this drift');
    expect(pendingOnly.output.classes).toEqual([]);
  });

  it("adds a user's own class to a drifted custom resource type", () => {
    const custom = withRulesFile(
      catalogue,
      'classes: [{id: compliance, title: Compliance}]\nrules:\n  - class: compliance\n    types: [aws_sns_topic]\n    actions: [update]\n',
      'yaml',
      '.github/risk-rules.yml',
    );
    const { output: withRules, body: withRulesBody } = issueOf(refresh, normal, custom);
    expect(withRules.resources['compliance']).toEqual([TOPIC]);
    expect(withRulesBody).toContain('· compliance 1');
    expect(withRulesBody).toContain(`- \`${TOPIC}\`: changed outside Terraform: \`tags\``);
  });
});

describe('a large drift', () => {
  const buckets = Array.from({ length: 3000 }, (_, index) => ({
    address: `module.cell.aws_s3_bucket.archive["${String(index).padStart(4, '0')}-${'x'.repeat(40)}"]`,
    module_address: 'module.cell',
    mode: 'managed',
    type: 'aws_s3_bucket',
    name: 'archive',
    index: `${String(index).padStart(4, '0')}-${'x'.repeat(40)}`,
    change: { actions: ['delete'], before: { bucket: `b${index}` }, after: null },
  }));
  const many = readPlan(syntheticPlan([], { resource_drift: buckets }));

  it('keeps the counts, lists the addresses that fit and says how many are left out', () => {
    const { body } = issueOf(many, readPlan(syntheticPlan([])));
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain('**Risks of this drift**: data loss 3,000 · traffic 0 · access 0');
    expect(body).toMatch(
      /- … and [\d,]+ more addresses \(the full list is in the `risks` output of the run\)/,
    );
    expect(body).toMatch(/not shown here: [\d,]+ addresses in the risk list; /);
    // The drift table keeps at least half the room.
    expect(body).toContain('#### Changed outside Terraform (3,000)');
    expect(body.split('| (the whole resource) | exists | deleted |').length).toBeGreaterThan(100);
  });
});
