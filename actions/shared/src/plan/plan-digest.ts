/**
 * The plan digest: a sha256 over a canonical form of the planned resource and output changes.
 * Apply recomputes it from `terraform show -json` of its own plan and compares it with the
 * digest printed in the reviewed pull request's comment, so this form is a contract: see
 * docs/adr/0003-plan-digest.md. Changing it means a new version tag (`v`), never a silent edit.
 *
 * Canonical form (version 2), serialized as JSON with object keys sorted by UTF-16 code unit
 * order, no whitespace, numbers as JavaScript's JSON.stringify prints them:
 *
 *   { "v": 2,
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
 * outputs) replaced by
 *   - with a digest key (the `digest-key` secret): {"(sensitive)":"hmac-sha256:<hex>"}, the
 *     HMAC-SHA256 under that key of the part's canonical JSON text, so a sensitive value changed
 *     after review changes the digest, and nobody without the key can test guesses against it;
 *   - without one: {"(sensitive)":"changed"|"unchanged"} (compared with the value at the same
 *     path on the other side), which lets nothing be guessed but cannot see a new value;
 * and every part that after_unknown marks unknown replaced by {"(unknown)":true}. A plain or
 * salted hash of a sensitive value is never used: the digest is public, and a short secret
 * could be found by trying values. Timestamps, terraform_version, format_version, prior_state,
 * planned_values, configuration, resource_drift and the ordering of resource_changes never
 * enter the digest.
 */
import { createHash, createHmac } from 'node:crypto';
import type { OutputChange, PlanModel, ResourceChange } from './plan-model.js';

export const PLAN_DIGEST_VERSION = 2;

/** The `digest-key` secret, and the public name of it the comment carries (`key=` in plan-meta). */
export interface DigestKey {
  readonly secret: Buffer;
  /** First 16 hex characters of HMAC-SHA256(secret, KEY_ID_LABEL): names the key, reveals nothing of it. */
  readonly id: string;
}

/** The `key=` a digest made without a key carries. */
export const NO_DIGEST_KEY = 'none';
const KEY_ID_LABEL = 'multicloud plan-digest key id';

export function digestKeyFrom(text: string): DigestKey {
  const secret = Buffer.from(text, 'utf8');
  return {
    secret,
    id: createHmac('sha256', secret).update(KEY_ID_LABEL).digest('hex').slice(0, 16),
  };
}

/** `key=` of a digest made with `key` (or without one). */
export function digestKeyId(key: DigestKey | undefined): string {
  return key?.id ?? NO_DIGEST_KEY;
}

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

/** What a sensitive part becomes in the canonical text, given the value on the other side. */
type SensitiveText = (value: unknown, other: unknown) => string;

function sensitiveTextFor(key: DigestKey | undefined): SensitiveText {
  if (!key)
    return (value, other) => (sameJson(value, other) ? SENSITIVE_UNCHANGED : SENSITIVE_CHANGED);
  return (value) =>
    `{"(sensitive)":"hmac-sha256:${createHmac('sha256', key.secret).update(canonicalPlain(value), 'utf8').digest('hex')}"}`;
}

const UNKEYED = sensitiveTextFor(undefined);

/**
 * The canonical JSON text of `value` with sensitive parts replaced (`sensitiveText`, from the
 * value and `other`, the value on the other side of the change at the same path) and unknown
 * parts marked. Written straight to text in one walk: plans can hold tens of thousands of
 * resources.
 */
function canonicalValueText(
  value: unknown,
  sensitive: unknown,
  unknown: unknown,
  other: unknown,
  sensitiveText: SensitiveText,
): string {
  if (sensitive === true) return sensitiveText(value, other);
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
        sensitiveText,
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
    out += `${JSON.stringify(key)}:${canonicalValueText(object[key], sensitiveObject[key], unknownObject[key], masked ? otherObject[key] : undefined, sensitiveText)}`;
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
export function canonicalResourceText(
  change: ResourceChange,
  sensitiveText: SensitiveText = UNKEYED,
): string {
  let out = '{';
  if (change.actionReason !== undefined)
    out += `"action_reason":${JSON.stringify(change.actionReason)},`;
  out += `"actions":${JSON.stringify(change.actions)},"address":${JSON.stringify(change.address)}`;
  out += `,"after":${canonicalValueText(change.after, change.afterSensitive, change.afterUnknown, change.before, sensitiveText)}`;
  out += `,"before":${canonicalValueText(change.before, change.beforeSensitive, false, change.after, sensitiveText)}`;
  if (change.deposed !== undefined) out += `,"deposed":${JSON.stringify(change.deposed)}`;
  if (change.importingId !== undefined)
    out += `,"importing_id":${JSON.stringify(change.importingId)}`;
  if (change.importingIdentity !== undefined)
    out += `,"importing_identity":${canonicalPlain(change.importingIdentity)}`;
  if (change.previousAddress !== undefined)
    out += `,"previous_address":${JSON.stringify(change.previousAddress)}`;
  return `${out}}`;
}

export function canonicalOutputText(
  change: OutputChange,
  sensitiveText: SensitiveText = UNKEYED,
): string {
  return (
    `{"actions":${JSON.stringify(change.actions)}` +
    `,"after":${canonicalValueText(change.after, change.afterSensitive, change.afterUnknown, change.before, sensitiveText)}` +
    `,"before":${canonicalValueText(change.before, change.beforeSensitive, false, change.after, sensitiveText)}` +
    `,"name":${JSON.stringify(change.name)}}`
  );
}

/**
 * The canonical form of one resource change as a value, without a key (for the drift
 * fingerprint, which is public and compared between runs).
 */
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
function writeCanonicalPlan(
  plan: PlanModel,
  key: DigestKey | undefined,
  write: (text: string) => void,
): void {
  const { resources, outputs } = digestEntries(plan);
  const sensitiveText = sensitiveTextFor(key);
  write('{"outputs":[');
  outputs.forEach((change, index) =>
    write((index > 0 ? ',' : '') + canonicalOutputText(change, sensitiveText)),
  );
  write('],"resources":[');
  resources.forEach((change, index) =>
    write((index > 0 ? ',' : '') + canonicalResourceText(change, sensitiveText)),
  );
  write(`],"v":${PLAN_DIGEST_VERSION}}`);
}

/** The canonical text the digest hashes (no sensitive value in clear, with or without a key). */
export function canonicalPlanText(plan: PlanModel, key?: DigestKey): string {
  let text = '';
  writeCanonicalPlan(plan, key, (piece) => {
    text += piece;
  });
  return text;
}

/** 64 lowercase hex characters; `key`: the digest-key, when one is given. */
export function planDigest(plan: PlanModel, key?: DigestKey): string {
  const hash = createHash('sha256');
  writeCanonicalPlan(plan, key, (piece) => hash.update(piece, 'utf8'));
  return hash.digest('hex');
}

/**
 * Per-address digests, so a mismatch can say which resources differ ("2 resources differ")
 * without printing any value.
 */
export function resourceDigests(plan: PlanModel, key?: DigestKey): Map<string, string> {
  const out = new Map<string, string>();
  const { resources, outputs } = digestEntries(plan);
  const sensitiveText = sensitiveTextFor(key);
  for (const change of resources) {
    const name = change.deposed ? `${change.address} (deposed ${change.deposed})` : change.address;
    out.set(
      name,
      createHash('sha256').update(canonicalResourceText(change, sensitiveText)).digest('hex'),
    );
  }
  for (const change of outputs) {
    out.set(
      `output.${change.name}`,
      createHash('sha256').update(canonicalOutputText(change, sensitiveText)).digest('hex'),
    );
  }
  return out;
}
