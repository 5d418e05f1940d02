/**
 * Cross-cloud replication of carts and orders (ADR 23). A write to a cart or order publishes
 * `replica.changed` on the cell's own replication queue (SQS / Event Hubs); the cell's
 * replication consumer reads the document as it is now and PUTs it to the peer over the
 * signed peer call; the peer merges it into its copy (replica-merge.ts). While the peer is
 * down the consumer fails and the queue keeps the event and retries it, so nothing is dropped;
 * after recovery both sides hold the merge of both copies.
 */
import { busy, HttpProblem, PoisonEventError } from './errors.js';
import type { CoreResponse } from './http-types.js';
import { idSource } from './ids.js';
import { retry, withOptimisticRetry } from './optimistic.js';
import { eventObjectOf } from './order-events.js';
import type { PeerForwarder } from './peer-forwarder.js';
import type {
  DocumentStore,
  EventQueue,
  ReplicaChangedEvent,
  StoredDocument,
  WriteOutcome,
} from './ports.js';
import { mergeReplica, sameDocument } from './replica-merge.js';

/** The documents that replicate: carts and orders, keyed by their id (which names the home cell). */
export const replicatedKeyPattern = new RegExp(`^(carts|orders)/${idSource}$`);

/** What this instance saw of replication, for GET /health (per instance, like a last send). */
export interface ReplicationReport {
  /** `ok`: the last delivery succeeded; `behind`: the last one failed (peer down); `idle`: none yet. */
  readonly status: 'ok' | 'behind' | 'idle';
  /** From the change to the peer's acknowledgement, for the last delivery. */
  readonly lagMs?: number;
  /**
   * While `behind`: how long ago the first change that failed since the last delivery was
   * made, so the replica is at least this far behind (lagMs stays the last delivery's).
   */
  readonly behindMs?: number;
  readonly lastDeliveredAt?: string;
  readonly deliveries: number;
  readonly failedDeliveries: number;
  /** Changes whose event could not be queued (the document replicates with its next change). */
  readonly unqueuedChanges: number;
  readonly error?: string;
}

export class ReplicationStatus {
  private lagMs: number | undefined;
  private lastDeliveredAt: Date | undefined;
  private lastFailedAt: Date | undefined;
  private error: string | undefined;
  private behindSince: number | undefined;
  private deliveries = 0;
  private failedDeliveries = 0;
  private unqueuedChanges = 0;

  constructor(private readonly now: () => Date) {}

  delivered(occurredAt: string): void {
    const now = this.now();
    this.deliveries += 1;
    this.lastDeliveredAt = now;
    this.lagMs = Math.max(0, now.getTime() - Date.parse(occurredAt));
    this.behindSince = undefined;
  }

  /** `occurredAt`: when the change that could not be delivered was made. */
  failed(error: string, occurredAt?: string): void {
    this.failedDeliveries += 1;
    this.lastFailedAt = this.now();
    this.error = error;
    const changedAt = occurredAt === undefined ? NaN : Date.parse(occurredAt);
    if (!Number.isNaN(changedAt))
      this.behindSince = Math.min(this.behindSince ?? changedAt, changedAt);
  }

  notQueued(): void {
    this.unqueuedChanges += 1;
  }

  report(): ReplicationReport {
    const behind =
      this.lastFailedAt !== undefined &&
      (this.lastDeliveredAt === undefined || this.lastFailedAt > this.lastDeliveredAt);
    return {
      status: behind ? 'behind' : this.lastDeliveredAt ? 'ok' : 'idle',
      ...(this.lagMs === undefined ? {} : { lagMs: this.lagMs }),
      ...(behind && this.behindSince !== undefined
        ? { behindMs: Math.max(0, this.now().getTime() - this.behindSince) }
        : {}),
      ...(this.lastDeliveredAt ? { lastDeliveredAt: this.lastDeliveredAt.toISOString() } : {}),
      deliveries: this.deliveries,
      failedDeliveries: this.failedDeliveries,
      unqueuedChanges: this.unqueuedChanges,
      ...(behind && this.error ? { error: this.error } : {}),
    };
  }
}

/**
 * The store the services write through: a successful write of a cart or order also queues
 * `replica.changed`. The write stands when the queue fails (it is the source of truth); the
 * document then reaches the peer with its next change, and /health counts the miss.
 */
export class ReplicatingStore implements DocumentStore {
  constructor(
    private readonly inner: DocumentStore,
    private readonly publisher: ReplicaPublisher,
  ) {}

  get<T>(key: string): Promise<StoredDocument<T> | undefined> {
    return this.inner.get<T>(key);
  }

  async createIfAbsent<T>(key: string, value: T): Promise<WriteOutcome> {
    const outcome = await this.inner.createIfAbsent(key, value);
    if (outcome.ok) await this.publisher.changed(key, outcome.etag);
    return outcome;
  }

