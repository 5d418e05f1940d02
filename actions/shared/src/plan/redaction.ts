/**
 * The last line of defence against leaking a sensitive value: Terraform's markers are applied
 * first (attribute-diff, plan-digest), and then any text that is about to be shown is checked
 * against every value the plan marks sensitive anywhere, because a provider can copy a marked
 * value into an unmarked attribute (terraform_data's `output` does), and `show -json` prints
 * sensitive root variables in clear.
 */
import type { Leaf } from './attribute-diff.js';
import { truncate } from './markdown.js';
import type { PlanModel } from './plan-model.js';

export const SENSITIVE_TEXT = '(sensitive)';

/** Substring matching only for values long enough not to match by chance everywhere. */
const SUBSTRING_MIN_LENGTH = 3;

/** Stands for a redacted leaf inside a structured value while it is turned into JSON. */
const LEAF_TOKEN = '\u0000multicloud-sensitive\u0000';
const QUOTED_LEAF_TOKEN = JSON.stringify(LEAF_TOKEN);

/** A scalar's text for comparison: "17" and 17 are the same value once copied. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Every scalar leaf of `value` under a sensitivity mark (the whole value when `mask` is true). */
function sensitiveLeaves(value: unknown, mask: unknown, out: Set<string>): void {
  if (mask === true) {
    collectScalars(value, out);
    return;
  }
  if (typeof mask !== 'object' || mask === null || typeof value !== 'object' || value === null)
    return;
  for (const [key, part] of Object.entries(mask as Record<string, unknown>)) {
    sensitiveLeaves((value as Record<string, unknown>)[key], part, out);
  }
}

function collectScalars(value: unknown, out: Set<string>): void {
  const text = scalarText(value);
  if (text !== undefined) out.add(text);
  else if (typeof value === 'object' && value !== null)
    for (const part of Object.values(value)) collectScalars(part, out);
}

export class Redactor {
  private readonly exact = new Set<string>();
  private readonly substrings: string[] = [];
  /** Scalars sensitive in the one resource instance this redactor shows, whatever their length. */
  private readonly instanceLeaves: ReadonlySet<string>;

  constructor(
    sensitiveStrings: Iterable<string> = [],
    instanceLeaves: ReadonlySet<string> = new Set(),
  ) {
    for (const value of sensitiveStrings) this.add(value);
    this.instanceLeaves = instanceLeaves;
  }

  /**
   * The redactor for one resource instance: on top of the plan-wide rule, any leaf equal to a
   * value marked sensitive in this instance (before or after) is hidden, however short. A
   * provider copies a marked value into an unmarked attribute (terraform_data's `output`), and
   * the substring rule cannot safely catch a one- or two-character secret in every text.
   */
  forInstance(instance: SensitiveInstance): Redactor {
    const leaves = instanceSensitiveLeaves([instance]);
    if (leaves.size === 0) return this;
    const scoped = new Redactor([], leaves);
    for (const value of this.exact) scoped.exact.add(value);
    scoped.substrings.push(...this.substrings);
    return scoped;
  }

  add(value: string): void {
    if (value === '' || this.exact.has(value)) return;
    this.exact.add(value);
    this.exact.add(JSON.stringify(value));
    if (value.length >= SUBSTRING_MIN_LENGTH) this.substrings.push(value);
    // JSON-escaped text (quotes, newlines) must still be recognised once stringified.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value && escaped.length >= SUBSTRING_MIN_LENGTH) this.substrings.push(escaped);
  }

  get size(): number {
    return this.substrings.length;
  }

  /** True when `text` is, or contains, a sensitive value. */
  reveals(text: string): boolean {
    if (this.exact.has(text)) return true;
    for (const secret of this.substrings) {
      if (text.includes(secret)) return true;
    }
    return false;
  }

  /** Replaces every occurrence of a sensitive value in free text (error messages, logs). */
  scrub(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    const ordered = [...this.substrings].sort((a, b) => b.length - a.length);
    for (const secret of ordered) {
      if (out.includes(secret)) out = out.split(secret).join(SENSITIVE_TEXT);
    }
    return out;
  }

