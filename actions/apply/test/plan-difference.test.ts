import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readPlanListing } from '../../shared/src/plan/plan-comment.js';
import { planDigest } from '../../shared/src/plan/plan-digest.js';
import { planListing } from '../../shared/src/plan/plan-listing.js';
import { readPlan } from '../../shared/src/plan/plan-model.js';
import { renderPlanComment } from '../../shared/src/plan/plan-report.js';
import { Redactor } from '../../shared/src/plan/redaction.js';
import { withoutListing } from '../../shared/test/plan/listing-round-trip.js';
import { syntheticPlan, type SyntheticResource } from '../../shared/test/plan/synthetic-plan.js';
import {
  differenceCount,
  differenceLogLines,
  differenceMarkdown,
  planDifference,
} from '../src/plan-difference.js';

const SECRET = 'p4ssw0rd-for-prod';

function plan(resources: SyntheticResource[], extra: Record<string, unknown> = {}) {
  return readPlan(syntheticPlan(resources, extra));
}

function comment(resources: SyntheticResource[], extra: Record<string, unknown> = {}) {
  const model = plan(resources, extra);
  return renderPlanComment(model, { stack: 'aws', digest: planDigest(model), commitSha: 'abc1' });
}

function reviewedListing(resources: SyntheticResource[], extra: Record<string, unknown> = {}) {
  return readPlanListing(comment(resources, extra), 'aws');
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

function log(difference: ReturnType<typeof planDifference>): string {
  return differenceLogLines(difference, new Redactor([SECRET])).join('\n');
}

describe('the reviewed listing read from the comment', () => {
  it('is the listing of the reviewed plan, address for address', () => {
    const listing = reviewedListing(reviewed);
    expect(listing).toEqual({ state: 'complete', listing: planListing(plan(reviewed)) });
  });
});

describe('planDifference', () => {
  it('names the addresses and actions that differ, an unreviewed destroy first, without values', () => {
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
    const difference = planDifference(reviewedListing(reviewed), now);
    expect(
      difference.entries.map((entry) => [entry.name, !!entry.reviewed, !!entry.planned]),
    ).toEqual([
      ['terraform_data.a', true, true],
      ['terraform_data.gone', true, false],
      ['terraform_data.new', false, true],
    ]);
    expect(difference.same).toBe(1);
    expect(differenceCount(difference)).toBe('3 resources differ');
    const text = log(difference);
    expect(text).toContain('terraform_data.a: reviewed update: input; now replace');
    expect(text).toContain('terraform_data.gone: reviewed destroy; now (not planned now)');
    expect(text).toContain('1 other change has the same address, action and changed attributes');
    const markdown = differenceMarkdown(difference, new Redactor([SECRET]));
    expect(markdown).toContain('| `terraform_data.new` | (not in the reviewed plan) | create |');
    expect(`${text}\n${markdown}`).not.toContain(SECRET);
  });

  it('names the attributes that change now and did not at review, when the action is the same', () => {
    const now = plan([
      { ...(reviewed[0] as SyntheticResource), after: { input: 'y', tags: { env: 'prod' } } },
      reviewed[1] as SyntheticResource,
      reviewed[2] as SyntheticResource,
    ]);
    const difference = planDifference(reviewedListing(reviewed), now);
    expect(differenceCount(difference)).toBe('1 resource differs');
    expect(log(difference)).toContain(
      'terraform_data.a: reviewed update: input; now the same action, but also changes tags',
    );
    expect(log(difference)).not.toContain('prod');
  });

  it('reports no address when only values changed, even for addresses too long to show whole', () => {
    // Two for_each keys that differ only in the middle, longer than a code span shows.
    const key = (env: string) =>
      `{"Statement":[${'{"Effect":"Allow"},'.repeat(40)}"${env}"${',{"Sid":"x"}'.repeat(40)}]}`;
    const at = (env: string, value: string): SyntheticResource => ({
      address: `aws_iam_policy.p[${JSON.stringify(key(env))}]`,
      actions: ['update'],
      before: { policy: 'old' },
      after: { policy: value },
    });
    const review = [at('prod', 'a'), at('staging', 'b')];
    const now = plan([at('prod', 'c'), at('staging', 'd')]);
    expect(key('prod').length).toBeGreaterThan(1_000);
    expect(planDigest(now)).not.toBe(planDigest(plan(review)));
    const difference = planDifference(reviewedListing(review), now);
    expect(difference.entries).toEqual([]);
    expect(differenceCount(difference)).toBe('planned values differ');
    const text = log(difference);
    expect(text).toContain('same addresses, actions and changed attributes');
    expect(text).not.toMatch(/not in the reviewed plan|not planned now|differ:/);
  });

  it('names 2,000 unreviewed changes with long addresses in the summary, within its 1 MiB', () => {
    const tenant = Array.from({ length: 16 }, () => 'tenant-capacity').join('-');
    const bulk = Array.from({ length: 2000 }, (_, i): SyntheticResource => ({
      address: `terraform_data.bulk["${tenant}-${String(i).padStart(4, '0')}"]`,
      actions: ['create'],
      after: { input: 'v1' },
    }));
    const difference = planDifference(reviewedListing(reviewed), plan([...reviewed, ...bulk]));
    expect(differenceCount(difference)).toBe('2000 resources differ');
    const summary = differenceMarkdown(difference, new Redactor([SECRET]));
    // More than the 200 rows the log shows, and more than half of the summary's room.
    expect(Buffer.byteLength(summary)).toBeGreaterThan(524_288);
    expect(Buffer.byteLength(summary)).toBeLessThan(1_048_576);
    expect(bulk.filter(({ address }) => !summary.includes(address))).toEqual([]);
    expect(summary).not.toContain('more not shown');
    expect(log(difference)).toContain('… and 1800 more not shown.');
  });

  it('tells a deposed object from the current one at the same address', () => {
    const current: SyntheticResource = {
      address: 'terraform_data.x',
      actions: ['create'],
      after: { input: 1 },
    };
    const deposed: SyntheticResource = {
      address: 'terraform_data.x',
      actions: ['delete'],
      before: { input: 0 },
      deposed: '00000001',
    };
    const difference = planDifference(reviewedListing([current]), plan([current, deposed]));
    expect(log(difference)).toContain(
      'terraform_data.x (deposed object 00000001): reviewed (not in the reviewed plan); now destroy',
    );
  });

  it('compares outputs by name and action', () => {
    const outputs = (actions: string[]) => ({
      output_changes: { url: { actions, before: 'a', after: 'b' } },
    });
    const difference = planDifference(
      reviewedListing(reviewed, outputs(['update'])),
      plan(reviewed, outputs(['delete'])),
    );
    expect(differenceCount(difference)).toBe('1 output differs');
    expect(log(difference)).toContain('output.url: reviewed update; now remove');
  });

  it('lists the plan made now when only a digest was approved', () => {
    const difference = planDifference(undefined, plan(reviewed));
    expect(difference.reviewed.state).toBe('digest-only');
    expect(difference.entries.map((entry) => entry.name)).toContain('terraform_data.gone');
    expect(differenceMarkdown(difference, new Redactor())).toContain('| address | planned now |');
    expect(differenceCount(difference)).toBe('its digest differs from expected-plan-digest');
  });

  it('says "reviewed listing unavailable" for a comment without a listing, and lists the plan now', () => {
    const old = readPlanListing(withoutListing(comment(reviewed)), 'aws');
    const difference = planDifference(old, plan(reviewed));
    expect(differenceCount(difference)).toBe('reviewed listing unavailable');
    const text = log(difference);
    expect(text).toMatch(
      /^Reviewed listing unavailable: the plan comment carries no machine-readable listing/,
    );
    expect(text).toContain('  terraform_data.gone: destroy');
    expect(differenceMarkdown(difference, new Redactor())).toContain('| address | planned now |');
  });

  it('with a partial listing, compares what it names and flags only a destroy it proves new', () => {
    const hash = (i: number) => createHash('sha256').update(String(i)).digest('hex').slice(0, 40);
    const creates: SyntheticResource[] = Array.from({ length: 4_000 }, (_, i) => ({
      address: `terraform_data.item["${hash(i)}"]`,
      actions: ['create'],
      after: { input: i },
    }));
    const destroy: SyntheticResource = {
      address: 'terraform_data.old',
      actions: ['delete'],
      before: { input: 0 },
    };
    const listing = reviewedListing([...creates, destroy]);
    expect(listing.state).toBe('partial');
    // The same plan: nothing differs, and what the listing left out is counted, not reported.
    const same = planDifference(listing, plan([...creates, destroy]));
    expect(same.entries).toEqual([]);
    expect(same.notCompared).toBeGreaterThan(0);
    expect(log(same)).toContain("The reviewed comment's listing is partial");
    // The last create, left out of the listing, is a destroy now: a difference for sure.
    const last = creates[creates.length - 1] as SyntheticResource;
    const changed = planDifference(
      listing,
      plan([
        ...creates.slice(0, -1),
        { ...last, actions: ['delete'], before: { input: 1 } },
        destroy,
      ]),
    );
    expect(changed.entries).toHaveLength(1);
    expect(log(changed)).toContain(
      `${last.address}: reviewed (no destroy or replace in the reviewed plan); now destroy`,
    );
  });
});
