/**
 * Whether one planned change does to an attribute what a rule names (turned on, turned off,
 * decreased, changed, changed from or to a value). The path looks through lists of nested
 * blocks (`rule.expiration.days` in every `rule` and every `expiration`); entries are compared
 * at the same list positions.
 *
 * Values are only compared, never returned. A value marked sensitive is not looked at beyond
 * "did it change" (a rule such as `changed-to: <guess>` must not reveal a secret one bit at a
 * time), so a changed sensitive value matches any rule. A value Terraform knows only after apply
 * matches when it could: the reviewer is told so.
 */
import type { ResourceChange } from '../plan/plan-model.js';
import type { AttributeChangeKind, AttributeCondition } from './risk-rules.js';

export interface AttributeMatch {
  change: AttributeChangeKind;
  certainty: 'known' | 'sensitive' | 'unknown';
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The values at `path`, by their list positions ('' when no list is on the way). */
function leavesAt(value: unknown, path: readonly string[]): Map<string, unknown> {
  const leaves = new Map<string, unknown>();
  const walk = (node: unknown, depth: number, key: string): void => {
    if (depth === path.length) {
      leaves.set(key, node);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, depth, `${key}/${index}`));
      return;
    }
    const name = path[depth] as string;
    if (isRecord(node) && Object.hasOwn(node, name)) walk(node[name], depth + 1, key);
  };
  walk(value, 0, '');
  return leaves;
}

/**
 * The list positions under which a Terraform mark (`after_unknown`, `*_sensitive`: `true` on a
 * value or on any of its parents) covers the path.
 */
function markedAt(mask: unknown, path: readonly string[]): string[] {
  const marked: string[] = [];
  const walk = (node: unknown, depth: number, key: string): void => {
    if (node === true) {
      marked.push(key);
      return;
    }
    if (depth === path.length) return;
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, depth, `${key}/${index}`));
      return;
    }
    if (isRecord(node)) walk(node[path[depth] as string], depth + 1, key);
  };
  walk(mask, 0, '');
  return marked;
}

function covered(marks: readonly string[], key: string): boolean {
  return marks.some((mark) => mark === '' || key === mark || key.startsWith(`${mark}/`));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The rule's test on known, non-sensitive values (undefined: the attribute is not set). */
function holds(condition: AttributeCondition, before: unknown, after: unknown): boolean {
  switch (condition.change) {
    case 'turned-on':
      return after === true && before !== true;
    case 'turned-off':
      return before === true && after !== true;
    case 'decreased':
      return decreased(before, after, condition.zeroMeansUnlimited);
    case 'changed':
      return !same(before, after);
    case 'changed-from':
      return before === condition.value && after !== condition.value;
    case 'changed-to':
      return after === condition.value && before !== condition.value;
  }
}

/**
 * A shorter retention or a smaller count. An attribute removed counts as decreased (no
 * retention any more) unless 0 (or unset) means "unlimited", where going from 0 to any number is.
 */
function decreased(before: unknown, after: unknown, zeroMeansUnlimited: boolean): boolean {
  if (typeof before !== 'number') return false;
  if (typeof after !== 'number') return after == null && !zeroMeansUnlimited;
  if (zeroMeansUnlimited) {
    if (before === 0) return after !== 0;
    if (after === 0) return false;
  }
  return after < before;
}

/** Whether the rule could hold once the unknown value is known, given the value before. */
function couldHold(condition: AttributeCondition, before: unknown): boolean {
  switch (condition.change) {
    case 'turned-on':
      return before !== true;
    case 'turned-off':
      return before === true;
    case 'decreased':
      return typeof before === 'number';
    case 'changed':
      return true;
    case 'changed-from':
      return before === condition.value;
    case 'changed-to':
      return before !== condition.value;
  }
}

/** The match of `condition` on this change (create, update or replace), if it matches. */
export function matchAttribute(
  change: ResourceChange,
  condition: AttributeCondition,
): AttributeMatch | undefined {
  const { path } = condition;
  const before = leavesAt(change.kind === 'create' ? undefined : change.before, path);
  const after = leavesAt(change.after, path);
  const unknown = markedAt(change.afterUnknown, path);
  const sensitive = [
    ...markedAt(change.beforeSensitive, path),
    ...markedAt(change.afterSensitive, path),
  ];
  const keys = new Set([...before.keys(), ...after.keys(), ...unknown]);
  const found = new Set<AttributeMatch['certainty']>();
  for (const key of keys) {
    const was = before.get(key);
    if (covered(unknown, key)) {
      if (!covered(sensitive, key) && couldHold(condition, was)) found.add('unknown');
      else if (covered(sensitive, key)) found.add('sensitive');
    } else if (covered(sensitive, key)) {
      if (!same(was, after.get(key))) found.add('sensitive');
    } else if (holds(condition, was, after.get(key))) found.add('known');
  }
  for (const certainty of ['known', 'sensitive', 'unknown'] as const) {
    if (found.has(certainty)) return { change: condition.change, certainty };
  }
  return undefined;
}
