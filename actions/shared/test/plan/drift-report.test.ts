import { describe, expect, it } from '@jest/globals';
import {
  COMMENT_LIMIT,
  describeDriftChange,
  findDrift,
  parseDriftMeta,
  parseOwnedAttribute,
  readPlan,
  renderDriftIssue,
  renderDriftSummary,
  SUMMARY_LIMIT_BYTES,
  TRAFFIC_SHIFT_ATTRIBUTES,
  type OwnedAttribute,
} from '../../src/plan/index.js';
import { largePlan, syntheticPlan } from './synthetic-plan.js';

const noChanges = readPlan(syntheticPlan([]));
const drifted = (value: string) =>
  readPlan(
    syntheticPlan([], {
      resource_drift: [
        {
          address: 'terraform_data.health',
          mode: 'managed',
          type: 'terraform_data',
          name: 'health',
          change: {
            actions: ['update'],
            before: { threshold: 3, token: 'tok-old' },
            after: { threshold: value, token: 'tok-new' },
            before_sensitive: { token: true },
            after_sensitive: { token: true },
          },
        },
      ],
    }),
  );
const context = {
  stack: 'global',
  runId: '5120',
  runUrl: 'https://github.com/acme/shop/actions/runs/5120',
  foundAt: new Date('2026-11-24T05:17:00Z'),
};

