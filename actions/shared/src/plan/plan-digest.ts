/**
 * The plan digest: a sha256 over a canonical form of the planned resource and output changes.
 * Apply recomputes it from `terraform show -json` of its own plan and compares it with the
 * digest printed in the reviewed pull request's comment, so this form is a contract: see
 * docs/adr/0003-plan-digest.md. Changing it means a new version tag (`v`), never a silent edit.
 *
 * Canonical form (version 1), serialized as JSON with object keys sorted by UTF-16 code unit
 * order, no whitespace, numbers as JavaScript's JSON.stringify prints them:
 *
 *   { "v": 1,
 *     "resources": [ one entry per resource_changes item whose actions are not ["no-op"], plus
 *                    no-op items that move (previous_address) or import (change.importing),
 *                    sorted by address, then deposed key:
 *       { "address", "previous_address"?, "deposed"?, "actions" (as planned, in order),
 *         "action_reason"?, "importing_id"?,
 *         "before": value, "after": value } ],
 *     "outputs": [ one entry per output_changes item whose actions are not ["no-op"], sorted by
 *                  name: { "name", "actions", "before": value, "after": value } ] }
 *
 * where each value has every sensitive part (before_sensitive / after_sensitive, sensitive
 * outputs) replaced by {"(sensitive)": "changed" | "unchanged"} (compared with the value at
 * the same path on the other side), and every part that after_unknown marks unknown replaced by
 * {"(unknown)": true}. Sensitive values are left out because a hash of a short secret can be
 * guessed by trying values. Timestamps, terraform_version, format_version, prior_state,
 * planned_values, configuration, resource_drift and the ordering of resource_changes never
 * enter the digest.
 */
import { createHash } from 'node:crypto';
import type { OutputChange, PlanModel, ResourceChange } from './plan-model.js';

export const PLAN_DIGEST_VERSION = 1;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(value: unknown, key: string | number): unknown {
  if (Array.isArray(value) && typeof key === 'number') return value[key];
  if (isPlainObject(value) && typeof key === 'string') return value[key];
  return undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Copies `value` with sensitive parts replaced by whether they differ from `other` (the value
 * on the other side of the change, at the same path) and unknown parts marked.
 */
function canonicalValue(
  value: unknown,
  sensitive: unknown,
  unknown: unknown,
  other: unknown,
): Json {
  if (sensitive === true) {
    return { '(sensitive)': sameJson(value, other) ? 'unchanged' : 'changed' };
  }
  if (unknown === true) return { '(unknown)': true };
  if (Array.isArray(value) || Array.isArray(unknown)) {
    const list = Array.isArray(value) ? value : [];
    const sensitiveList = Array.isArray(sensitive) ? sensitive : [];
    const unknownList = Array.isArray(unknown) ? unknown : [];
    const length = Math.max(list.length, unknownList.length);
    const out: Json[] = new Array<Json>(length);
    for (let i = 0; i < length; i++) {
      out[i] = canonicalValue(list[i], sensitiveList[i], unknownList[i], valueAt(other, i));
    }
    return out;
  }
  if (isPlainObject(value) || isPlainObject(unknown)) {
    const object = isPlainObject(value) ? value : {};
    const sensitiveObject = isPlainObject(sensitive) ? sensitive : {};
    const unknownObject = isPlainObject(unknown) ? unknown : {};
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(object)) {
      out[key] = canonicalValue(
        object[key],
        sensitiveObject[key],
        unknownObject[key],
        valueAt(other, key),
      );
    }
    for (const key of Object.keys(unknownObject)) {
      if (!(key in out) && unknownObject[key] === true) out[key] = { '(unknown)': true };
    }
    return out;
  }
  if (value === undefined) return null;
  return value as Json;
}

/** JSON with object keys sorted, so the same data always gives the same text. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(value[key] as Json)}`;
  }
  return `${out}}`;
}

export function isDigestRelevant(change: ResourceChange): boolean {
  return (
    change.kind !== 'no-op' || change.previousAddress !== undefined || change.importing === true
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function canonicalResource(change: ResourceChange): Json {
  const entry: { [key: string]: Json } = {
    address: change.address,
    actions: change.actions,
    before: canonicalValue(change.before, change.beforeSensitive, false, change.after),
    after: canonicalValue(change.after, change.afterSensitive, change.afterUnknown, change.before),
  };
  if (change.previousAddress !== undefined) entry['previous_address'] = change.previousAddress;
  if (change.deposed !== undefined) entry['deposed'] = change.deposed;
  if (change.actionReason !== undefined) entry['action_reason'] = change.actionReason;
  if (change.importingId !== undefined) entry['importing_id'] = change.importingId;
  return entry;
}

export function canonicalOutput(change: OutputChange): Json {
  return {
    name: change.name,
    actions: change.actions,
    before: canonicalValue(change.before, change.beforeSensitive, false, change.after),
    after: canonicalValue(change.after, change.afterSensitive, change.afterUnknown, change.before),
  };
}

/** The canonical text the digest hashes (exported so apply can explain a mismatch). */
export function canonicalPlanText(plan: PlanModel): string {
  const resources = plan.resourceChanges
    .filter(isDigestRelevant)
    .sort(
      (a, b) =>
        compareStrings(a.address, b.address) || compareStrings(a.deposed ?? '', b.deposed ?? ''),
    )
    .map(canonicalResource);
  const outputs = plan.outputChanges
    .filter((change) => change.kind !== 'no-op')
    .sort((a, b) => compareStrings(a.name, b.name))
    .map(canonicalOutput);
  return canonicalJson({ v: PLAN_DIGEST_VERSION, resources, outputs });
}

/** 64 lowercase hex characters. */
export function planDigest(plan: PlanModel): string {
  return createHash('sha256').update(canonicalPlanText(plan), 'utf8').digest('hex');
}

/**
 * Per-address digests, so a mismatch can say which resources differ ("2 resources differ")
 * without printing any value.
 */
export function resourceDigests(plan: PlanModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const change of plan.resourceChanges) {
    if (!isDigestRelevant(change)) continue;
    const key = change.deposed ? `${change.address} (deposed ${change.deposed})` : change.address;
    out.set(
      key,
      createHash('sha256')
        .update(canonicalJson(canonicalResource(change)))
        .digest('hex'),
    );
  }
  for (const change of plan.outputChanges) {
    if (change.kind === 'no-op') continue;
    out.set(
      `output.${change.name}`,
      createHash('sha256')
        .update(canonicalJson(canonicalOutput(change)))
        .digest('hex'),
    );
  }
  return out;
}
