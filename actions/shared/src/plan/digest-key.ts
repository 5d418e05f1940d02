/**
 * The `digest-key` input of the plan and apply actions: a secret both hold, under which every
 * sensitive value enters the plan-digest as an HMAC (docs/adr/0003-plan-digest.md). Never
 * echoed: an error names the input and the form, not the value.
 */
import { InputError } from '../inputs/input-error.js';
import type { InputSource } from '../inputs/read-input.js';
import { digestKeyFrom, type DigestKey } from './plan-digest.js';

/** Shorter keys could be found by trying values against a public digest. */
export const MIN_DIGEST_KEY_LENGTH = 32;

/** `digest-key`, or undefined when it is empty (a pull request from a fork gets no secret). */
export function readDigestKey(source: InputSource): DigestKey | undefined {
  const text = source('digest-key');
  if (text === '') return undefined;
  if (text.length < MIN_DIGEST_KEY_LENGTH || /\s/.test(text)) {
    throw new InputError(
      'digest-key',
      `must be a secret of at least ${MIN_DIGEST_KEY_LENGTH} characters without spaces (e.g. the output of openssl rand -hex 32, kept as the repository secret PLAN_DIGEST_KEY); the value given is not shown.`,
    );
  }
  return digestKeyFrom(text);
}

/** The one line both actions print when no key is given. */
export const NO_DIGEST_KEY_WARNING =
  'digest-key is empty: a sensitive value changed after review does not change the plan-digest, so the apply cannot notice it. Give the plan and apply steps the same secret (digest-key: ${{ secrets.PLAN_DIGEST_KEY }}); see docs/adr/0003-plan-digest.md.';
