import { testPeerProbeRefreshMs, testPeerSettings } from './support/peer-key.js';
import { createCellApp } from '../src/core/cell-app.js';
import { consumeBatch } from '../src/core/order-events.js';
import {
  MemoryDocumentStore,
  MemoryEventQueue,
  MemoryNotifier,
} from '../src/memory/memory-adapters.js';
import { describeCellBehaviour } from './behaviour/cell-behaviour.js';
import type { CellHarness, HarnessResponse, RequestOptions } from './behaviour/harness.js';
import type { WriteOutcome } from '../src/core/ports.js';

/**
 * The memory store has no wire: a "lost answer" here is a write that commits and is reported
 * as the writer's own, which is what the cloud adapters must make of an SDK retry too.
 */
class FaultyMemoryStore extends MemoryDocumentStore {
  readonly lostAnswers: { prefix: string; hits: number }[] = [];
  readonly slow: { prefix: string; ms: number }[] = [];

  override async createIfAbsent<T>(key: string, value: T): Promise<WriteOutcome> {
    await this.fault(key);
    return super.createIfAbsent(key, value);
  }

  override async replaceIfMatch<T>(key: string, value: T, etag: string): Promise<WriteOutcome> {
    await this.fault(key);
    return super.replaceIfMatch(key, value, etag);
  }

  private async fault(key: string): Promise<void> {
    const lost = this.lostAnswers.find((entry) => entry.hits === 0 && key.startsWith(entry.prefix));
    if (lost) lost.hits += 1;
    const ms = this.slow.find((entry) => key.startsWith(entry.prefix))?.ms ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

// The behavioural suite on in-memory adapters: checks the core alone, fast, before the
// same suite runs against the AWS and Azure adapter sets on their emulators.
describeCellBehaviour('cell core on in-memory adapters', async (peer, auth) => {
  const documents = new FaultyMemoryStore();
  const events = new MemoryEventQueue();
  const notifier = new MemoryNotifier();
  const app = createCellApp({
    identity: { cell: 'mem', cloud: 'memory', region: 'local', version: '1.2.3-test' },
    peer: testPeerSettings('peer', peer.url, peer.timeoutMs),
    auth,
    ports: { documents, events, notifier },
    logError: () => {},
    peerProbe: { refreshMs: testPeerProbeRefreshMs },
  });
  const raw: string[] = [];
  const deadLetters: string[] = [];
  let delivered = 0;

  const harness: CellHarness = {
    cloud: 'memory',
    cell: 'mem',
    peerCell: 'peer',
    async request(
      method: string,
      path: string,
      options: RequestOptions = {},
    ): Promise<HarnessResponse> {
      const [pathname, query = ''] = path.split('?') as [string, string?];
      const body =
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body);
      const response = await app.handleHttp({
        method,
        path: pathname,
        query: new URLSearchParams(query),
        headers: options.headers ?? {},
        ...(body === undefined ? {} : { body }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: response.body ? JSON.parse(response.body) : undefined,
      };
    },
    async queueRawEvent(body) {
      raw.push(body);
    },
    async deliverOrderEvents() {
      const pending = [
        ...events.published.slice(delivered).map((entry) => JSON.stringify(entry.event)),
        ...raw.splice(0),
      ];
      delivered = events.published.length;
      let batch = pending.map((body, index) => ({ itemId: String(index), body }));
      for (let attempt = 1; attempt <= 3 && batch.length > 0; attempt += 1) {
        const failed = new Set((await consumeBatch(app.orderEvents, batch)).map((f) => f.itemId));
        batch = batch.filter((item) => failed.has(item.itemId));
      }
      deadLetters.push(...batch.map((item) => item.body as string));
    },
    async deadLetters() {
      return deadLetters;
    },
    async injectOutage(dependency) {
      const port =
        dependency === 'documents' ? documents : dependency === 'events' ? events : notifier;
      port.outage = true;
      return () => {
        port.outage = false;
      };
    },
    async loseNextWriteAnswer(keyPrefix) {
      const lost = { prefix: keyPrefix, hits: 0 };
      documents.lostAnswers.push(lost);
      return lost;
    },
    async slowWrites(keyPrefix, ms) {
      const slow = { prefix: keyPrefix, ms };
      documents.slow.push(slow);
      return () => void documents.slow.splice(documents.slow.indexOf(slow), 1);
    },
    async notifications() {
      return notifier.sent.map(({ customerId, orderId }) => ({ customerId, orderId }));
    },
    async close() {},
  };
  return harness;
});
