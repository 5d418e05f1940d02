import { describe, expect, it } from '@jest/globals';

import { awsConfigFromEnv } from '../src/aws/config.js';
import type { CartDocument } from '../src/core/cart-service.js';
import type { OrderDocument } from '../src/core/order-service.js';
import { PeerForwarder } from '../src/core/peer-forwarder.js';
import { mergeCarts, mergeOrders, sameDocument } from '../src/core/replica-merge.js';
import { createCellApp } from '../src/core/cell-app.js';
import { PoisonEventError } from '../src/core/errors.js';
import { signPeerRequest } from '../src/core/peer-auth.js';
import {
  parseReplicaChanged,
  ReplicaPublisher,
  ReplicationStatus,
  Replicator,
} from '../src/core/replication.js';
import {
  MemoryDocumentStore,
  MemoryEventQueue,
  MemoryNotifier,
} from '../src/memory/memory-adapters.js';
import { awsSettingsEnv } from './support/cell-env.js';
import { testPeerEnv, testPeerSettings } from './support/peer-key.js';

const cart = (overrides: Partial<CartDocument>): CartDocument => ({
  id: 'azure-cart1',
  cell: 'azure',
  customerId: 'carol',
  items: [],
  lines: {},
  status: 'open',
  createdAt: '2026-12-05T10:00:00.000Z',
  updatedAt: '2026-12-05T10:00:00.000Z',
  ...overrides,
});

const line = (quantity: number, at: string, by: string) => ({ quantity, at, by });

describe('merging two copies of a cart (ADR 23)', () => {
  // Azure set MUG=2 then the outage; AWS added HOODIE and removed STICKERS during it.
  const home = cart({
    items: [
      { sku: 'MUG', quantity: 2 },
      { sku: 'STICKERS', quantity: 1 },
    ],
    lines: {
      MUG: line(2, '2026-12-05T10:00:05.000Z', 'azure'),
      STICKERS: line(1, '2026-12-05T10:00:01.000Z', 'azure'),
    },
    updatedAt: '2026-12-05T10:00:05.000Z',
  });
  const survivor = cart({
    items: [
      { sku: 'HOODIE', quantity: 1 },
      { sku: 'MUG', quantity: 1 },
    ],
    lines: {
      MUG: line(1, '2026-12-05T10:00:02.000Z', 'aws'),
      HOODIE: line(1, '2026-12-05T10:00:09.000Z', 'aws'),
      STICKERS: line(0, '2026-12-05T10:00:08.000Z', 'aws'),
    },
    status: 'checked-out',
    orderId: 'aws-o1',
    updatedAt: '2026-12-05T10:00:09.000Z',
  });

  it('keeps the later change of each line, removals included, and the checkout', () => {
    const merged = mergeCarts(home, survivor);
    expect(merged.items).toEqual([
      { sku: 'HOODIE', quantity: 1 },
      { sku: 'MUG', quantity: 2 },
    ]);
    expect(merged).toMatchObject({
      status: 'checked-out',
      orderId: 'aws-o1',
      updatedAt: '2026-12-05T10:00:09.000Z',
    });
  });

  it('is the same whichever side merges, and merging again changes nothing', () => {
    const one = mergeCarts(home, survivor);
    expect(sameDocument(one, mergeCarts(survivor, home))).toBe(true);
    expect(sameDocument(mergeCarts(one, home), one)).toBe(true);
    expect(sameDocument(mergeCarts(one, one), one)).toBe(true);
  });

  it('two checkouts of one cart name the smaller order id on both sides', () => {
    const other = { ...home, status: 'checked-out' as const, orderId: 'azure-o9' };
    expect(mergeCarts(other, survivor).orderId).toBe('aws-o1');
    expect(mergeCarts(survivor, other).orderId).toBe('aws-o1');
  });
});

