/**
 * Conformance over real plan JSON from Terraform and OpenTofu (../shared/fixtures beside the
 * checkout): every file renders, stays within GitHub's limit and shows no sensitive value.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPlanSections } from '../../src/plan/plan-sections.js';
import {
  attributeChanges,
  changedTopLevelAttributes,
  COMMENT_LIMIT,
  findDrift,
  parsePlan,
  planDigest,
  readPlan,
  renderDriftIssue,
  renderPlanComment,
  renderPlanSummary,
} from '../../src/plan/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const corpus = join(repoRoot, '..', 'shared', 'fixtures', 'terraform-plans');
const files = existsSync(corpus)
  ? readdirSync(corpus)
      .filter((name) => name.endsWith('.json'))
      .sort()
  : [];

/** Sensitive values, found independently of the code under test. */
function sensitiveValues(document: Record<string, unknown>): string[] {
  const out: string[] = [];
  const leaves = (value: unknown) => {
    if (typeof value === 'string' || typeof value === 'number') out.push(String(value));
    else if (value && typeof value === 'object') Object.values(value).forEach(leaves);
  };
  const masked = (value: unknown, mask: unknown) => {
    if (mask === true) return leaves(value);
    if (mask && typeof mask === 'object' && value && typeof value === 'object') {
      for (const [key, sub] of Object.entries(mask))
        masked((value as Record<string, unknown>)[key], sub);
    }
  };
  for (const list of ['resource_changes', 'resource_drift']) {
    for (const entry of (document[list] as { change: Record<string, unknown> }[] | undefined) ??
      []) {
      masked(entry.change['before'], entry.change['before_sensitive']);
      masked(entry.change['after'], entry.change['after_sensitive']);
    }
  }
  const outputs = (document['output_changes'] ?? {}) as Record<string, Record<string, unknown>>;
  const planned = ((document['planned_values'] as Record<string, unknown> | undefined)?.[
    'outputs'
  ] ?? {}) as Record<string, { sensitive?: boolean }>;
  for (const [name, change] of Object.entries(outputs)) {
    const always = planned[name]?.sensitive === true;
    masked(change['before'], always || change['before_sensitive']);
    masked(change['after'], always || change['after_sensitive']);
  }
  const configuration = document['configuration'] as
    { root_module?: { variables?: Record<string, { sensitive?: boolean }> } } | undefined;
  const variables = (document['variables'] ?? {}) as Record<string, { value?: unknown }>;
  for (const [name, declaration] of Object.entries(configuration?.root_module?.variables ?? {})) {
    if (declaration.sensitive) leaves(variables[name]?.value);
  }
  return out.filter((value) => value.length >= 3);
}

describe('plan JSON corpus', () => {
  if (files.length === 0) {
    it.skip(`needs ${corpus} (present beside the checkout in CI); not found, so skipped`, () =>
      undefined);
    return;
  }

  it.each(files)('%s renders within limits and without sensitive values', (name) => {
    const text = readFileSync(join(corpus, name), 'utf8');
    const document = JSON.parse(text) as Record<string, unknown>;
    const plan = parsePlan(text);
    const digest = planDigest(plan);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    // Reading only the needed sections gives the same model as parsing everything.
    expect(readPlanSections(text)).toBeDefined();
    const full = readPlan(JSON.parse(text));
    expect(planDigest(full)).toBe(digest);
    expect([...plan.sensitiveStrings].sort()).toEqual([...full.sensitiveStrings].sort());
    expect(renderPlanComment(plan, { stack: 's' })).toBe(renderPlanComment(full, { stack: 's' }));

    const context = {
      stack: 'corpus',
      commitSha: 'a1b2c3d4',
      runId: '7',
      runUrl: 'https://github.example/r/7',
      digest,
    };
    const comment = renderPlanComment(plan, context);
    const summary = renderPlanSummary(plan, context);
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(comment).toContain('<!-- multicloud:plan stack=corpus -->');
    expect(comment).toContain(digest);
    // Addresses and names come from the configuration, not from values: a resource may be
    // called `bar` while a sensitive value is "bar" too.
    const names = [
      ...plan.resourceChanges.map((change) => change.address),
      ...plan.outputChanges.map((output) => output.name),
    ];
    const valuesOnly = (text: string) =>
      names.reduce((rest, name) => rest.split(name).join('<name>'), text);
    for (const secret of sensitiveValues(document)) {
      expect(valuesOnly(comment)).not.toContain(secret);
      expect(valuesOnly(summary)).not.toContain(secret);
    }
    for (const change of plan.resourceChanges) {
      if (change.kind === 'destroy' || change.kind === 'replace')
        expect(comment).toContain(change.address);
    }

    // The table's quick attribute names agree with the full attribute diff.
    for (const change of [...plan.resourceChanges, ...plan.resourceDrift]) {
      const args = [
        change.before,
        change.after,
        change.beforeSensitive,
        change.afterSensitive,
        change.afterUnknown,
      ] as const;
      expect(changedTopLevelAttributes(...args)).toEqual(
        [...new Set(attributeChanges(...args).map((row) => row.attribute))].sort(),
      );
    }

    const findings = findDrift(plan, plan);
    const issue = renderDriftIssue(findings, plan, plan, { ...context, foundAt: new Date(0) });
    expect(issue.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    for (const secret of sensitiveValues(document)) expect(valuesOnly(issue)).not.toContain(secret);
  });

  it('shows what changed outside Terraform for the files with resource_drift', () => {
    const driftFiles = files.filter((name) =>
      readFileSync(join(corpus, name), 'utf8').includes('"resource_drift"'),
    );
    expect(driftFiles.length).toBeGreaterThan(0);
    for (const name of driftFiles) {
      const plan = parsePlan(readFileSync(join(corpus, name), 'utf8'));
      if (plan.resourceDrift.length === 0) continue;
      const issue = renderDriftIssue(findDrift(plan, plan), plan, plan, {
        stack: 's',
        foundAt: new Date(0),
      });
      expect(issue).toContain(`#### Changed outside Terraform (${plan.resourceDrift.length})`);
      for (const change of plan.resourceDrift) expect(issue).toContain(change.address);
    }
    // What changed, attribute by attribute, as OpenTofu saw it.
    const tofu = parsePlan(readFileSync(join(corpus, 'opentofu--drift.json'), 'utf8'));
    const issue = renderDriftIssue(findDrift(tofu, tofu), tofu, tofu, {
      stack: 's',
      foundAt: new Date(0),
    });
    expect(issue).toContain(
      '| `test_instance.should_refresh` | `ami` | `"refresh-me"` | `"refreshed"` |',
    );
    expect(issue).toContain('#### In the code but not applied (2)');
  });

  it('marks the sensitive attribute and output of the sensitive-values files', () => {
    const plan = parsePlan(readFileSync(join(corpus, 'opentofu--sensitive-values.json'), 'utf8'));
    const comment = renderPlanComment(plan, { stack: 's' });
    expect(comment).toContain('| `test` | create | (sensitive) |');
    expect(comment).not.toContain('boop');
  });
});
