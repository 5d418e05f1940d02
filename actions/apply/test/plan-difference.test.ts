import { describe, expect, it } from '@jest/globals';
import { planDigest } from '../../shared/src/plan/plan-digest.js';
import { readPlan } from '../../shared/src/plan/plan-model.js';
import { renderPlanComment } from '../../shared/src/plan/plan-report.js';
import { Redactor } from '../../shared/src/plan/redaction.js';
import { syntheticPlan, type SyntheticResource } from '../../shared/test/plan/synthetic-plan.js';
import {
  differenceCount,
  differenceLogLines,
  differenceMarkdown,
  planDifference,
  plannedListing,
  reviewedListing,
} from '../src/plan-difference.js';

const SECRET = 'p4ssw0rd-for-prod';

function plan(resources: SyntheticResource[]) {
  return readPlan(syntheticPlan(resources));
}

function comment(resources: SyntheticResource[]) {
  const model = plan(resources);
  return renderPlanComment(model, { stack: 'aws', digest: planDigest(model) });
}

const reviewed: SyntheticResource[] = [
  {
    address: 'terraform_data.a',
    actions: ['update'],
    before: { input: 'x' },
    after: { input: 'y' },
  },
  { address: 'terraform_data.gone', actions: ['delete'], before: { input: 'z' } },
  {
    address: 'module.cell.terraform_data["a|b"]',
    actions: ['create'],
    after: { input: SECRET },
    after_sensitive: { input: true },
  },
];

describe('reviewedListing', () => {
  it('reads back every address and action the comment renderer wrote', () => {
    const listing = reviewedListing(comment(reviewed));
    expect(listing).toEqual(plannedListing(plan(reviewed)));
    expect([...listing.resources.keys()].sort()).toEqual([
      'module.cell.terraform_data["a|b"]',
      'terraform_data.a',
      'terraform_data.gone',
    ]);
  });
});

describe('planDifference', () => {
  it('names the addresses and actions that differ, without values', () => {
    const now = plan([
      {
        address: 'terraform_data.a',
        actions: ['delete', 'create'],
        before: { input: 'x' },
        after: { input: SECRET },
        after_sensitive: { input: true },
      },
      { address: 'terraform_data.new', actions: ['create'], after: { input: 'n' } },
      reviewed[2] as SyntheticResource,
    ]);
    const difference = planDifference(reviewedListing(comment(reviewed)), now);
    expect(difference.entries).toEqual([
      {
        kind: 'resource',
        name: 'terraform_data.a',
        reviewed: 'update: `input`',
        planned: 'replace',
      },
      { kind: 'resource', name: 'terraform_data.gone', reviewed: 'destroy' },
      { kind: 'resource', name: 'terraform_data.new', planned: 'create' },
    ]);
    expect(differenceCount(difference)).toBe('3 resources differ');
    const redactor = new Redactor(now.sensitiveStrings);
    const log = differenceLogLines(difference, redactor).join('\n');
    expect(log).toContain('terraform_data.gone: reviewed destroy; now (not planned now)');
    expect(log).toContain('terraform_data.a: reviewed update: input; now replace');
    const markdown = differenceMarkdown(difference, redactor);
    expect(markdown).toContain('| `terraform_data.new` | (not in the reviewed plan) | create |');
    expect(`${log}\n${markdown}`).not.toContain(SECRET);
  });

  it('names the attributes planned with other values when the actions are the same', () => {
    const now = plan([
      { ...(reviewed[0] as SyntheticResource), after: { input: 'other' } },
      reviewed[1] as SyntheticResource,
      reviewed[2] as SyntheticResource,
    ]);
    const difference = planDifference(reviewedListing(comment(reviewed)), now);
    expect(difference.entries).toEqual([
      {
        kind: 'resource',
        name: 'terraform_data.a',
        reviewed: 'update: `input`',
        planned: 'update: `input`',
        otherValues: ['input'],
      },
    ]);
    expect(differenceCount(difference)).toBe('1 resource differs');
    expect(differenceLogLines(difference, new Redactor()).join('\n')).toContain(
      'terraform_data.a: reviewed update: input; now the same, with other values for input',
    );
  });

  it('says only that values differ when no shown value differs (cut long values)', () => {
    const longUpdate = (tail: string): SyntheticResource => ({
      address: 'terraform_data.long',
      actions: ['update'],
      before: { input: 'short' },
      after: { input: `${'x'.repeat(300)}${tail}` },
    });
    const now = plan([longUpdate('now')]);
    expect(planDigest(now)).not.toBe(planDigest(plan([longUpdate('reviewed')])));
    const difference = planDifference(reviewedListing(comment([longUpdate('reviewed')])), now);
    expect(difference.entries).toEqual([]);
    expect(differenceCount(difference)).toBe('planned values differ');
    expect(differenceLogLines(difference, new Redactor())[0]).toContain('different planned values');
  });

  it('lists the plan made now when only a digest was approved', () => {
    const difference = planDifference(undefined, plan(reviewed));
    expect(difference.reviewedUnknown).toBe(true);
    expect(difference.entries.map((entry) => entry.name)).toContain('terraform_data.gone');
    expect(differenceMarkdown(difference, new Redactor())).toContain('| address | planned now |');
  });

  it('does not report what a trimmed comment could not list', () => {
    const many: SyntheticResource[] = Array.from({ length: 2_500 }, (_, i) => ({
      address: `terraform_data.item_with_a_rather_long_name_${String(i).padStart(5, '0')}`,
      actions: ['create'],
      after: { input: i },
    }));
    const listing = reviewedListing(comment(many));
    expect(listing.complete).toBe(false);
    expect(listing.resources.size).toBeLessThan(many.length);
    const difference = planDifference(listing, plan(many));
    expect(difference.entries).toEqual([]);
    expect(difference.complete).toBe(false);
  });
});
