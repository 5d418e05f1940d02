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
 *         "action_reason"?, "importing_id"?, "importing_identity"?,
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

function hasKeys(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const _ in value) return true;
  return false;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Keys in UTF-16 code unit order; show -json already sorts them, so this is usually a check. */
function sortedKeys(object: Record<string, unknown>): string[] {
  const keys = Object.keys(object);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) return keys.sort();
  }
  return keys;
}

const SENSITIVE_CHANGED = '{"(sensitive)":"changed"}';
const SENSITIVE_UNCHANGED = '{"(sensitive)":"unchanged"}';
const UNKNOWN = '{"(unknown)":true}';

/**
 * The canonical JSON text of `value` with sensitive parts replaced by whether they differ from
 * `other` (the value on the other side of the change, at the same path) and unknown parts
 * marked. Written straight to text in one walk: plans can hold tens of thousands of resources.
 */
function canonicalValueText(
  value: unknown,
  sensitive: unknown,
  unknown: unknown,
  other: unknown,
): string {
  if (sensitive === true) return sameJson(value, other) ? SENSITIVE_UNCHANGED : SENSITIVE_CHANGED;
  if (unknown === true) return UNKNOWN;
  if (value === null || value === undefined) {
    if (!hasKeys(unknown)) return 'null';
  } else if (typeof value !== 'object') {
    return JSON.stringify(value);
  }
  const masked = hasKeys(sensitive);
  const marked = hasKeys(unknown);
  if (Array.isArray(value) || Array.isArray(unknown)) {
    const list = Array.isArray(value) ? value : [];
    if (!masked && !marked) return canonicalPlain(list);
    const sensitiveList = (Array.isArray(sensitive) ? sensitive : []) as unknown[];
    const unknownList = (Array.isArray(unknown) ? unknown : []) as unknown[];
    const otherList = Array.isArray(other) ? other : [];
    const length = Math.max(list.length, unknownList.length);
    let out = '[';
    for (let i = 0; i < length; i++) {
      if (i > 0) out += ',';
      out += canonicalValueText(
        list[i],
        sensitiveList[i],
        unknownList[i],
        masked ? otherList[i] : undefined,
      );
    }
    return `${out}]`;
  }
  const object = (isPlainObject(value) ? value : {}) as Record<string, unknown>;
  if (!masked && !marked) return canonicalPlain(object);
  const sensitiveObject = (isPlainObject(sensitive) ? sensitive : {}) as Record<string, unknown>;
  const unknownObject = (isPlainObject(unknown) ? unknown : {}) as Record<string, unknown>;
  const otherObject = (isPlainObject(other) ? other : {}) as Record<string, unknown>;
  let keys = sortedKeys(object);
  const extra = Object.keys(unknownObject).filter(
    (key) => unknownObject[key] === true && !(key in object),
  );
  if (extra.length > 0) keys = [...keys, ...extra].sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    out += `${JSON.stringify(key)}:${canonicalValueText(object[key], sensitiveObject[key], unknownObject[key], masked ? otherObject[key] : undefined)}`;
  }
  return `${out}}`;
}

/** Canonical text of a value with no markers inside. */
function canonicalPlain(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonicalPlain(value[i]);
    }
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  const keys = sortedKeys(object);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    out += `${JSON.stringify(key)}:${canonicalPlain(object[key])}`;
  }
  return `${out}}`;
}

/** JSON with object keys sorted, so the same data always gives the same text. */
export function canonicalJson(value: Json): string {
  return canonicalPlain(value);
}