describe('merging two copies of an order', () => {
  const placed: OrderDocument = {
    id: 'aws-o1',
    cell: 'aws',
    customerId: 'carol',
    items: [{ sku: 'MUG', quantity: 1, priceCents: 900 }],
    totalCents: 900,
    status: 'placed',
    fingerprint: 'f',
    source: { kind: 'api' },
    eventPublished: false,
    processedEventIds: [],
    createdAt: '2026-12-05T10:00:00.000Z',
    updatedAt: '2026-12-05T10:00:00.000Z',
  };
  const confirmed: OrderDocument = {
    ...placed,
    status: 'confirmed',
    eventPublished: true,
    processedEventIds: ['order.placed:aws-o1'],
    updatedAt: '2026-12-05T10:00:01.000Z',
  };

  it('confirmed wins over placed, either way round', () => {
    expect(mergeOrders(placed, confirmed)).toEqual(confirmed);
    expect(mergeOrders(confirmed, placed)).toEqual(confirmed);
  });
});

describe('applying a copy from the peer', () => {
  function setUp() {
    const store = new MemoryDocumentStore();
    const queue = new MemoryEventQueue();
    const status = new ReplicationStatus(() => new Date());
    const publisher = new ReplicaPublisher(
      queue,
      'aws',
      status,
      () => new Date(),
      () => {},
    );
    const forwarder = new PeerForwarder(
      'aws',
      testPeerSettings('azure', 'http://127.0.0.1:9', 100),
    );
    return { store, queue, replicator: new Replicator(store, publisher, forwarder, status) };
  }

  it('creates, then leaves an identical copy alone and queues nothing back', async () => {
    const { store, queue, replicator } = setUp();
    const copy = cart({
      items: [{ sku: 'MUG', quantity: 1 }],
      lines: { MUG: line(1, 'a', 'azure') },
    });
    expect(await replicator.apply('carts/azure-cart1', copy)).toBe('created');
    expect(await replicator.apply('carts/azure-cart1', copy)).toBe('unchanged');
    expect(queue.published).toHaveLength(0);
    expect((await store.get('carts/azure-cart1'))?.value).toEqual(copy);
  });

  it('queues the merge back when the peer lacks part of it', async () => {
    const { queue, replicator } = setUp();
    const ours = cart({
      items: [{ sku: 'HOODIE', quantity: 1 }],
      lines: { HOODIE: line(1, 'b', 'aws') },
    });
    const theirs = cart({
      items: [{ sku: 'MUG', quantity: 1 }],
      lines: { MUG: line(1, 'a', 'azure') },
    });
    await replicator.apply('carts/azure-cart1', ours);
    expect(await replicator.apply('carts/azure-cart1', theirs)).toBe('merged');
    expect(queue.published.map((entry) => entry.event)).toEqual([
      expect.objectContaining({ type: 'replica.changed', key: 'carts/azure-cart1', cell: 'aws' }),
    ]);
  });

  it('a delivery to a peer that is down fails (the queue retries it) and says so', async () => {
    const { store, replicator } = setUp();
    await store.createIfAbsent('carts/aws-c2', cart({ id: 'aws-c2', cell: 'aws' }));
    const event = {
      id: 'replica.changed:carts/aws-c2:1',
      type: 'replica.changed',
      occurredAt: new Date().toISOString(),
      key: 'carts/aws-c2',
      cell: 'aws',
    };
    await expect(replicator.handle(JSON.stringify(event))).rejects.toThrow(/not delivered/);
    expect(replicator.status.report()).toMatchObject({ status: 'behind', failedDeliveries: 1 });
  });

  it('while behind, says how old the first undelivered change is; a delivery clears it', () => {
    let clock = Date.parse('2026-12-05T10:00:10Z');
    const status = new ReplicationStatus(() => new Date(clock));
    status.delivered('2026-12-05T10:00:09.850Z');
    expect(status.report()).toMatchObject({ status: 'ok', lagMs: 150 });
    expect(status.report().behindMs).toBeUndefined();
    clock = Date.parse('2026-12-05T10:00:12Z');
    status.failed('cell azure could not be reached', '2026-12-05T10:00:11Z');
    status.failed('cell azure could not be reached', '2026-12-05T10:00:12Z');
    clock = Date.parse('2026-12-05T10:00:31Z');
    // The replica misses a change made 20 s ago; the last delivery's lag is kept beside it.
    expect(status.report()).toMatchObject({
      status: 'behind',
      lagMs: 150,
      behindMs: 20_000,
      failedDeliveries: 2,
    });
    clock = Date.parse('2026-12-05T10:00:32Z');
    status.delivered('2026-12-05T10:00:12Z');
    expect(status.report()).toMatchObject({ status: 'ok', lagMs: 20_000 });
    expect(status.report().behindMs).toBeUndefined();
  });
});

