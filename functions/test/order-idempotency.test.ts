import { describe, expect, it } from '@jest/globals';
import type { HttpProblem } from '../src/core/errors.js';
import { InventoryService } from '../src/core/inventory-service.js';
import {
  OrderService,
  fingerprintOf,
  orderIdOf,
  type ClaimTiming,
} from '../src/core/order-service.js';
import type { WriteOutcome } from '../src/core/ports.js';
import { MemoryDocumentStore, MemoryEventQueue } from '../src/memory/memory-adapters.js';
import { refusal } from './support/refusal.js';

/** A store whose order writes can be held back, to keep a request "in flight" on purpose. */
class GatedStore extends MemoryDocumentStore {
  gate: Promise<void> | undefined;

  override async createIfAbsent<T>(key: string, value: T): Promise<WriteOutcome> {
    if (key.startsWith('orders/') && this.gate) await this.gate;
    return super.createIfAbsent(key, value);
  }
}

/**
 * A store whose reads of a claim miss it right after a create lost to it: a read after 412 that
 * does not see the winner's document yet (`misses` of them, or for ever). Reads yield to timers,
 * as a store's I/O does.
 */
class LaggingClaimStore extends GatedStore {
  misses = 0;

  constructor(private readonly hiddenReads: number) {
    super();
  }

  private lostCreate = false;

  override async createIfAbsent<T>(key: string, value: T): Promise<WriteOutcome> {
    const outcome = await super.createIfAbsent(key, value);
    if (!outcome.ok && key.startsWith('order-claims/')) this.lostCreate = true;
    return outcome;
  }

  override async get<T>(key: string) {
    await new Promise((resolve) => setImmediate(resolve));
    if (key.startsWith('order-claims/') && this.lostCreate && this.misses < this.hiddenReads) {
      this.misses += 1;
      return undefined;
    }
    return super.get<T>(key);
  }
}

function setup(timing: Partial<ClaimTiming> = {}, store: GatedStore = new GatedStore()) {
  const events = new MemoryEventQueue();
  const now = () => new Date();
  const inventory = new InventoryService(store, 'mem', now);
  const orders = new OrderService(store, events, inventory, 'mem', now, {
    claimWaitMs: 2000,
    claimPollMs: 5,
    staleClaimMs: 30_000,
    ...timing,
  });
  return { store, events, inventory, orders };
}

const input = (key: string, quantity = 1) => ({
  idempotencyKey: key,
  customerId: 'c-1',
  items: [{ sku: 'MUG', quantity }],
  source: { kind: 'api' as const },
});

