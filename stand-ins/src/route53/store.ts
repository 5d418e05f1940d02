/**
 * The Route 53 stand-in's state: one plain object shared by the record-set and change-batch
 * modules. Hosted zones by id (each with its record sets in ListResourceRecordSets order),
 * accepted change batches by id (with the time they turn INSYNC), and the listeners told of
 * each accepted batch. Nothing here speaks HTTP.
 */
import { applyChangeBatch, normalizeName, type Change, type RecordSet } from './record-sets.js';

export interface HostedZoneSeed {
  /** Hosted zone ID without the '/hostedzone/' prefix ('Z0TRAFFIC'). */
  id: string;
  /** Zone apex ('example.com'). */
  name: string;
  /** Record sets; names may omit the trailing dot. */
  recordSets?: RecordSet[];
}

export interface AcceptedChangeBatch {
  id: string;
  zoneId: string;
  comment?: string;
  changes: Change[];
  submittedAt: Date;
}

export interface Zone {
  id: string;
  /** Normalized apex ('example.com.'). */
  name: string;
  recordSets: RecordSet[];
}

export interface StoredChange {
  info: AcceptedChangeBatch;
  /** Epoch milliseconds from which GetChange answers INSYNC. */
  insyncAt: number;
}

export interface Route53Store {
  readonly zones: Map<string, Zone>;
  readonly changes: Map<string, StoredChange>;
  /** Accepted change batches, oldest first (the stand-in's `changes`). */
  readonly accepted: AcceptedChangeBatch[];
  readonly listeners: Set<(batch: AcceptedChangeBatch) => void>;
  insyncDelayMs: number;
}

export function createRoute53Store(zones: HostedZoneSeed[], insyncDelayMs: number): Route53Store {
  return {
    zones: new Map(zones.map((seed) => [seed.id, seedZone(seed)])),
    changes: new Map(),
    accepted: [],
    listeners: new Set(),
    insyncDelayMs,
  };
}

/** A zone with Route 53's SOA and NS records at its apex, plus the seeded record sets. */
function seedZone(seed: HostedZoneSeed): Zone {
  const name = normalizeName(seed.name);
  const apex: RecordSet[] = [
    {
      name,
      type: 'SOA',
      ttl: 900,
      resourceRecords: [
        `ns-1.awsdns-00.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`,
      ],
    },
    {
      name,
      type: 'NS',
      ttl: 172800,
      resourceRecords: ['ns-1.awsdns-00.com.', 'ns-2.awsdns-00.net.'],
    },
  ];
  const seeded = (seed.recordSets ?? []).map((set) => ({
    ...set,
    name: normalizeName(set.name),
    type: set.type.toUpperCase(),
  }));
  const creates = seeded.map((recordSet): Change => ({ action: 'CREATE', recordSet }));
  return { id: seed.id, name, recordSets: applyChangeBatch(name, apex, creates) };
}

/** For the seed and read helpers: a missing zone is the test's mistake. */
export function zoneOrThrow(store: Route53Store, zoneId: string): Zone {
  const zone = store.zones.get(zoneId);
  if (!zone) throw new Error(`route53 stand-in: no hosted zone ${zoneId}`);
  return zone;
}
