/**
 * The hosted-zone model behind the Route 53 stand-in: record sets, their ordering (the order
 * ListResourceRecordSets pages through) and ChangeResourceRecordSets validation, worded as
 * Route 53 words it. A change batch is validated against a working copy and committed only
 * when every change is valid: Route 53 applies a batch all or nothing.
 */

export interface AliasTarget {
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

export interface RecordSet {
  /** Fully qualified, lower case, with the trailing dot ('app.example.com.'). */
  name: string;
  type: string;
  setIdentifier?: string;
  /** 0-255; present on weighted records only. */
  weight?: number;
  ttl?: number;
  resourceRecords?: string[];
  aliasTarget?: AliasTarget;
  healthCheckId?: string;
}

export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

export interface Change {
  action: ChangeAction;
  recordSet: RecordSet;
}

/** A client error Route 53 answers with HTTP 400 (`InvalidInput` or `InvalidChangeBatch`). */
export class Route53ValidationError extends Error {
  constructor(
    readonly code: 'InvalidInput' | 'InvalidChangeBatch',
    message: string,
  ) {
    super(message);
    this.name = 'Route53ValidationError';
  }
}

/** Route 53 stores names in lower case with the trailing dot. */
export function normalizeName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** Route 53 lists record sets by name with the labels reversed (com.example.www). */
function sortKey(name: string): string {
  return name.replace(/\.$/, '').split('.').reverse().join('.');
}

export function compareRecordSets(
  a: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>,
  b: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>,
): number {
  const byName = sortKey(a.name).localeCompare(sortKey(b.name));
  if (byName !== 0) return byName;
  const byType = a.type.localeCompare(b.type);
  if (byType !== 0) return byType;
  return (a.setIdentifier ?? '').localeCompare(b.setIdentifier ?? '');
}

function sameKey(a: RecordSet, b: RecordSet): boolean {
  return (
    a.name === b.name && a.type === b.type && (a.setIdentifier ?? '') === (b.setIdentifier ?? '')
  );
}

function describe(change: Change): string {
  const set = change.recordSet;
  return `[Action=${change.action}, Name=${set.name}, Type=${set.type}, SetIdentifier=${
    set.setIdentifier ?? 'null'
  }]`;
}

function describeSet(set: RecordSet): string {
  return set.setIdentifier === undefined
    ? `[name='${set.name}', type='${set.type}']`
    : `[name='${set.name}', type='${set.type}', set-identifier='${set.setIdentifier}']`;
}

function sameValues(a: RecordSet, b: RecordSet): boolean {
  const values = (set: RecordSet) => [...(set.resourceRecords ?? [])].sort().join('\n');
  return (
    a.weight === b.weight &&
    a.ttl === b.ttl &&
    (a.healthCheckId ?? '') === (b.healthCheckId ?? '') &&
    values(a) === values(b) &&
    JSON.stringify(a.aliasTarget ?? null) === JSON.stringify(b.aliasTarget ?? null)
  );
}

/** Input checks Route 53 makes before it looks at the zone (InvalidInput). */
function checkShape(change: Change, index: number): void {
  const set = change.recordSet;
  if (set.weight !== undefined) {
    if (!Number.isInteger(set.weight) || set.weight < 0) {
      throw new Route53ValidationError(
        'InvalidInput',
        `1 validation error detected: Value '${set.weight}' at 'changeBatch.changes.${index + 1}.member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value greater than or equal to 0`,
      );
    }
    if (set.weight > 255) {
      throw new Route53ValidationError(
        'InvalidInput',
        `1 validation error detected: Value '${set.weight}' at 'changeBatch.changes.${index + 1}.member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value less than or equal to 255`,
      );
    }
  }
  if (set.weight !== undefined && set.setIdentifier === undefined) {
    throw new Route53ValidationError(
      'InvalidInput',
      `Invalid request: Missing field 'SetIdentifier' in Change with ${describe(change)}`,
    );
  }
  if (set.setIdentifier !== undefined && set.weight === undefined) {
    throw new Route53ValidationError(
      'InvalidInput',
      `Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, or MultiValueAnswer], but found none in Change with ${describe(change)}`,
    );
  }
  if (set.aliasTarget === undefined) {
    if (set.ttl === undefined) {
      throw new Route53ValidationError(
        'InvalidInput',
        `Invalid request: Missing field 'TTL' in Change with ${describe(change)}`,
      );
    }
    if ((set.resourceRecords ?? []).length === 0) {
      throw new Route53ValidationError(
        'InvalidInput',
        `Invalid request: Missing field 'ResourceRecords' in Change with ${describe(change)}`,
      );
    }
  } else if (set.ttl !== undefined || (set.resourceRecords ?? []).length > 0) {
    throw new Route53ValidationError(
      'InvalidInput',
      `Invalid request: Alias resource record sets cannot have TTL or ResourceRecords in Change with ${describe(change)}`,
    );
  }
}

/**
 * Validates a change batch against `current` and returns the zone's record sets after it.
 * Throws Route53ValidationError; `current` is never modified.
 */
export function applyChangeBatch(
  zoneName: string,
  current: readonly RecordSet[],
  changes: readonly Change[],
): RecordSet[] {
  checkBatchSize(changes);
  changes.forEach(checkShape);
  const working = current.map((set) => ({ ...set }));
  const messages = changes
    .map((change) => applyChange(zoneName, working, change))
    .filter((message): message is string => message !== undefined);
  if (messages.length > 0) {
    throw new Route53ValidationError('InvalidChangeBatch', `[${messages.join(', ')}]`);
  }
  return working.sort(compareRecordSets);
}

/** Weights of the weighted records of one name and type, by set identifier. */
export function weightsOf(
  recordSets: readonly RecordSet[],
  name: string,
  type: string,
): Record<string, number> {
  const normalized = normalizeName(name);
  const result: Record<string, number> = {};
  for (const set of recordSets) {
    if (set.name === normalized && set.type === type.toUpperCase() && set.weight !== undefined) {
      result[set.setIdentifier ?? ''] = set.weight;
    }
  }
  return result;
}

/** The UPSERTs that set these weights (by set identifier) on existing records of name and type. */
export function weightChanges(
  recordSets: readonly RecordSet[],
  name: string,
  type: string,
  weights: Record<string, number>,
): Change[] {
  const normalized = normalizeName(name);
  return Object.entries(weights).map(([setIdentifier, weight]) => {
    const existing = recordSets.find(
      (set) =>
        set.name === normalized &&
        set.type === type.toUpperCase() &&
        set.setIdentifier === setIdentifier,
    );
    if (!existing) {
      throw new Error(`route53 stand-in: no record ${normalized} ${type} ${setIdentifier}`);
    }
    return { action: 'UPSERT', recordSet: { ...existing, weight } };
  });
}

/** Limits on the whole batch (InvalidInput, InvalidChangeBatch). */
function checkBatchSize(changes: readonly Change[]): void {
  if (changes.length === 0) {
    throw new Route53ValidationError(
      'InvalidInput',
      "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  const recordCount = changes.reduce(
    (sum, change) => sum + (change.recordSet.resourceRecords?.length ?? 0),
    0,
  );
  if (recordCount > 1000) {
    throw new Route53ValidationError(
      'InvalidChangeBatch',
      '[Number of records limit of 1000 exceeded.]',
    );
  }
}

/** Applies one change to the working copy, or says why Route 53 refuses it. */
function applyChange(zoneName: string, working: RecordSet[], change: Change): string | undefined {
  const set = change.recordSet;
  if (set.name !== zoneName && !set.name.endsWith(`.${zoneName}`)) {
    return `RRSet with DNS name ${set.name} is not permitted in zone ${zoneName}`;
  }
  const index = working.findIndex((existing) => sameKey(existing, set));
  if (change.action === 'DELETE') return deleteRecordSet(working, index, set);
  if (change.action === 'CREATE' && index >= 0) {
    return `Tried to create resource record set ${describeSet(set)} but it already exists`;
  }
  const conflict = siblingConflict(zoneName, working, set);
  if (conflict) return conflict;
  if (index >= 0) working[index] = { ...set };
  else working.push({ ...set });
  return undefined;
}

function deleteRecordSet(working: RecordSet[], index: number, set: RecordSet): string | undefined {
  if (index < 0) {
    return `Tried to delete resource record set ${describeSet(set)} but it was not found`;
  }
  if (!sameValues(working[index] as RecordSet, set)) {
    return `Tried to delete resource record set ${describeSet(set)} but the values provided do not match the current values`;
  }
  working.splice(index, 1);
  return undefined;
}

/** Records of the same name and type must all be weighted, with one TTL. */
function siblingConflict(
  zoneName: string,
  working: readonly RecordSet[],
  set: RecordSet,
): string | undefined {
  const siblings = working.filter(
    (existing) =>
      existing.name === set.name && existing.type === set.type && !sameKey(existing, set),
  );
  if (set.weight !== undefined && siblings.some((sibling) => sibling.weight === undefined)) {
    return `RRSet with DNS name ${set.name}, type ${set.type}, SetIdentifier ${set.setIdentifier} cannot be created as a non-weighted set exists with the same name and type.`;
  }
  if (set.weight === undefined && siblings.length > 0) {
    return `RRSet of type ${set.type} with DNS name ${set.name} is not permitted because a conflicting RRSet of type ${set.type} with the same DNS name already exists in zone ${zoneName}.`;
  }
  const ttlDiffers = siblings.some(
    (sibling) => sibling.ttl !== undefined && sibling.ttl !== set.ttl,
  );
  if (set.weight !== undefined && set.ttl !== undefined && ttlDiffers) {
    return `RRSet with DNS name ${set.name}, type ${set.type}, SetIdentifier ${set.setIdentifier} cannot be created as weighted sets must contain the same TTL.`;
  }
  return undefined;
}
