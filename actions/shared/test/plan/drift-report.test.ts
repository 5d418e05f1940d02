import { describe, expect, it } from '@jest/globals';
import {
  COMMENT_LIMIT,
  describeDriftChange,
  findDrift,
  parseDriftMeta,
  readPlan,
  renderDriftIssue,
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
});
