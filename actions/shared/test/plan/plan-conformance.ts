/**
 * What every plan must satisfy, whoever made it (the real-world corpora beside the checkout,
 * the project's own Terraform plans, hand-written aws/azurerm plans): it renders to a comment
 * within GitHub's 65,536-character limit and a job summary within 1 MiB, the comment names
 * every destroy and replacement, and no value under a sensitive mark (or of a sensitive root
 * variable or output) appears in the comment, the summary, the drift issue or its summary.
 */
import { expect } from '@jest/globals';
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
  renderDriftSummary,
  renderPlanComment,
  renderPlanSummary,
  SUMMARY_LIMIT_BYTES,
  type PlanModel,
} from '../../src/plan/index.js';

type Json = Record<string, unknown>;

/**
 * Sensitive values, found independently of the code under test: every leaf under a `true`
 * in before_sensitive/after_sensitive (resource changes and drift), the values of sensitive
 * outputs, and the values of root variables declared sensitive (`show -json` prints them in
 * clear). Values shorter than three characters are left out: "1" or "no" is in any report.
 */
export function sensitiveValues(document: Json): string[] {
  const out: string[] = [];
  const leaves = (value: unknown) => {
    if (typeof value === 'string' || typeof value === 'number') out.push(String(value));
    else if (value && typeof value === 'object') Object.values(value).forEach(leaves);
  };
  const masked = (value: unknown, mask: unknown) => {
    if (mask === true) return leaves(value);
    if (mask && typeof mask === 'object' && value && typeof value === 'object') {
      for (const [key, sub] of Object.entries(mask)) masked((value as Json)[key], sub);
    }
  };
  for (const list of ['resource_changes', 'resource_drift']) {
    for (const entry of (document[list] as { change: Json }[] | undefined) ?? []) {
      masked(entry.change['before'], entry.change['before_sensitive']);
      masked(entry.change['after'], entry.change['after_sensitive']);
    }
  }
  const outputs = (document['output_changes'] ?? {}) as Record<string, Json>;
  const planned = ((document['planned_values'] as Json | undefined)?.['outputs'] ?? {}) as Record<
    string,
    { sensitive?: boolean }
  >;
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
  return [...new Set(out.filter((value) => value.length >= 3))];
}

/** `text` with the plan's addresses and output names replaced: names are not values. */
function valuesOnly(plan: PlanModel): (text: string) => string {
  // Addresses and names come from the configuration, not from values: a resource may be
  // called `bar` while a sensitive value is "bar" too. Longest first, so that a name inside
  // a longer address does not split it.
  const names = [
    ...plan.resourceChanges.map((change) => change.address),
    ...plan.resourceDrift.map((change) => change.address),
    ...plan.outputChanges.map((output) => output.name),
  ].sort((a, b) => b.length - a.length);
  return (text) => names.reduce((rest, name) => rest.split(name).join('<name>'), text);
}

function expectNoSecret(secrets: readonly string[], shown: string, where: string): void {
  const leaked = secrets.filter((secret) => shown.includes(secret));
  expect({ where, leaked }).toEqual({ where, leaked: [] });
}

/** Reading only the needed sections gives the same model as parsing the whole document. */
function expectSameModelFromSections(text: string, plan: PlanModel): void {
  expect(readPlanSections(text)).toBeDefined();
  const full = readPlan(JSON.parse(text));
  expect(planDigest(full)).toBe(planDigest(plan));
  expect([...plan.sensitiveStrings].sort()).toEqual([...full.sensitiveStrings].sort());
  expect(renderPlanComment(plan, { stack: 's' })).toBe(renderPlanComment(full, { stack: 's' }));
}

/** The table's quick attribute names agree with the full attribute diff. */
function expectAttributeNamesAgree(plan: PlanModel): void {
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
}

/**
 * The addresses of the resources that changed outside Terraform, read from the document
 * without the code under test. Terraform 1.0.0 wrote resource_drift entries without `address`
 * and listed unchanged resources too (hashicorp/terraform#28975): the address is then built
 * from its parts, and an entry whose values did not change is not drift.
 */
export function driftedAddresses(document: Json): string[] {
  const addresses: string[] = [];
  for (const entry of (document['resource_drift'] as Json[] | undefined) ?? []) {
    const change = entry['change'] as Json;
    const unchanged =
      JSON.stringify(change['before']) === JSON.stringify(change['after']) &&
      JSON.stringify(change['before_sensitive']) === JSON.stringify(change['after_sensitive']);
    if (unchanged && (change['actions'] as string[]).join() !== 'delete') continue;
    const index = entry['index'];
    const parts = [
      entry['module_address'],
      entry['mode'] === 'data' ? 'data' : undefined,
      entry['type'],
      entry['name'],
    ].filter((part) => typeof part === 'string' && part !== '');
    const key = index === undefined || index === null ? '' : `[${JSON.stringify(index)}]`;
    addresses.push((entry['address'] as string | undefined) ?? `${parts.join('.')}${key}`);
  }
  return addresses;
}

/** The drift issue names every drifted resource, with a row that says what changed. */
function expectDriftShown(document: Json, issue: string): void {
  const drifted = driftedAddresses(document);
  expect(issue).toContain(`drifted=${drifted.length} `);
  if (!issue.includes('not shown here')) {
    for (const address of drifted) expect(issue).toContain(address);
  }
  // A row with an empty attribute cell says nothing about what changed.
  expect(issue).not.toMatch(/^\| `[^\n]*` \| \| \|/m);
}

/** Every check above, for one plan JSON document (the text `terraform show -json` wrote). */
export function expectPlanConformance(text: string): void {
  const document = JSON.parse(text) as Json;
  const plan = parsePlan(text);
  const digest = planDigest(plan);
  expect(digest).toMatch(/^[0-9a-f]{64}$/);
  expectSameModelFromSections(text, plan);

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
  expect(Buffer.byteLength(summary, 'utf8')).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
  expect(comment).toContain('<!-- multicloud:plan stack=corpus -->');
  expect(comment).toContain(digest);
  for (const change of plan.resourceChanges) {
    if (change.kind === 'destroy' || change.kind === 'replace')
      expect(comment).toContain(change.address);
  }
  expectAttributeNamesAgree(plan);

  const findings = findDrift(plan, plan);
  const driftContext = { ...context, foundAt: new Date(0) };
  const issue = renderDriftIssue(findings, plan, plan, driftContext);
  const driftSummary = renderDriftSummary(findings, plan, plan, driftContext);
  expect(issue.length).toBeLessThanOrEqual(COMMENT_LIMIT);
  expectDriftShown(document, issue);
  expect(Buffer.byteLength(driftSummary, 'utf8')).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);

  const secrets = sensitiveValues(document);
  const shown = valuesOnly(plan);
  expectNoSecret(secrets, shown(comment), 'comment');
  expectNoSecret(secrets, shown(summary), 'job summary');
  expectNoSecret(secrets, shown(issue), 'drift issue');
  expectNoSecret(secrets, shown(driftSummary), 'drift job summary');
}
