/**
 * State locks as an apply needs them: how long to wait (`-lock-timeout`, a Go duration that
 * Terraform parses itself; checked here first so a typo fails before anything runs) and who
 * holds the lock, in words, from the Lock Info Terraform prints (see parseLockError).
 */
import { InputError } from '../inputs/input-error.js';
import { environmentInputs, readString, type InputSource } from '../inputs/read-input.js';
import type { StateLockInfo } from './terraform-error.js';

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * Seconds in a Go duration as Terraform's -lock-timeout reads it ("0s", "30s", "5m", "1h30m",
 * "1.5h"; a bare "0" too), or undefined when Go would refuse it. Negative durations are refused:
 * they would mean "do not wait" in a confusing way.
 */
export function parseLockTimeout(text: string): number | undefined {
  const value = text.trim();
  if (value === '0') return 0;
  if (
    !/^(\d+(\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)((\d+(\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h))*$/.test(value)
  )
    return undefined;
  let seconds = 0;
  for (const match of value.matchAll(/(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    seconds += Number(match[1]) * (UNIT_SECONDS[match[2] as string] ?? 0);
  }
  return seconds;
}

/** The `lock-timeout` input as given and in seconds; one error naming the input when Go would refuse it. */
export function readLockTimeout(
  defaultValue: string,
  source: InputSource = environmentInputs,
): { text: string; seconds: number } {
  const text = readString('lock-timeout', { default: defaultValue }, source);
  const seconds = parseLockTimeout(text);
  if (seconds === undefined) {
    throw new InputError(
      'lock-timeout',
      `must be a duration such as 0s, 30s, 5m or 1h30m; got '${text.slice(0, 100)}'.`,
    );
  }
  return { text, seconds };
}

/** "runner@fv-az123 (OperationTypeApply, lock ID 5d0e…, since 2026-11-24 10:00:00 UTC, state terraform.tfstate)". */
export function describeLockHolder(lock: StateLockInfo | undefined): string {
  if (!lock) return 'another run (Terraform did not say which)';
  const details: string[] = [];
  if (lock.operation) details.push(lock.operation);
  if (lock.id) details.push(`lock ID ${lock.id}`);
  if (lock.created) details.push(`since ${lock.created}`);
  if (lock.path) details.push(`state ${lock.path}`);
  const who = lock.who ?? 'an unknown holder';
  return details.length > 0 ? `${who} (${details.join(', ')})` : who;
}