describe('reading a replica.changed event', () => {
  const event = {
    id: 'replica.changed:carts/aws-c2:1',
    type: 'replica.changed',
    occurredAt: '2026-12-05T10:00:00.000Z',
    key: 'carts/aws-c2',
    cell: 'aws',
  };

  it('takes the object, its JSON text (SQS) or its bytes (Event Hubs)', () => {
    const text = JSON.stringify(event);
    for (const raw of [event, text, new TextEncoder().encode(text)]) {
      expect(parseReplicaChanged(raw)).toEqual(event);
    }
  });

  it('calls anything else poison, saying why', () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /not JSON/],
      ['5', /not a JSON object/],
      [null, /not a JSON object/],
      [{ ...event, type: 'order.placed' }, /is not replica\.changed/],
      [{ ...event, key: 'inventory/MUG' }, /names no cart or order/],
      [{ ...event, occurredAt: undefined }, /no id or occurredAt/],
    ];
    for (const [raw, reason] of cases) {
      expect(() => parseReplicaChanged(raw)).toThrow(PoisonEventError);
      expect(() => parseReplicaChanged(raw)).toThrow(reason);
    }
  });
});

describe('PUT /replicas/{kind}/{id}: only the signed peer writes a replica', () => {
  const peer = testPeerSettings('azure', 'http://127.0.0.1:9', 100);
  const documents = new MemoryDocumentStore();
  const app = createCellApp({
    identity: { cell: 'aws', cloud: 'aws', region: 'local', version: '1.0.0' },
    peer,
    // Settings only: no token is asked for on this route.
    auth: awsConfigFromEnv({ ...awsSettingsEnv, ...testPeerEnv }).auth,
    ports: {
      documents,
      events: new MemoryEventQueue(),
      notifier: new MemoryNotifier(),
      replication: new MemoryEventQueue(),
    },
    logError: () => {},
  });
  const path = '/replicas/carts/azure-cart1';
  const body = JSON.stringify(cart({ items: [{ sku: 'MUG', quantity: 9 }] }));
  const put = (headers: Record<string, string>) =>
    app.handleHttp({ method: 'PUT', path, query: new URLSearchParams(), headers, body });
  const signed = (fromCell: string) =>
    signPeerRequest(
      peer.auth,
      { fromCell, toCell: 'aws', method: 'PUT', path, query: '' },
      body,
      new Date(),
    );

  it('refuses an unsigned call, a forged peer header and another cell, writing nothing', async () => {
    const refused = [
      await put({ 'content-type': 'application/json' }),
      await put({ 'x-forwarded-from-cell': 'azure' }),
      await put(signed('gcp')),
    ];
    expect(
      refused.map((response) => [response.status, JSON.parse(response.body ?? '{}').code]),
    ).toEqual([
      [403, 'peer_only'],
      [401, 'peer_auth_failed'],
      [401, 'peer_auth_failed'],
    ]);
    expect(await documents.get('carts/azure-cart1')).toBeUndefined();
  });

  it('merges the signed copy from the peer', async () => {
    const accepted = await put(signed('azure'));
    expect({ status: accepted.status, body: JSON.parse(accepted.body ?? '{}') }).toEqual({
      status: 200,
      body: { key: 'carts/azure-cart1', result: 'created' },
    });
    expect((await documents.get<CartDocument>('carts/azure-cart1'))?.value.items).toEqual([
      { sku: 'MUG', quantity: 9 },
    ]);
  });
});