  async replaceIfMatch<T>(key: string, value: T, etag: string): Promise<WriteOutcome> {
    const outcome = await this.inner.replaceIfMatch(key, value, etag);
    if (outcome.ok) await this.publisher.changed(key, outcome.etag);
    return outcome;
  }

  check(): Promise<void> {
    return this.inner.check();
  }

  count(prefix: string): Promise<number> {
    return this.inner.count(prefix);
  }
}

export class ReplicaPublisher {
  constructor(
    private readonly queue: EventQueue,
    private readonly cell: string,
    private readonly status: ReplicationStatus,
    private readonly now: () => Date,
    private readonly logError: (message: string, error: unknown) => void,
  ) {}

  async changed(key: string, etag: string): Promise<void> {
    if (!replicatedKeyPattern.test(key)) return;
    const event: ReplicaChangedEvent = {
      id: `replica.changed:${key}:${etag.replace(/"/g, '')}`,
      type: 'replica.changed',
      occurredAt: this.now().toISOString(),
      key,
      cell: this.cell,
    };
    try {
      await this.queue.publish(event, { orderingKey: key });
    } catch (error) {
      this.status.notQueued();
      this.logError(`cell ${this.cell}: replica.changed for ${key} not queued`, error);
    }
  }
}

/** The consumer of the replication queue and the receiver of the peer's copies. */
export class Replicator {
  constructor(
    /** The cell's store without replication (applying a copy publishes only what the peer lacks). */
    private readonly store: DocumentStore,
    private readonly publisher: ReplicaPublisher,
    private readonly forwarder: PeerForwarder,
    readonly status: ReplicationStatus,
  ) {}

  /** Consumes one replica.changed event: sends the document as it is now to the peer. */
  async handle(raw: unknown): Promise<'delivered' | 'absent'> {
    const event = parseReplicaChanged(raw);
    const stored = await this.store.get<unknown>(event.key);
    if (!stored) return 'absent';
    let response: CoreResponse;
    try {
      response = await this.forwarder.forward({
        method: 'PUT',
        path: `/replicas/${event.key}`,
        query: new URLSearchParams(),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(stored.value),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.status.failed(message, event.occurredAt);
      // The queue keeps the event and retries it: the peer gets the copy once it is back.
      throw new Error(`replica of ${event.key} not delivered: ${message}`, { cause: error });
    }
    if (response.status >= 200 && response.status < 300) {
      this.status.delivered(event.occurredAt);
      return 'delivered';
    }
    this.status.failed(`peer answered ${response.status}`, event.occurredAt);
    if (response.status === 400 || response.status === 404) {
      throw new PoisonEventError(`peer refused the replica of ${event.key}: ${response.body}`);
    }
    throw new Error(`replica of ${event.key}: peer answered ${response.status}`);
  }

  /** Merges the peer's copy into this cell's; queues the merge back when the peer lacks it. */
  async apply(key: string, incoming: unknown): Promise<'created' | 'merged' | 'unchanged'> {
    return withOptimisticRetry(
      async () => {
        const local = await this.store.get<unknown>(key);
        const merged = local ? mergeReplica(key, local.value, incoming) : incoming;
        if (local && sameDocument(merged, local.value)) return 'unchanged' as const;
        const outcome = local
          ? await this.store.replaceIfMatch(key, merged, local.etag)
          : await this.store.createIfAbsent(key, merged);
        if (!outcome.ok) return retry;
        if (!sameDocument(merged, incoming)) await this.publisher.changed(key, outcome.etag);
        return local ? ('merged' as const) : ('created' as const);
      },
      () => busy(key),
    );
  }
}

export function parseReplicaChanged(raw: unknown): ReplicaChangedEvent {
  const event = eventObjectOf(raw);
  if (event.type !== 'replica.changed') {
    throw new PoisonEventError(`event type ${JSON.stringify(event.type)} is not replica.changed`);
  }
  if (typeof event.key !== 'string' || !replicatedKeyPattern.test(event.key)) {
    throw new PoisonEventError(`replica.changed names no cart or order: ${String(event.key)}`);
  }
  if (typeof event.occurredAt !== 'string' || typeof event.id !== 'string') {
    throw new PoisonEventError('replica.changed has no id or occurredAt');
  }
  return event as unknown as ReplicaChangedEvent;
}

/** A copy from the peer names the document of the path, with its customer. */
export function checkReplica(key: string, body: Record<string, unknown>): void {
  const id = key.slice(key.indexOf('/') + 1);
  if (body.id !== id || typeof body.customerId !== 'string') {
    throw new HttpProblem(
      400,
      'invalid_replica',
      `a replica of ${key} must be that document: a JSON object with id "${id}" and its customerId`,
      'body',
    );
  }
}
