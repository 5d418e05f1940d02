/**
 * The ports of the workload: the core talks to storage, the event queue and customer
 * notifications only through these interfaces; each cloud supplies adapters (src/aws,
 * src/azure) and tests and benchmarks use src/memory.
 */

export interface StoredDocument<T> {
  readonly value: T;
  /** Opaque version tag of the stored bytes, as the store returns it (quoted). */
  readonly etag: string;
}

export type WriteOutcome =
  | { readonly ok: true; readonly etag: string }
  /** `exists`: create-if-absent lost; `stale`: the ETag no longer matches (or the document is gone). */
  | { readonly ok: false; readonly reason: 'exists' | 'stale' };

export interface DocumentStore {
  /** The document and its ETag, or undefined when absent. Keys look like `carts/aws-123`. */
  get<T>(key: string): Promise<StoredDocument<T> | undefined>;
  /** Writes only when no document has that key (S3/Blob `If-None-Match: *`). */
  createIfAbsent<T>(key: string, value: T): Promise<WriteOutcome>;
  /** Writes only when the stored ETag still equals `etag` (`If-Match`). */
  replaceIfMatch<T>(key: string, value: T, etag: string): Promise<WriteOutcome>;
  /** Throws when the store is unreachable; used by GET /health. */
  check(): Promise<void>;
  /**
   * How many documents have a key starting with `prefix` (e.g. `carts/azure-`), from the
   * store's own listing (S3 ListObjectsV2: one request per 1,000 keys; Blob List Blobs: per
   * 5,000). For operators (GET /replicas), never on a customer's path.
   */
  count(prefix: string): Promise<number>;
}

export interface OrderPlacedEvent {
  /** Deterministic (`order.placed:<orderId>`) so a re-publish is deduplicated by consumers. */
  readonly id: string;
  readonly type: 'order.placed';
  readonly occurredAt: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly cell: string;
}

/**
 * A cart or order document changed in this cell (ADR 23): the cell's replication consumer sends
 * the document as it is now to the peer cell. Only the key travels on the queue, so a burst of
 * changes to one document costs one up-to-date copy per event, never a stale one.
 */
export interface ReplicaChangedEvent {
  readonly id: string;
  readonly type: 'replica.changed';
  readonly occurredAt: string;
  /** The document's key, `carts/<id>` or `orders/<id>`. */
  readonly key: string;
  /** The cell whose store changed (the publisher). */
  readonly cell: string;
}

export type CellEvent = OrderPlacedEvent | ReplicaChangedEvent;

/** The partition / message group of an event: its order, or its document. */
export function orderingKeyOf(event: CellEvent): string {
  return event.type === 'order.placed' ? event.orderId : event.key;
}

export interface EventQueue {
  /** At-least-once: consumers deduplicate by `event.id`. */
  publish(event: CellEvent, options?: { orderingKey?: string }): Promise<void>;
  /**
   * A live check for GET /health, only where the cell's least-privilege rights allow one that
   * sends nothing (SQS GetQueueAttributes). Without it /health reports the last publish.
   */
  check?(): Promise<void>;
}

export interface CustomerNotification {
  readonly customerId: string;
  /** Lets the receiving side drop duplicates (the consumer is at-least-once). */
  readonly dedupeId: string;
  readonly title: string;
  readonly body: string;
  readonly orderId: string;
}

export interface Notifier {
  notify(notification: CustomerNotification): Promise<void>;
  /** As EventQueue.check (SNS GetTopicAttributes); without it /health reports the last send. */
  check?(): Promise<void>;
}

export interface Ports {
  readonly documents: DocumentStore;
  readonly events: EventQueue;
  readonly notifier: Notifier;
  /**
   * The cell's replication queue (SQS / Event Hubs, ADR 23): replica.changed events, consumed
   * by this cell's replication function, which delivers each document to the peer and is
   * retried by the queue while the peer is down. Without it the cell does not replicate.
   */
  readonly replication?: EventQueue;
}