describe('order placement with an Idempotency-Key', () => {
  it('lets only the claim holder reserve: concurrent requests wait and get its order', async () => {
    const { store, inventory, orders, events } = setup();
    await inventory.setAllocation('MUG', 5);
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    const first = orders.place(input('k1', 2));
    const others = Array.from({ length: 5 }, () => orders.place(input('k1', 2)));
    await new Promise((resolve) => setTimeout(resolve, 30));
    // While the first request is held, stock shows one reservation, never six.
    expect((await inventory.get('MUG')).reserved).toBe(2);
    open();
    const results = await Promise.all([first, ...others]);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.order.id)).size).toBe(1);
    expect(events.published).toHaveLength(1);
  });

  it('a read after a lost create that does not see the claim yet: the request tries again and joins the holder', async () => {
    const store = new LaggingClaimStore(3);
    const { inventory, orders, events } = setup({}, store);
    await inventory.setAllocation('MUG', 5);
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    const first = orders.place(input('k8', 2));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = orders.place(input('k8', 2));
    await new Promise((resolve) => setTimeout(resolve, 30));
    open();
    const results = await Promise.all([first, second]);
    expect(store.misses).toBe(3);
    expect(results.map((result) => result.created)).toEqual([true, false]);
    expect(results[1]?.order.id).toBe(results[0]?.order.id);
    expect((await inventory.get('MUG')).reserved).toBe(2);
    expect(events.published).toHaveLength(1);
  });

  it('a claim that stays unreadable after a lost create: 409 in progress once the wait is over, not a request that spins', async () => {
    const store = new LaggingClaimStore(Infinity);
    const { inventory, orders } = setup({ claimWaitMs: 100, claimPollMs: 10 }, store);
    await inventory.setAllocation('MUG', 5);
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    const first = orders.place(input('k9', 1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const refused = await refusal(orders.place(input('k9', 1)));
    expect({ status: refused.status, code: refused.code }).toEqual({
      status: 409,
      code: 'idempotency_key_in_progress',
    });
    // Polled, not spun: about one read per poll over the 100 ms wait.
    expect(store.misses).toBeLessThan(30);
    open();
    expect((await first).created).toBe(true);
  }, 10_000);

  it('gives waiting requests the same refusal when the claim holder is out of stock', async () => {
    const { inventory, orders } = setup();
    await inventory.setAllocation('MUG', 1);
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => orders.place(input('k2', 3))),
    );
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as HttpProblem;
      expect({ status: reason.status, code: reason.code, field: reason.field }).toEqual({
        status: 409,
        code: 'insufficient_stock',
        field: 'items[0].quantity',
      });
    }
    expect((await inventory.get('MUG')).reserved).toBe(0);
  });

  it('retries a refused key once stock is back', async () => {
    const { inventory, orders } = setup();
    await inventory.setAllocation('MUG', 1);
    expect((await refusal(orders.place(input('k3', 2)))).code).toBe('insufficient_stock');
    await inventory.setAllocation('MUG', 2);
    expect((await orders.place(input('k3', 2))).created).toBe(true);
  });

  it('frees a refused key for a different body (a cart checked out again with less)', async () => {
    const { inventory, orders } = setup();
    await inventory.setAllocation('MUG', 2);
    expect((await refusal(orders.place(input('k7', 3)))).code).toBe('insufficient_stock');
    const placed = await orders.place(input('k7', 2));
    expect(placed.created).toBe(true);
    expect((await refusal(orders.place(input('k7', 1)))).code).toBe('idempotency_key_reused');
  });

  it('answers 409 in progress when the claim holder takes too long', async () => {
    const { store, inventory, orders } = setup({ claimWaitMs: 40 });
    await inventory.setAllocation('MUG', 5);
    let open!: () => void;
    store.gate = new Promise((resolve) => (open = resolve));
    const first = orders.place(input('k4'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const waiting = await refusal(orders.place(input('k4')));
    expect({ status: waiting.status, code: waiting.code, headers: waiting.headers }).toEqual({
      status: 409,
      code: 'idempotency_key_in_progress',
      headers: { 'retry-after': '1' },
    });
    open();
    expect((await first).created).toBe(true);
  });

  it('takes over a claim left pending by a request that died, and only a stale one', async () => {
    const { store, inventory, orders } = setup({ claimWaitMs: 30 });
    await inventory.setAllocation('MUG', 5);
    const claim = (key: string, claimedAt: string) =>
      store.createIfAbsent(`order-claims/${orderIdOf('mem', input(key))}`, {
        orderId: orderIdOf('mem', input(key)),
        fingerprint: fingerprintOf(input(key)),
        state: 'pending',
        claimedAt,
      });
    await claim('dead', new Date(Date.now() - 60_000).toISOString());
    const revived = await orders.place(input('dead'));
    expect(revived.created).toBe(true);

    await claim('busy', new Date().toISOString());
    expect((await refusal(orders.place(input('busy')))).code).toBe('idempotency_key_in_progress');
  });

  it('refuses the same key with a different body (422)', async () => {
    const { inventory, orders } = setup();
    await inventory.setAllocation('MUG', 5);
    await orders.place(input('k6', 1));
    const refused = await refusal(orders.place(input('k6', 2)));
    expect({ status: refused.status, field: refused.field }).toEqual({
      status: 422,
      field: 'Idempotency-Key',
    });
  });
});
