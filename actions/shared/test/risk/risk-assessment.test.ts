/**
 * Risk classes on plans in the shapes real aws and azurerm plans have
 * (fixtures/plans/risks--aws-azure.json; types from the provider schema snapshot): each change
 * lands in the right class, in the plan comment (above the CAUTION block, with its address) and
 * in the `risks` output; an unchanged plan has none; nothing from a value reaches either.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePlan, renderPlanComment, renderPlanSummary } from '../../src/plan/index.js';
import {
  assessPlan,
  builtInCatalogue,
  findingsOf,
  risksOutput,
  withRulesFile,
  type RisksOutput,
} from '../../src/risk/index.js';
import { BUCKET, FORCE, QUEUE, RECORD, ROLE, STORAGE, VERSIONING } from './cell-addresses.js';
import { syntheticPlan } from '../plan/synthetic-plan.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plans');
const plan = parsePlan(readFileSync(join(fixtures, 'risks--aws-azure.json'), 'utf8'));
const catalogue = builtInCatalogue();

describe('risk classes of an aws and azurerm plan', () => {
  const assessment = assessPlan(plan, catalogue);
  const output = JSON.parse(risksOutput(assessment)) as RisksOutput;
  const addresses = (id: string) => findingsOf(assessment, id).map((finding) => finding.address);

  it('a bucket destroy and a storage account replace are data loss', () => {
    expect(addresses('data-loss')).toEqual(expect.arrayContaining([BUCKET, STORAGE]));
    expect(output.resources['data-loss']).toEqual(expect.arrayContaining([BUCKET, STORAGE]));
  });

  it('force_destroy turned on, versioning suspended and a shorter retention are data loss', () => {
    expect(addresses('data-loss')).toEqual(expect.arrayContaining([FORCE, VERSIONING, QUEUE]));
    const reasons = Object.fromEntries(output.findings.map((f) => [f.address, f.reasons]));
    expect(reasons[FORCE]).toEqual(['force_destroy turned on']);
    expect(reasons[VERSIONING]).toEqual(['versioning_configuration.status no longer "Enabled"']);
    expect(reasons[QUEUE]).toEqual(['message_retention_seconds lowered']);
  });

  it('a Route 53 weight change is traffic, and only traffic', () => {
    expect(addresses('traffic')).toEqual([RECORD]);
    expect(output.findings.filter((finding) => finding.address === RECORD)).toEqual([
      {
        class: 'traffic',
        address: RECORD,
        actions: ['update'],
        reasons: ['update: weighted_routing_policy'],
      },
    ]);
  });

  it('a role assignment is access', () => {
    expect(addresses('access')).toEqual([ROLE]);
    expect(output.resources['access']).toEqual([ROLE]);
  });

  it('a change no rule names, and a no-op, are in no class', () => {
    const all = Object.values(output.resources).flat();
    expect(all).not.toContain('module.cell.aws_sns_topic.notifications');
    expect(all).not.toContain('module.cell.aws_dynamodb_table.carts');
    expect(output.counts).toEqual({ 'data-loss': 5, traffic: 1, access: 1 });
    expect(output.classes).toEqual(['data-loss', 'traffic', 'access']);
  });

  it('the comment lists the risks with their addresses above the CAUTION block', () => {
    const comment = renderPlanComment(plan, {
      stack: 'aws',
      scope: { kind: 'cell', cloud: 'aws' },
      risks: assessment,
      dataLossLabel: 'allow-data-loss',
    });
    const risks = comment.indexOf('**Risks**: data loss 5 · traffic 1 · access 1');
    const caution = comment.indexOf('> [!CAUTION]');
    expect(risks).toBeGreaterThan(0);
    expect(caution).toBeGreaterThan(risks);
    const section = comment.slice(risks, caution);
    for (const address of [BUCKET, STORAGE, RECORD, ROLE, FORCE, VERSIONING, QUEUE])
      expect(section).toContain(`\`${address}\``);
    expect(section).toContain('`allow-data-loss`');
    expect(section.indexOf('**Data loss**')).toBeLessThan(section.indexOf('**Traffic**'));
    expect(section.indexOf('**Traffic**')).toBeLessThan(section.indexOf('**Access**'));
    // Each address under its own class.
    const dataLoss = section.slice(
      section.indexOf('**Data loss**'),
      section.indexOf('**Traffic**'),
    );
    const traffic = section.slice(section.indexOf('**Traffic**'), section.indexOf('**Access**'));
    const access = section.slice(section.indexOf('**Access**'));
    for (const address of [BUCKET, STORAGE, FORCE, VERSIONING, QUEUE])
      expect(dataLoss).toContain(`\`${address}\``);
    expect(traffic).toContain(`- \`${RECORD}\`: update: \`weighted_routing_policy\``);
    expect(traffic).not.toContain(BUCKET);
    expect(access).toContain(`- \`${ROLE}\`: create`);
    expect(access).not.toContain(RECORD);
  });

  it('the first line says the stack, its cloud and that the rollout drains it', () => {
    const comment = renderPlanComment(plan, {
      stack: 'aws',
      scope: { kind: 'cell', cloud: 'aws' },
    });
    const heading = comment.split('\n').find((line) => line.startsWith('### '));
    expect(heading).toMatch(
      /^### Terraform plan for `aws` \(AWS cell\): .*the rollout drains AWS to apply it/,
    );
    const global = renderPlanSummary(plan, { stack: 'global', scope: { kind: 'global' } });
    expect(global).toMatch(
      /\(global routing, AWS and Azure\): .*applied first, no cloud is drained/,
    );
  });

  it('no value from the plan reaches the output or the risk section', () => {
    const text =
      risksOutput(assessment) + renderPlanComment(plan, { stack: 'aws', risks: assessment });
    expect(text).not.toContain('c2VjcmV0LWtleS1zaG91bGQtbmV2ZXItYmUtc2hvd24=');
    expect(risksOutput(assessment)).not.toMatch(/shop-aws|northeurope|1209600|86400/);
  });
});

describe('an unchanged plan', () => {
  const unchanged = parsePlan(
    JSON.stringify(
      syntheticPlan([
        { address: 'terraform_data.cell', actions: ['no-op'], before: {}, after: {} },
      ]),
    ),
  );

  it('has no risk and an empty risks output', () => {
    const assessment = assessPlan(unchanged, catalogue);
    expect(JSON.parse(risksOutput(assessment))).toEqual({
      version: 1,
      classes: [],
      counts: { 'data-loss': 0, traffic: 0, access: 0 },
      resources: { 'data-loss': [], traffic: [], access: [] },
      findings: [],
    });
    const comment = renderPlanComment(unchanged, {
      stack: 'aws',
      scope: { kind: 'cell', cloud: 'aws' },
      risks: assessment,
    });
    expect(comment).toMatch(/no changes; the rollout leaves AWS alone\./);
    expect(comment).not.toContain('**Risks**');
  });
});

describe("a user's rules file", () => {
  const custom = withRulesFile(
    catalogue,
    'classes:\n  - id: cost\n    title: Cost\nrules:\n  - class: cost\n    types: [terraform_data]\n    actions: [create]\n',
    'yaml',
    '.github/risk-rules.yml',
  );
  const created = parsePlan(
    JSON.stringify(
      syntheticPlan([{ address: 'terraform_data.gpu', actions: ['create'], after: {} }]),
    ),
  );

  it('adds its class to a custom resource type, after the built-in classes', () => {
    const assessment = assessPlan(created, custom);
    expect(custom.classes.map((risk) => risk.id)).toEqual([
      'data-loss',
      'traffic',
      'access',
      'cost',
    ]);
    expect(findingsOf(assessment, 'cost').map((finding) => finding.address)).toEqual([
      'terraform_data.gpu',
    ]);
    expect(findingsOf(assessment, 'cost')[0]?.reasons).toEqual([
      { kind: 'action', action: 'create' },
    ]);
    expect(assessPlan(created, catalogue).byClass).toEqual([]);
  });

  it.each([
    [
      'rules: [{class: money, types: [aws_s3_bucket]}]',
      "rules[0].class: 'money' is not a known class",
    ],
    [
      'rules: [{class: access, types: [S3]}]',
      'rules[0].types[0]: string "S3" is not a resource type',
    ],
    [
      'rules: [{class: access, types: [aws_s3_bucket], attribute: acl, change: widened}]',
      'rules[0].change: string "widened" is not one of turned-on',
    ],
    [
      'rules: [{class: access, types: [aws_s3_bucket], action: [create]}]',
      'rules[0].action: is not a known key',
    ],
    ['rules: {', 'is not valid YAML'],
    ['classes: []', 'has no `rules:` list'],
  ])('refuses %s with one message saying where', (text, message) => {
    expect(() => withRulesFile(catalogue, text, 'yaml', 'risk.yml')).toThrow(message);
  });
});