  /**
   * JSON of a shown value with every leaf equal to one of this instance's sensitive values
   * written as (sensitive); undefined when the value itself is one.
   */
  private instanceJson(value: unknown): string | undefined {
    const leaves = this.instanceLeaves;
    if (leaves.size === 0) return JSON.stringify(value) ?? 'null';
    const own = scalarText(value);
    if (own !== undefined) return leaves.has(own) ? undefined : JSON.stringify(value);
    let hidden = false;
    const json =
      JSON.stringify(value, (_key, part: unknown) => {
        const text = scalarText(part);
        if (text === undefined || !leaves.has(text)) return part;
        hidden = true;
        return LEAF_TOKEN;
      }) ?? 'null';
    return hidden ? json.replaceAll(QUOTED_LEAF_TOKEN, SENSITIVE_TEXT) : json;
  }

  /** The text to show for one leaf value: its JSON, or a placeholder. */
  display(leaf: Leaf, maxLength: number): string {
    switch (leaf.state) {
      case 'sensitive':
        return SENSITIVE_TEXT;
      case 'unknown':
        return '(known after apply)';
      case 'absent':
        return '(none)';
      case 'known': {
        const text = this.instanceJson(leaf.value);
        // Checked before truncation: a cut could leave a recognisable prefix of a secret.
        if (text === undefined || this.reveals(text)) return SENSITIVE_TEXT;
        return truncate(text, maxLength);
      }
    }
  }
}

/**
 * Values worth registering with core.setSecret: masking one- or two-character strings in logs
 * would garble them without protecting anything.
 */
export function maskableSecrets(sensitiveStrings: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const value of sensitiveStrings) {
    for (const line of value.split(/\r?\n/)) {
      if (line.trim().length >= 3) out.add(line);
    }
    if (value.length >= 3) out.add(value);
  }
  return [...out];
}

/** What an instance carries that the per-instance rule reads. */
interface SensitiveInstance {
  before: unknown;
  after: unknown;
  beforeSensitive: unknown;
  afterSensitive: unknown;
}

/** Every scalar marked sensitive in any of `instances` (before or after). */
function instanceSensitiveLeaves(instances: Iterable<SensitiveInstance>): Set<string> {
  const leaves = new Set<string>();
  for (const instance of instances) {
    sensitiveLeaves(instance.before, instance.beforeSensitive, leaves);
    sensitiveLeaves(instance.after, instance.afterSensitive, leaves);
  }
  return leaves;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Terraform's own plan and apply text (the log) with every short sensitive leaf hidden where it
 * stands as a value: quoted (`pin = "17"`) or bare after `=` or `:` (`port = 17`, `-> 7`).
 * Masks (core.setSecret) cover longer values; masking a one- or two-character text everywhere
 * would garble the log, so only value positions are replaced here.
 */
export function scrubShortLeaves(text: string, leaves: Iterable<string>): string {
  let out = text;
  for (const leaf of leaves) {
    if (leaf.length >= SUBSTRING_MIN_LENGTH || leaf === '') continue;
    const quoted = JSON.stringify(leaf);
    if (out.includes(quoted)) out = out.split(quoted).join(SENSITIVE_TEXT);
    const bare = new RegExp(
      `((?:=|:|->)\\s*)${escapeRegExp(leaf)}(?=\\s*(?:$|,|->|\\}|\\]))`,
      'gm',
    );
    out = out.replace(bare, `$1${SENSITIVE_TEXT}`);
  }
  return out;
}

/**
 * Terraform's plan or apply text of `plan` (the log) with every leaf marked sensitive in any
 * of its instances, changed or drifted, hidden where it is short (scrubShortLeaves).
 */
export function scrubPlanLog(text: string, plan: PlanModel): string {
  return scrubShortLeaves(
    text,
    instanceSensitiveLeaves([...plan.resourceChanges, ...plan.resourceDrift]),
  );
}
