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
  changes.forEach(checkShape);

  const working = current.map((set) => ({ ...set }));
  const messages: string[] = [];
  for (const change of changes) {
    const set = change.recordSet;
    if (set.name !== zoneName && !set.name.endsWith(`.${zoneName}`)) {
      messages.push(`RRSet with DNS name ${set.name} is not permitted in zone ${zoneName}`);
      continue;
    }
    const index = working.findIndex((existing) => sameKey(existing, set));
    if (change.action === 'DELETE') {
      if (index < 0) {
        messages.push(
          `Tried to delete resource record set ${describeSet(set)} but it was not found`,
        );
      } else if (!sameValues(working[index] as RecordSet, set)) {
        messages.push(
          `Tried to delete resource record set ${describeSet(set)} but the values provided do not match the current values`,
        );
      } else {
        working.splice(index, 1);
      }
      continue;
    }
    if (change.action === 'CREATE' && index >= 0) {
      messages.push(
        `Tried to create resource record set ${describeSet(set)} but it already exists`,
      );
      continue;
    }
    const siblings = working.filter(
      (existing) =>
        existing.name === set.name && existing.type === set.type && !sameKey(existing, set),
    );
    if (set.weight !== undefined && siblings.some((sibling) => sibling.weight === undefined)) {
      messages.push(
        `RRSet with DNS name ${set.name}, type ${set.type}, SetIdentifier ${set.setIdentifier} cannot be created as a non-weighted set exists with the same name and type.`,
      );
      continue;
    }
    if (set.weight === undefined && siblings.length > 0) {
      messages.push(
        `RRSet of type ${set.type} with DNS name ${set.name} is not permitted because a conflicting RRSet of type ${set.type} with the same DNS name already exists in zone ${zoneName}.`,
      );
      continue;
    }
    if (
      set.weight !== undefined &&
      set.ttl !== undefined &&
      siblings.some((sibling) => sibling.ttl !== undefined && sibling.ttl !== set.ttl)
    ) {
      messages.push(
        `RRSet with DNS name ${set.name}, type ${set.type}, SetIdentifier ${set.setIdentifier} cannot be created as weighted sets must contain the same TTL.`,
      );
      continue;
    }
    if (index >= 0) working[index] = { ...set };
    else working.push({ ...set });
  }
  if (messages.length > 0) {
    throw new Route53ValidationError('InvalidChangeBatch', `[${messages.join(', ')}]`);
  }
  return working.sort(compareRecordSets);
}
