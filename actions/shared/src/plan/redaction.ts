/**
 * The last line of defence against leaking a sensitive value: Terraform's markers are applied
 * first (attribute-diff, plan-digest), and then any text that is about to be shown is checked
 * against every value the plan marks sensitive anywhere, because a provider can copy a marked
 * value into an unmarked attribute (terraform_data's `output` does), and `show -json` prints
 * sensitive root variables in clear.
 */
import type { Leaf } from './attribute-diff.js';

export const SENSITIVE_TEXT = '(sensitive)';

/** Substring matching only for values long enough not to match by chance everywhere. */
const SUBSTRING_MIN_LENGTH = 3;

export class Redactor {
  private readonly exact = new Set<string>();
  private readonly substrings: string[] = [];

  constructor(sensitiveStrings: Iterable<string> = []) {
    for (const value of sensitiveStrings) this.add(value);
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
        const text = JSON.stringify(leaf.value) ?? 'null';
        // Checked before truncation: a cut could leave a recognisable prefix of a secret.
        if (this.reveals(text)) return SENSITIVE_TEXT;
        return text.length <= maxLength ? text : `${text.slice(0, Math.max(0, maxLength - 1))}…`;
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