describe('drift report', () => {
  it('shows what changed outside Terraform, attribute by attribute, without sensitive values', () => {
    const refresh = drifted('5');
    const findings = findDrift(refresh, noChanges);
    expect(findings.hasDrift).toBe(true);
    const body = renderDriftIssue(findings, refresh, noChanges, context);
    expect(body.startsWith('<!-- multicloud:drift stack=global -->\n')).toBe(true);
    expect(body).toContain(
      'Terraform found drift in stack `global` on 2026-11-24 05:17 UTC ([run 5120](https://github.com/acme/shop/actions/runs/5120)).',
    );
    expect(body).toContain('| `terraform_data.health` | `threshold` | `3` | `"5"` |');
    expect(body).toContain('| `terraform_data.health` | `token` | (sensitive) | (sensitive) |');
    expect(body).not.toMatch(/tok-old|tok-new/);
    expect(parseDriftMeta(body)).toEqual({
      fingerprint: findings.fingerprint,
      drifted: 1,
      pending: 0,
    });
  });

  it('changes the fingerprint exactly when the drift changes', () => {
    const a = findDrift(drifted('5'), noChanges).fingerprint;
    expect(findDrift(drifted('5'), noChanges).fingerprint).toBe(a);
    expect(findDrift(drifted('6'), noChanges).fingerprint).not.toBe(a);
    expect(findDrift(noChanges, noChanges).hasDrift).toBe(false);
  });

  it('says how the drift changed', () => {
    const findings = findDrift(drifted('5'), readPlan(largePlan({ update: 2 })));
    expect(describeDriftChange({ fingerprint: 'x', drifted: 1, pending: 0 }, findings)).toBe(
      'Drift changed: 2 more in the code but not applied.',
    );
    expect(describeDriftChange({ fingerprint: 'x', drifted: 1, pending: 2 }, findings)).toBe(
      'Drift changed: the same resources, with different values.',
    );
    expect(describeDriftChange({ fingerprint: 'x', drifted: 3, pending: 2 }, findings)).toBe(
      'Drift changed: 2 fewer changed outside Terraform.',
    );
  });

  it('stays within 65,536 characters for thousands of pending changes and says what is left out', () => {
    const normal = readPlan(largePlan({ update: 5000, destroy: 500 }));
    const body = renderDriftIssue(findDrift(drifted('5'), normal), drifted('5'), normal, context);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('#### In the code but not applied (5,500)');
    expect(body).toMatch(
      /not shown here: [\d,]+ pending changes\. The full report is in the job summary/,
    );
  });

  it('keeps the job summary within 1 MiB even when every character takes three bytes', () => {
    const key = '界'.repeat(900);
    const normal = readPlan(
      syntheticPlan(
        Array.from({ length: 3000 }, (_, i) => ({
          address: `terraform_data.x["${key}${i}"]`,
          actions: ['delete'],
          before: { input: 1 },
        })),
      ),
    );
    const findings = findDrift(noChanges, normal);
    const summary = renderDriftSummary(findings, noChanges, normal, context);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(summary.length).toBeGreaterThan(COMMENT_LIMIT * 2);
    expect(summary).toMatch(
      /not shown here: [\d,]+ pending changes\. The drift is too large to show in full in a job summary\./,
    );
  });

  describe('attributes owned elsewhere (traffic-shift weights)', () => {
    const owned = TRAFFIC_SHIFT_ATTRIBUTES.map(parseOwnedAttribute) as OwnedAttribute[];
    const record = (weight: number, ttl: number) => ({
      address: 'module.routing.aws_route53_record.api["azure"]',
      module_address: 'module.routing',
      mode: 'managed',
      type: 'aws_route53_record',
      name: 'api',
      change: {
        actions: ['update'],
        before: { ttl: 60, set_identifier: 'azure', weighted_routing_policy: [{ weight: 50 }] },
        after: { ttl, set_identifier: 'azure', weighted_routing_policy: [{ weight }] },
        before_sensitive: { weighted_routing_policy: [{}] },
        after_sensitive: { weighted_routing_policy: [{}] },
      },
    });
    const origin = (weight: number, enabled: boolean, actions = ['update']) => ({
      address: 'module.routing.azurerm_cdn_frontdoor_origin.cell["azure"]',
      module_address: 'module.routing',
      mode: 'managed',
      type: 'azurerm_cdn_frontdoor_origin',
      name: 'cell',
      change: {
        actions,
        before: { weight: 500, enabled: true, host_name: 'azure.example.com' },
        after: actions[0] === 'delete' ? null : { weight, enabled, host_name: 'azure.example.com' },
        before_sensitive: {},
        after_sensitive: {},
      },
    });
    const refresh = (...drift: unknown[]) => readPlan(syntheticPlan([], { resource_drift: drift }));

    it('is not drift when only the weights moved, and says what was left out', () => {
      const shifted = refresh(record(100, 60), origin(1, false));
      expect(findDrift(shifted, noChanges).hasDrift).toBe(true);
      const findings = findDrift(shifted, noChanges, owned);
      expect(findings).toMatchObject({
        hasDrift: false,
        drifted: [],
        ignoredAttributes: [...TRAFFIC_SHIFT_ATTRIBUTES],
      });
      expect(findings.fingerprint).toBe(findDrift(noChanges, noChanges).fingerprint);
    });

    it('reports the other attributes of the same resource, and a traffic shift changes nothing', () => {
      const before = findDrift(refresh(record(0, 300)), noChanges, owned);
      const after = findDrift(refresh(record(255, 300)), noChanges, owned);
      expect(before.hasDrift).toBe(true);
      expect(after.fingerprint).toBe(before.fingerprint);
      const body = renderDriftIssue(after, refresh(record(255, 300)), noChanges, context);
      expect(body).toContain(
        '| `module.routing.aws_route53_record.api["azure"]` | `ttl` | `60` | `300` |',
      );
      expect(body).not.toContain('weighted_routing_policy[0]');
      expect(body).toContain(
        'Not counted as drift (owned elsewhere at run time, input `drift-ignore-attributes`): `aws_route53_record.weighted_routing_policy.weight`.',
      );
    });

    it('still reports an origin deleted outside Terraform', () => {
      const findings = findDrift(refresh(origin(0, false, ['delete'])), noChanges, owned);
      expect(findings.drifted.map((change) => change.address)).toEqual([
        'module.routing.azurerm_cdn_frontdoor_origin.cell["azure"]',
      ]);
    });

    it('reads patterns with or without list indexes and refuses anything else', () => {
      expect(parseOwnedAttribute('aws_route53_record.weighted_routing_policy[0].weight')).toEqual({
        text: 'aws_route53_record.weighted_routing_policy[0].weight',
        resourceType: 'aws_route53_record',
        path: ['weighted_routing_policy', 'weight'],
      });
      expect(
        parseOwnedAttribute('aws_route53_record.weighted_routing_policy[*].weight')?.path,
      ).toEqual(['weighted_routing_policy', 'weight']);
      for (const bad of ['weight', 'aws_route53_record', 'aws_route53_record.', 'a.b c', '-x.y'])
        expect(parseOwnedAttribute(bad)).toBeUndefined();
    });
  });
});
