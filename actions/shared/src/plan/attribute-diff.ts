/**
 * Attribute-level differences between a resource's before and after values, with Terraform's
 * sensitive and unknown markers applied: a sensitive value is never returned, only whether it
 * changes.
 */

export type Leaf =
  | { state: 'known'; value: unknown }
  | { state: 'sensitive'; value: unknown }
  | { state: 'unknown' }
  | { state: 'absent' };

export interface AttributeChange {
  path: string;
  /** First path segment: the attribute name shown in the one-line summary. */
  attribute: string;
  before: Leaf;
  after: Leaf;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function joinKey(prefix: string, key: string): string {
  const segment = identifier.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (prefix === '') return segment.startsWith('[') ? segment : segment;
  return segment.startsWith('[') ? `${prefix}${segment}` : `${prefix}.${segment}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Flattens a value to leaf paths. Empty collections are leaves, so `[]` -> `["a"]` shows as
 * one change rather than nothing.
 */
export function flatten(
  value: unknown,
  sensitive: unknown,
  unknown: unknown,
  out: Map<string, Leaf> = new Map(),
  path = '',
  wholeAt: unknown = false,
): Map<string, Leaf> {
  if (wholeAt === true) {
    // The other side has one leaf here (e.g. an object that becomes unknown): compare whole.
    if (hasMark(sensitive)) out.set(path, { state: 'sensitive', value });
    else out.set(path, { state: 'known', value: value ?? null });
    return out;
  }
  if (sensitive === true) {
    out.set(path, { state: 'sensitive', value });
    return out;
  }
  if (unknown === true) {
    out.set(path, { state: 'unknown' });
    return out;
  }
  if (Array.isArray(value)) {
    if (value.length === 0 && !Array.isArray(unknown)) {
      out.set(path, { state: 'known', value });
      return out;
    }
    const sensitiveList = Array.isArray(sensitive) ? sensitive : [];
    const unknownList = Array.isArray(unknown) ? unknown : [];
    const length = Math.max(value.length, unknownList.length);
    for (let i = 0; i < length; i++) {
      const whole = Array.isArray(wholeAt) ? wholeAt[i] : false;
      flatten(value[i] ?? null, sensitiveList[i], unknownList[i], out, `${path}[${i}]`, whole);
    }
    return out;
  }
  if (isPlainObject(value) || (isPlainObject(unknown) && (value === null || value === undefined))) {
    const object = isPlainObject(value) ? value : {};
    const sensitiveObject = isPlainObject(sensitive) ? sensitive : {};
    const unknownObject = isPlainObject(unknown) ? unknown : {};
    const keys = new Set(Object.keys(object));
    // after leaves out attributes that are unknown until apply; after_unknown names them.
    for (const key of Object.keys(unknownObject)) {
      if (unknownObject[key] === true) keys.add(key);
    }
    if (keys.size === 0) {
      if (isPlainObject(value)) out.set(path, { state: 'known', value });
      else out.set(path, { state: 'known', value: null });
      return out;
    }
    const wholeObject = isPlainObject(wholeAt) ? wholeAt : {};
    for (const key of [...keys].sort()) {
      flatten(
        object[key] ?? null,
        sensitiveObject[key],
        unknownObject[key],
        out,
        joinKey(path, key),
        wholeObject[key],
      );
    }
    return out;
  }
  out.set(path, { state: 'known', value: value ?? null });
  return out;
}

/** Whether a sensitivity mask marks anything at all. */
function hasMark(mask: unknown): boolean {
  if (mask === true) return true;
  if (typeof mask !== 'object' || mask === null) return false;
  return Object.values(mask).some(hasMark);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameLeaf(before: Leaf, after: Leaf): boolean {
  if (before.state !== after.state) {
    // A value that stays the same but gains or loses the sensitive mark is a change worth
    // showing, though not its value.
    return false;
  }
  if (before.state === 'unknown' || before.state === 'absent') return true;
  return sameValue(before.value, (after as { value: unknown }).value);
}

function isNullish(value: unknown): boolean {
  return value === null || value === undefined;
}

function pathOf(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    path = typeof segment === 'number' ? `${path}[${segment}]` : joinKey(path, segment);
  }
  return path;
}

function leafOf(value: unknown, sensitive: unknown): Leaf {
  if (hasMark(sensitive)) return { state: 'sensitive', value };
  if (isNullish(value)) return { state: 'absent' };
  return { state: 'known', value };
}

function recordLeafChange(
  before: Leaf,
  after: Leaf,
  segments: readonly (string | number)[],
  out: AttributeChange[],
): void {
  if (sameLeaf(before, after)) return;
  out.push({ path: pathOf(segments), attribute: String(segments[0] ?? ''), before, after });
}

/**
 * Walks before and after together and records only what differs, without flattening the
 * values that stay the same (plans with tens of thousands of resources go through here).
 */
function walk(
  before: unknown,
  after: unknown,
  beforeSensitive: unknown,
  afterSensitive: unknown,
  afterUnknown: unknown,
  segments: (string | number)[],
  out: AttributeChange[],
): void {
  if (afterUnknown === true) {
    // An object that becomes unknown is one row, "{...} -> (known after apply)".
    const beforeLeaf = leafOf(before, beforeSensitive);
    out.push({
      path: pathOf(segments),
      attribute: String(segments[0] ?? ''),
      before: beforeLeaf,
      after: { state: 'unknown' },
    });
    return;
  }
  if (beforeSensitive === true || afterSensitive === true) {
    recordLeafChange(leafOf(before, beforeSensitive), leafOf(after, afterSensitive), segments, out);
    return;
  }
  if (before === after) return;
  const beforeList = Array.isArray(before);
  const afterList = Array.isArray(after);
  if (
    (beforeList || isNullish(before)) &&
    (afterList || isNullish(after)) &&
    (beforeList || afterList)
  ) {
    const b = beforeList ? (before as unknown[]) : [];
    const a = afterList ? (after as unknown[]) : [];
    const bs = Array.isArray(beforeSensitive) ? beforeSensitive : undefined;
    const as = Array.isArray(afterSensitive) ? afterSensitive : undefined;
    const au = Array.isArray(afterUnknown) ? afterUnknown : undefined;
    const length = Math.max(b.length, a.length, au?.length ?? 0);
    for (let i = 0; i < length; i++) {
      segments.push(i);
      walk(b[i], a[i], bs?.[i], as?.[i], au?.[i], segments, out);
      segments.pop();
    }
    return;
  }
  const beforeObject = isPlainObject(before);
  const afterObject = isPlainObject(after);
  if (
    (beforeObject || isNullish(before)) &&
    (afterObject || isNullish(after)) &&
    (beforeObject || afterObject || isPlainObject(afterUnknown))
  ) {
    const b = beforeObject ? before : {};
    const a = afterObject ? after : {};
    const bs = isPlainObject(beforeSensitive) ? beforeSensitive : undefined;
    const as = isPlainObject(afterSensitive) ? afterSensitive : undefined;
    const au = isPlainObject(afterUnknown) ? afterUnknown : undefined;
    for (const key of Object.keys(b)) {
      segments.push(key);
      walk(b[key], a[key], bs?.[key], as?.[key], au?.[key], segments, out);
      segments.pop();
    }
    for (const key of Object.keys(a)) {
      if (key in b) continue;
      segments.push(key);
      walk(undefined, a[key], undefined, as?.[key], au?.[key], segments, out);
      segments.pop();
    }
    if (au) {
      for (const key of Object.keys(au)) {
        if (key in b || key in a || au[key] !== true) continue;
        segments.push(key);
        walk(undefined, undefined, undefined, undefined, true, segments, out);
        segments.pop();
      }
    }
    return;
  }
  recordLeafChange(leafOf(before, false), leafOf(after, false), segments, out);
}

/** Leaf-level changes from before to after. Null and absent are the same to a reader. */
export function attributeChanges(
  before: unknown,
  after: unknown,
  beforeSensitive: unknown,
  afterSensitive: unknown,
  afterUnknown: unknown,
): AttributeChange[] {
  const changes: AttributeChange[] = [];
  walk(before, after, beforeSensitive, afterSensitive, afterUnknown, [], changes);
  return changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

function isEmptyCollection(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && !hasKeys(value);
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

/** Deep equality without allocation; null, absent and empty collections are alike. */
function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const aNull = isNullish(a);
  const bNull = isNullish(b);
  if (aNull || bNull) return (aNull || isEmptyCollection(a)) && (bNull || isEmptyCollection(b));
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameTree(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key in left) if (!sameTree(left[key], right[key])) return false;
  for (const key in right) if (!(key in left) && !sameTree(undefined, right[key])) return false;
  return true;
}

/**
 * The top-level attributes that change, without computing each leaf: the resource table only
 * names them, and it lists thousands of resources. Agrees with attributeChanges' attributes.
 */
export function changedTopLevelAttributes(
  before: unknown,
  after: unknown,
  beforeSensitive: unknown,
  afterSensitive: unknown,
  afterUnknown: unknown,
): string[] {
  if (!isPlainObject(before) && !isPlainObject(after)) {
    return attributeChanges(before, after, beforeSensitive, afterSensitive, afterUnknown).map(
      (change) => change.attribute,
    );
  }
  const b = isPlainObject(before) ? before : {};
  const a = isPlainObject(after) ? after : {};
  const bs = isPlainObject(beforeSensitive) ? beforeSensitive : {};
  const as = isPlainObject(afterSensitive) ? afterSensitive : {};
  const au = isPlainObject(afterUnknown) ? afterUnknown : {};
  const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
  for (const key of Object.keys(au)) if (au[key] === true) keys.add(key);
  const changed: string[] = [];
  for (const key of keys) {
    const unknown = au[key];
    if (unknown === true || hasMark(unknown)) changed.push(key);
    else if (hasMark(bs[key]) || hasMark(as[key])) {
      const rows = attributeChanges(b[key], a[key], bs[key], as[key], unknown);
      if (rows.length > 0) changed.push(key);
    } else if (!sameTree(b[key], a[key])) changed.push(key);
  }
  return changed.sort();
}

/** Top-level attribute names that change, in order, without repeats. */
export function changedAttributes(changes: readonly AttributeChange[]): string[] {
  const seen = new Set<string>();
  for (const change of changes) seen.add(change.attribute);
  return [...seen];
}

/**
 * The leaf-level differences that attributeChanges reads as none, because null, absent and
 * empty collections are alike to it: here they differ (`tags`: `null` -> `{}`). For drift,
 * where Terraform reports such a resource as changed and the reader must see why. Values under
 * a sensitive mark are compared but never returned.
 */
export function nullOrEmptyChanges(
  before: unknown,
  after: unknown,
  beforeSensitive: unknown,
  afterSensitive: unknown,
): AttributeChange[] {
  const out: AttributeChange[] = [];
  const known = (value: unknown): Leaf => ({ state: 'known', value: value ?? null });
  const visit = (
    b: unknown,
    a: unknown,
    bs: unknown,
    as: unknown,
    segments: (string | number)[],
  ) => {
    if (hasMark(bs) || hasMark(as)) {
      if (JSON.stringify(b ?? null) === JSON.stringify(a ?? null)) return;
      const leaf = (value: unknown, mask: unknown): Leaf =>
        hasMark(mask) ? { state: 'sensitive', value } : known(value);
      out.push({
        path: pathOf(segments),
        attribute: String(segments[0] ?? ''),
        before: leaf(b, bs),
        after: leaf(a, as),
      });
      return;
    }
    if (isPlainObject(b) && isPlainObject(a)) {
      for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
        const mask = (m: unknown) => (isPlainObject(m) ? m[key] : undefined);
        visit(b[key], a[key], mask(bs), mask(as), [...segments, key]);
      }
      return;
    }
    if (Array.isArray(b) && Array.isArray(a) && b.length === a.length) {
      b.forEach((item, i) => {
        const mask = (m: unknown) => (Array.isArray(m) ? (m as unknown[])[i] : undefined);
        visit(item, a[i], mask(bs), mask(as), [...segments, i]);
      });
      return;
    }
    if (JSON.stringify(b ?? null) === JSON.stringify(a ?? null)) return;
    out.push({
      path: pathOf(segments),
      attribute: String(segments[0] ?? ''),
      before: known(b),
      after: known(a),
    });
  };
  visit(before, after, beforeSensitive, afterSensitive, []);
  return out;
}
