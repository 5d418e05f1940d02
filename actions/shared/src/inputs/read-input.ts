import { InputError } from './input-error.js';

/**
 * Reads an input the way @actions/core does (INPUT_<NAME>, spaces to underscores, upper case)
 * but lets the caller decide what is required, so every check can throw an InputError that
 * names the input before the action has any side effect.
 */
export type InputSource = (name: string) => string;

export const environmentInputs: InputSource = (name) =>
  (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();

export function readString(
  name: string,
  options: { required?: boolean; default?: string } = {},
  source: InputSource = environmentInputs,
): string {
  const value = source(name);
  if (value !== '') return value;
  if (options.required) throw new InputError(name, 'is required and was empty.');
  return options.default ?? '';
}

const trueWords = ['true', 'True', 'TRUE'];
const falseWords = ['false', 'False', 'FALSE'];

/** YAML 1.2 core-schema booleans, like core.getBooleanInput. */
export function readBoolean(
  name: string,
  defaultValue: boolean,
  source: InputSource = environmentInputs,
): boolean {
  const value = source(name);
  if (value === '') return defaultValue;
  if (trueWords.includes(value)) return true;
  if (falseWords.includes(value)) return false;
  throw new InputError(name, `must be true or false, got '${value}'.`);
}

/** One entry a line; blank lines and lines starting with # are left out. */
export function readLines(name: string, source: InputSource = environmentInputs): string[] {
  return source(name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

export function readChoice<T extends string>(
  name: string,
  choices: readonly T[],
  defaultValue: T,
  source: InputSource = environmentInputs,
): T {
  const value = source(name);
  if (value === '') return defaultValue;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new InputError(name, `must be one of ${choices.join(', ')}; got '${value}'.`);
}

/** Multi-line `key=value` pairs (e.g. backend-config); the key must be non-empty. */
export function readKeyValueLines(
  name: string,
  source: InputSource = environmentInputs,
): { key: string; value: string }[] {
  return readLines(name, source).map((line, index) => {
    const equals = line.indexOf('=');
    if (equals <= 0) {
      throw new InputError(
        name,
        // The line is not echoed: backend settings often hold credentials.
        `line ${index + 1} must have the form key=value (one pair a line).`,
      );
    }
    return { key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim() };
  });
}
