import type {
  CustomerNotification,
  DocumentStore,
  EventQueue,
  Notifier,
  CellEvent,
  StoredDocument,
  WriteOutcome,
} from '../core/ports.js';

/**
 * In-process adapters with the same contract as the cloud ones: for unit tests of the core
 * and the handler-throughput benchmark. Values are stored as JSON text like the real stores,
 * so a test cannot pass by sharing object references.
 */
export class MemoryDocumentStore implements DocumentStore {
  private readonly documents = new Map<string, { text: string; etag: string }>();
  private version = 0;
  /** While true, every call fails as an unreachable store would. */
  outage = false;

  async get<T>(key: string): Promise<StoredDocument<T> | undefined> {
    await Promise.resolve();
    this.failIfDown();
    const entry = this.documents.get(key);
    return entry ? { value: JSON.parse(entry.text) as T, etag: entry.etag } : undefined;
  }

  async createIfAbsent<T>(key: string, value: T): Promise<WriteOutcome> {
    await Promise.resolve();
    this.failIfDown();
    if (this.documents.has(key)) return { ok: false, reason: 'exists' };
    return { ok: true, etag: this.write(key, value) };
  }

  async replaceIfMatch<T>(key: string, value: T, etag: string): Promise<WriteOutcome> {
    await Promise.resolve();
    this.failIfDown();
    if (this.documents.get(key)?.etag !== etag) return { ok: false, reason: 'stale' };
    return { ok: true, etag: this.write(key, value) };
  }

  async check(): Promise<void> {
    this.failIfDown();
  }

  async count(prefix: string): Promise<number> {
    await Promise.resolve();
    this.failIfDown();
    return this.keys(prefix).length;
  }

  keys(prefix = ''): string[] {
    return [...this.documents.keys()].filter((key) => key.startsWith(prefix));
  }

  private failIfDown(): void {
    if (this.outage) throw new Error('memory store: unavailable');
  }

  private write(key: string, value: unknown): string {
    this.version += 1;
    const etag = `"m${this.version}"`;
    this.documents.set(key, { text: JSON.stringify(value), etag });
    return etag;
  }
}

export class MemoryEventQueue implements EventQueue {
  readonly published: { event: CellEvent; orderingKey?: string }[] = [];
  /** While true, publish and check fail as an unreachable queue would. */
  outage = false;

  async publish(event: CellEvent, options: { orderingKey?: string } = {}): Promise<void> {
    await Promise.resolve();
    if (this.outage) throw new Error('memory queue: unavailable');
    this.published.push({ event, ...options });
  }

  async check(): Promise<void> {
    if (this.outage) throw new Error('memory queue: unavailable');
  }
}

export class MemoryNotifier implements Notifier {
  readonly sent: CustomerNotification[] = [];
  /** While true, notify and check fail as an unreachable push service would. */
  outage = false;

  async notify(notification: CustomerNotification): Promise<void> {
    await Promise.resolve();
    if (this.outage) throw new Error('memory notifier: unavailable');
    this.sent.push(notification);
  }

  async check(): Promise<void> {
    if (this.outage) throw new Error('memory notifier: unavailable');
  }
}
