import { createHash, randomBytes } from 'node:crypto';
import { badRequest } from './errors.js';

/** `<cell>-<rest>`: the home cell is the prefix, so any cell can route a request for it. */
export const idSource = '([a-z][a-z0-9]{1,15})-([A-Za-z0-9_-]{1,64})';
const idPattern = new RegExp(`^${idSource}$`);
export const cellNamePattern = /^[a-z][a-z0-9]{1,15}$/;

export interface ParsedId {
  readonly id: string;
  readonly cell: string;
}

/** Validates an id from the path and returns its home cell; `knownCells` are this cell and its peer. */
export function parseId(id: string, field: string, knownCells: readonly string[]): ParsedId {
  const match = idPattern.exec(id);
  const accepted = knownCells.map((cell) => `'${cell}-…'`).join(' or ');
  if (!match || !knownCells.includes(match[1] as string)) {
    throw badRequest(
      field,
      `${field} must be ${accepted} (a cell prefix, then up to 64 letters, digits, '_' or '-')`,
    );
  }
  return { id, cell: match[1] as string };
}

/** The home cell of an id already validated by parseId (or made by newId). */
export function homeCellOf(id: string): string {
  return id.slice(0, id.indexOf('-'));
}

export function newId(cell: string): string {
  return `${cell}-${randomBytes(9).toString('base64url')}`;
}

/** Same key, same id: how an Idempotency-Key maps to exactly one order. */
export function idFromKey(cell: string, namespace: string, key: string): string {
  const digest = createHash('sha256').update(`${namespace}\n${key}`).digest('base64url');
  return `${cell}-o${digest.slice(0, 22)}`;
}
