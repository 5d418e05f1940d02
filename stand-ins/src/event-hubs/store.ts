/**
 * The Event Hubs stand-in's state: one plain object shared by hubs.ts and messages.ts. Each hub
 * keeps its partitions (events in the order they were enqueued) and, per partition, the
 * checkpoint of the Functions-trigger-like `receive`. Nothing here speaks HTTP.
 */
import { createHash } from 'node:crypto';
import type { SasRule } from './sas.js';

export interface ReceivedEvent {
  readonly body: string;
  readonly partitionId: string;
  readonly sequenceNumber: number;
  readonly offset: string;
  readonly enqueuedTimeUtc: string;
  readonly partitionKey?: string;
  readonly properties: Record<string, string>;
  readonly contentType?: string;
}

export interface PartitionBatch {
  readonly partitionId: string;
  readonly events: ReceivedEvent[];
}

export interface Hub {
  readonly name: string;
  readonly partitions: ReceivedEvent[][];
  /** Per partition, the sequence number the next `receive` starts at. */
  readonly checkpoints: number[];
}

export interface EventHubsStore {
  readonly keys: Readonly<Record<string, SasRule>>;
  readonly hubs: Map<string, Hub>;
  /** The server's origin, the audience SAS tokens are checked against; set once it listens. */
  baseUrl: string;
}

/** What a sender gives for one event. */
export interface NewEvent {
  body: string;
  properties: Record<string, string>;
  partitionKey?: string;
  contentType?: string;
}

export function createEventHubsStore(
  hubs: Record<string, { partitionCount?: number }>,
  keys: Record<string, SasRule>,
): EventHubsStore {
  const entries = Object.entries(hubs).map(([name, hub]): [string, Hub] => {
    const count = hub.partitionCount ?? 2;
    return [
      name,
      {
        name,
        partitions: Array.from({ length: count }, () => []),
        checkpoints: Array.from({ length: count }, () => 0),
      },
    ];
  });
  return { keys, hubs: new Map(entries), baseUrl: '' };
}

/**
 * The partition for a key: the same key always lands on the same partition (hashed with
 * SHA-256 here, not Event Hubs' own hash); no key, any partition.
 */
export function partitionFor(hub: Hub, key: string | undefined): number {
  const count = hub.partitions.length;
  if (key === undefined) return Math.floor(Math.random() * count);
  return createHash('sha256').update(key).digest().readUInt32BE(0) % count;
}

export function appendEvent(hub: Hub, partitionIndex: number, event: NewEvent): void {
  const partition = hub.partitions[partitionIndex] as ReceivedEvent[];
  const sequenceNumber = partition.length;
  partition.push({
    body: event.body,
    partitionId: String(partitionIndex),
    sequenceNumber,
    offset: String(sequenceNumber * 1024),
    enqueuedTimeUtc: new Date().toISOString(),
    ...(event.partitionKey === undefined ? {} : { partitionKey: event.partitionKey }),
    properties: event.properties,
    ...(event.contentType === undefined ? {} : { contentType: event.contentType }),
  });
}

/** For the read helpers: a missing hub is the test's mistake. */
export function hubOrThrow(store: EventHubsStore, name: string): Hub {
  const hub = store.hubs.get(name);
  if (!hub) throw new Error(`event hub ${name} does not exist in the stand-in`);
  return hub;
}

/** Everything sent to a hub, in the order it was enqueued. */
export function allEvents(hub: Hub): ReceivedEvent[] {
  return hub.partitions.flat().sort((a, b) => a.enqueuedTimeUtc.localeCompare(b.enqueuedTimeUtc));
}

/** Like the Functions trigger: new events per partition since the last call, checkpointed. */
export function receiveEvents(hub: Hub, maxBatchSize: number): PartitionBatch[] {
  const batches: PartitionBatch[] = [];
  hub.partitions.forEach((partition, index) => {
    const from = hub.checkpoints[index] as number;
    const events = partition.slice(from, from + maxBatchSize);
    if (events.length === 0) return;
    hub.checkpoints[index] = from + events.length;
    batches.push({ partitionId: String(index), events });
  });
  return batches;
}