export function isDigestRelevant(change: ResourceChange): boolean {
  return (
    change.kind !== 'no-op' || change.previousAddress !== undefined || change.importing === true
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical text of one resource change: keys in sorted order, written directly. */
export function canonicalResourceText(change: ResourceChange): string {
  let out = '{';
  if (change.actionReason !== undefined)
    out += `"action_reason":${JSON.stringify(change.actionReason)},`;
  out += `"actions":${JSON.stringify(change.actions)},"address":${JSON.stringify(change.address)}`;
  out += `,"after":${canonicalValueText(change.after, change.afterSensitive, change.afterUnknown, change.before)}`;
  out += `,"before":${canonicalValueText(change.before, change.beforeSensitive, false, change.after)}`;
  if (change.deposed !== undefined) out += `,"deposed":${JSON.stringify(change.deposed)}`;
  if (change.importingId !== undefined)
    out += `,"importing_id":${JSON.stringify(change.importingId)}`;
  if (change.importingIdentity !== undefined)
    out += `,"importing_identity":${canonicalPlain(change.importingIdentity)}`;
  if (change.previousAddress !== undefined)
    out += `,"previous_address":${JSON.stringify(change.previousAddress)}`;
  return `${out}}`;
}

export function canonicalOutputText(change: OutputChange): string {
  return (
    `{"actions":${JSON.stringify(change.actions)}` +
    `,"after":${canonicalValueText(change.after, change.afterSensitive, change.afterUnknown, change.before)}` +
    `,"before":${canonicalValueText(change.before, change.beforeSensitive, false, change.after)}` +
    `,"name":${JSON.stringify(change.name)}}`
  );
}

/** The canonical form of one resource change as a value (for fingerprints built on it). */
export function canonicalResource(change: ResourceChange): Json {
  return JSON.parse(canonicalResourceText(change)) as Json;
}

export function canonicalOutput(change: OutputChange): Json {
  return JSON.parse(canonicalOutputText(change)) as Json;
}

function digestEntries(plan: PlanModel): { resources: ResourceChange[]; outputs: OutputChange[] } {
  const resources = plan.resourceChanges
    .filter(isDigestRelevant)
    .sort(
      (a, b) =>
        compareStrings(a.address, b.address) || compareStrings(a.deposed ?? '', b.deposed ?? ''),
    );
  const outputs = plan.outputChanges
    .filter((change) => change.kind !== 'no-op')
    .sort((a, b) => compareStrings(a.name, b.name));
  return { resources, outputs };
}

/**
 * Feeds the canonical text to `write` piece by piece, so the digest of a huge plan never holds
 * the whole text in memory. The pieces joined are exactly canonicalPlanText(plan).
 */
function writeCanonicalPlan(plan: PlanModel, write: (text: string) => void): void {
  const { resources, outputs } = digestEntries(plan);
  write('{"outputs":[');
  outputs.forEach((change, index) => write((index > 0 ? ',' : '') + canonicalOutputText(change)));
  write('],"resources":[');
  resources.forEach((change, index) =>
    write((index > 0 ? ',' : '') + canonicalResourceText(change)),
  );
  write(`],"v":${PLAN_DIGEST_VERSION}}`);
}

/** The canonical text the digest hashes (exported so apply can explain a mismatch). */
export function canonicalPlanText(plan: PlanModel): string {
  let text = '';
  writeCanonicalPlan(plan, (piece) => {
    text += piece;
  });
  return text;
}

/** 64 lowercase hex characters. */
export function planDigest(plan: PlanModel): string {
  const hash = createHash('sha256');
  writeCanonicalPlan(plan, (piece) => hash.update(piece, 'utf8'));
  return hash.digest('hex');
}

/**
 * Per-address digests, so a mismatch can say which resources differ ("2 resources differ")
 * without printing any value.
 */
export function resourceDigests(plan: PlanModel): Map<string, string> {
  const out = new Map<string, string>();
  const { resources, outputs } = digestEntries(plan);
  for (const change of resources) {
    const key = change.deposed ? `${change.address} (deposed ${change.deposed})` : change.address;
    out.set(key, createHash('sha256').update(canonicalResourceText(change)).digest('hex'));
  }
  for (const change of outputs) {
    out.set(
      `output.${change.name}`,
      createHash('sha256').update(canonicalOutputText(change)).digest('hex'),
    );
  }
  return out;
}
