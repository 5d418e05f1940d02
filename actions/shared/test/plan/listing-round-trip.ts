/**
 * The codec's round trip, checked the same way for every plan a test has (the corpora, the
 * project's own Terraform plans, synthetic ones): render the sticky comment, read its listing
 * back, and compare with the plan's own listing; and prove the listing holds no value.
 */
import { expect } from '@jest/globals';
import { brotliDecompressSync } from 'node:zlib';
import { readPlanListing } from '../../src/plan/plan-comment.js';
import {
  isDestructiveListing,
  planListing,
  type PlanListing,
} from '../../src/plan/plan-listing.js';
import type { PlanModel } from '../../src/plan/plan-model.js';
import { renderPlanComment, type ReportContext } from '../../src/plan/plan-report.js';
import { COMMENT_LIMIT, STATUS_RESERVE } from '../../src/plan/report-budget.js';

/** The listing line of a comment body, and the JSON text it carries. */
export function listingOf(body: string): { line: string; json: string } | undefined {
  const line = body.split('\n').find((text) => text.startsWith('<!-- multicloud:plan-listing'));
  const match = line && /^<!-- multicloud:plan-listing v1 (json|br-base64) (.*) -->$/.exec(line);
  if (!line || !match) return undefined;
  const data = match[2] as string;
  const json =
    match[1] === 'json' ? data : brotliDecompressSync(Buffer.from(data, 'base64')).toString();
  return { line, json };
}

/** A comment body without its listing line (to check the visible text on its own). */
export function withoutListing(body: string): string {
  return body
    .split('\n')
    .filter((line) => !line.startsWith('<!-- multicloud:plan-listing'))
    .join('\n');
}

function topLevelKeys(value: unknown): string[] {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.keys(value)
    : [];
}

/**
 * Every string the listing may hold for this plan: names from the configuration and the
 * provider schema, Terraform's action and reason codes, and the comment's own header. Found
 * from the plan model, independently of the codec.
 */
function allowedStrings(plan: PlanModel, context: ReportContext): Set<string> {
  const allowed = new Set<string>([context.stack, context.digest ?? '', context.commitSha ?? '']);
  for (const change of plan.resourceChanges) {
    for (const text of [
      change.address,
      change.previousAddress,
      change.deposed,
      change.actionReason,
    ])
      if (text !== undefined) allowed.add(text);
    for (const action of change.actions) allowed.add(action);
    for (const side of [change.before, change.after, change.afterUnknown])
      for (const key of topLevelKeys(side)) allowed.add(key);
  }
  for (const output of plan.outputChanges) {
    allowed.add(output.name);
    for (const action of output.actions) allowed.add(action);
  }
  return allowed;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((item) => strings(item));
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

function keyOf(resource: PlanListing['resources'][number]): string {
  return `${resource.address}\u0000${resource.deposed ?? ''}`;
}

/**
 * Renders `plan`'s comment and reads the listing back: it equals the plan's own listing, or is
 * declared partial and still holds every destroy and replacement. Returns the comment.
 */
export function expectListingRoundTrip(
  plan: PlanModel,
  context: ReportContext = { stack: 'round-trip', digest: 'e'.repeat(64), commitSha: 'a1b2c3d' },
): string {
  const body = renderPlanComment(plan, context);
  expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT - STATUS_RESERVE);
  const own = planListing(plan);
  const back = readPlanListing(body, context.stack);
  if (back.state === 'unavailable') throw new Error(`listing unavailable: ${back.reason}`);
  if (back.state === 'complete') {
    expect(back.listing).toEqual(own);
  } else {
    expect(back.everyDestroyKept).toBe(true);
    const kept = new Map(back.listing.resources.map((resource) => [keyOf(resource), resource]));
    for (const resource of own.resources.filter(isDestructiveListing))
      expect(kept.get(keyOf(resource))).toEqual(resource);
    const ownKeys = new Map(own.resources.map((resource) => [keyOf(resource), resource]));
    for (const resource of back.listing.resources)
      expect(ownKeys.get(keyOf(resource))).toEqual(resource);
    expect(back.listing.resources.length + back.resourcesLeftOut).toBe(own.resources.length);
    expect(back.listing.outputs.length + back.outputsLeftOut).toBe(own.outputs.length);
  }
  // Never a value: every string in the listing is a name, a code or the header.
  const listing = listingOf(body);
  if (!listing) throw new Error('the comment has no listing line');
  const document = JSON.parse(listing.json) as Record<string, unknown>;
  const allowed = allowedStrings(plan, context);
  const { partial, ...rest } = document;
  for (const text of strings(rest))
    expect(allowed.has(text) ? text : `not a name: ${text}`).toBe(text);
  if (partial !== undefined) {
    expect(Object.keys(partial as object).sort()).toEqual([
      'every_destroy_and_replace',
      'kept',
      'outputs_left_out',
      'resources_left_out',
    ]);
  }
  // Safe inside an HTML comment: nothing between its delimiters could end it early.
  const inner = listing.line.slice('<!--'.length, -'-->'.length);
  expect(inner).not.toContain('--');
  return body;
}
