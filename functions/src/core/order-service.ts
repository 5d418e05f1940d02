import { createHash } from 'node:crypto';
import { catalog } from './catalog.js';
import { HttpProblem, notFound } from './errors.js';
import { idFromKey } from './ids.js';
import { delay } from './optimistic.js';
import type { InventoryService } from './inventory-service.js';
import type { DocumentStore, EventQueue, OrderPlacedEvent } from './ports.js';
import type { OrderLine } from './validation.js';

export type OrderStatus = 'placed' | 'confirmed';

export interface OrderDocument {
  readonly id: string;
  readonly cell: string;
  readonly customerId: string;
  readonly items: readonly (OrderLine & { readonly priceCents: number })[];
  readonly totalCents: number;
  readonly status: OrderStatus;
  /** sha256 of the request: the same Idempotency-Key with another body is refused. */
  readonly fingerprint: string;
  readonly source: { readonly kind: 'api' } | { readonly kind: 'cart'; readonly cartId: string };
  /** False until order.placed is on the queue; a retry with the same key publishes it again. */
  readonly eventPublished: boolean;
  readonly processedEventIds: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Who is placing the order of an idempotency key, and how that attempt ended if it failed. */
interface ClaimDocument {
  readonly orderId: string;
  readonly fingerprint: string;
  readonly state: 'pending' | 'failed';
  readonly claimedAt: string;
  readonly failure?: ClaimFailure;
}

interface ClaimFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly field?: string;
  readonly extra: Record<string, unknown>;
}

export interface ClaimTiming {
  /** How long a request waits for a concurrent one with the same key before answering 409. */
  readonly claimWaitMs: number;
  readonly claimPollMs: number;
  /** A pending claim older than this belongs to a request that died: a retry takes it over. */
  readonly staleClaimMs: number;
}

export const defaultClaimTiming: ClaimTiming = {
  claimWaitMs: 8000,
  claimPollMs: 25,
  staleClaimMs: 30_000,
};

export interface PlaceOrderInput {
  /** The Idempotency-Key header, or the cart id; namespaced by `source.kind` and the customer. */
  readonly idempotencyKey: string;
  /** The token subject of the caller: orders are placed only for oneself. */
  readonly customerId: string;
  readonly items: readonly OrderLine[];
  readonly source: OrderDocument['source'];
}

export interface PlacedOrder {
  readonly order: OrderDocument;
  /** False when an earlier request with the same key already created it. */
  readonly created: boolean;
}

export class OrderService {
  constructor(
    private readonly store: DocumentStore,
    private readonly events: EventQueue,
    private readonly inventory: InventoryService,
    private readonly cell: string,
    private readonly now: () => Date,
    private readonly timing: ClaimTiming = defaultClaimTiming,
  ) {}

  /** The order when `customerId` placed it; another customer's order is as absent as a missing one. */
  async get(id: string, customerId: string): Promise<OrderDocument> {
    const stored = await this.store.get<OrderDocument>(orderKey(id));
    if (!stored || stored.value.customerId !== customerId) {
      throw notFound(`order ${id} does not exist`, 'id');
    }
    return stored.value;
  }

  /**
   * One order per idempotency key. The order id is derived from the key; the first request
   * claims the key with a create-only write, and only the claim holder reserves stock and
   * writes the order (create-only too). Concurrent requests with the same key wait for its
   * outcome and answer with the same order, or the same refusal. A failed request gives its
   * reservations back; a request that crashed after reserving leaves its claim pending, which a
   * retry takes over after `staleClaimMs`: a crash can under-sell, never over-sell.
   */
  async place(input: PlaceOrderInput): Promise<PlacedOrder> {
    const id = orderIdOf(this.cell, input);
    const fingerprint = fingerprintOf(input);
    const key = claimKey(id);
    const deadline = Date.now() + this.timing.claimWaitMs;
    let waited = false;
    for (;;) {
      const existing = await this.store.get<OrderDocument>(orderKey(id));
      if (existing)
        return { order: await this.replay(existing.value, fingerprint), created: false };

      const claim: ClaimDocument = {
        orderId: id,
        fingerprint,
        state: 'pending',
        claimedAt: new Date().toISOString(),
      };
      const created = await this.store.createIfAbsent(key, claim);
      if (created.ok) return this.placeClaimed(id, fingerprint, input, created.etag);

      const current = await this.store.get<ClaimDocument>(key);
      if (!current) {
        // The create lost to a claim this read does not see (yet): poll, as for a pending one.
        await this.pollOrGiveUp(deadline, id);
        continue;
      }
      const sameRequest = current.value.fingerprint === fingerprint;
      if (current.value.state === 'failed' && waited && sameRequest) {
        // The request this one waited for was refused: give the same answer.
        throw problemFrom(current.value.failure);
      }
      const stale = Date.now() - Date.parse(current.value.claimedAt) > this.timing.staleClaimMs;
      if (current.value.state === 'failed' || stale) {
        // A refused attempt created nothing, so the key is free again (a cart checked out
        // again after lowering a quantity has a new body); a pending claim this old lost its
        // request.
        const taken = await this.store.replaceIfMatch(key, claim, current.etag);
        if (taken.ok) return this.placeClaimed(id, fingerprint, input, taken.etag);
        continue;
      }
      if (!sameRequest) throw keyReused(id);
      waited = true;
      await this.pollOrGiveUp(deadline, id);
    }
  }

  /** Waits one poll for the claim holder, or answers 409 once `deadline` has passed. */
  private async pollOrGiveUp(deadline: number, id: string): Promise<void> {
    if (Date.now() > deadline) {
      throw new HttpProblem(
        409,
        'idempotency_key_in_progress',
        'a request with this Idempotency-Key is still being processed; retry shortly',
        'Idempotency-Key',
        { orderId: id },
        { 'retry-after': '1' },
      );
    }
    await delay(this.timing.claimPollMs);
  }

  private async placeClaimed(
    id: string,
    fingerprint: string,
    input: PlaceOrderInput,
    claimEtag: string,
  ): Promise<PlacedOrder> {
    const reserved: OrderLine[] = [];
    try {
      for (const line of input.items) {
        await this.inventory.reserve(line.sku, line.quantity);
        reserved.push(line);
      }
    } catch (error) {
      await this.releaseAll(reserved);
      let problem = error;
      if (error instanceof HttpProblem && error.code === 'insufficient_stock') {
        const index = input.items.findIndex((line) => line.sku === error.extra.sku);
        problem = new HttpProblem(
          409,
          error.code,
          error.message,
          `items[${index}].quantity`,
          error.extra,
        );
      }
      const failed: ClaimDocument = {
        orderId: id,
        fingerprint,
        state: 'failed',
        claimedAt: new Date().toISOString(),
        ...(problem instanceof HttpProblem ? { failure: failureOf(problem) } : {}),
      };
      await this.store.replaceIfMatch(claimKey(id), failed, claimEtag);
      throw problem;
    }

    const timestamp = this.now().toISOString();
    const items = input.items.map((line) => ({
      ...line,
      priceCents: catalog.find(line.sku)?.priceCents ?? 0,
    }));
    const order: OrderDocument = {
      id,
      cell: this.cell,
      customerId: input.customerId,
      items,
      totalCents: items.reduce((sum, line) => sum + line.priceCents * line.quantity, 0),
      status: 'placed',
      fingerprint,
      source: input.source,
      eventPublished: false,
      processedEventIds: [],
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    const outcome = await this.store.createIfAbsent(orderKey(id), order);
    if (!outcome.ok) {
      // Only after taking over a stale claim whose request came back after all.
      await this.releaseAll(reserved);
      const winner = await this.store.get<OrderDocument>(orderKey(id));
      if (!winner) throw new Error(`order ${id} was reported to exist but cannot be read`);
      return { order: checkFingerprint(winner.value, fingerprint), created: false };
    }
    return { order: await this.publishPlaced(order, outcome.etag), created: true };
  }

  private async replay(order: OrderDocument, fingerprint: string): Promise<OrderDocument> {
    checkFingerprint(order, fingerprint);
    if (order.eventPublished) return order;
    // The first request stored the order but did not get its event onto the queue.
    const stored = await this.store.get<OrderDocument>(orderKey(order.id));
    return stored ? this.publishPlaced(stored.value, stored.etag) : order;
  }

  private async publishPlaced(order: OrderDocument, etag: string): Promise<OrderDocument> {
    const event: OrderPlacedEvent = {
      id: `order.placed:${order.id}`,
      type: 'order.placed',
      occurredAt: order.createdAt,
      orderId: order.id,
      customerId: order.customerId,
      cell: this.cell,
    };
    try {
      await this.events.publish(event, { orderingKey: order.id });
    } catch {
      throw new HttpProblem(
        503,
        'event_not_queued',
        `order ${order.id} is saved but its order.placed event could not be queued; retry the same request (same Idempotency-Key) to queue it`,
        undefined,
        { orderId: order.id },
        { 'retry-after': '1' },
      );
    }
    const marked: OrderDocument = { ...order, eventPublished: true };
    // Losing this race only means the consumer moved the order on already; the event is out.
    const outcome = await this.store.replaceIfMatch(orderKey(order.id), marked, etag);
    return outcome.ok ? marked : order;
  }

  private async releaseAll(lines: readonly OrderLine[]): Promise<void> {
    for (const line of lines) await this.inventory.release(line.sku, line.quantity);
  }
}

function checkFingerprint(order: OrderDocument, fingerprint: string): OrderDocument {
  if (order.fingerprint !== fingerprint) throw keyReused(order.id);
  return order;
}

function keyReused(orderId: string): HttpProblem {
  return new HttpProblem(
    422,
    'idempotency_key_reused',
    'Idempotency-Key was already used for a different request; use a new key for a new order',
    'Idempotency-Key',
    { orderId },
  );
}

function failureOf(problem: HttpProblem): ClaimFailure {
  return {
    status: problem.status,
    code: problem.code,
    message: problem.message,
    ...(problem.field === undefined ? {} : { field: problem.field }),
    extra: problem.extra,
  };
}

function problemFrom(failure: ClaimFailure | undefined): HttpProblem {
  if (!failure) {
    return new HttpProblem(
      503,
      'idempotent_request_failed',
      'the first request with this Idempotency-Key failed; retry it',
      undefined,
      {},
      { 'retry-after': '1' },
    );
  }
  return new HttpProblem(
    failure.status,
    failure.code,
    failure.message,
    failure.field,
    failure.extra,
  );
}

/**
 * An order's id comes from its key within its customer's namespace: two customers who pick the
 * same Idempotency-Key (or the same client-chosen cart id) get two orders, and neither learns
 * that the other used it.
 */
export function orderIdOf(
  cell: string,
  input: Pick<PlaceOrderInput, 'customerId' | 'idempotencyKey' | 'source'>,
): string {
  return idFromKey(cell, `${input.source.kind}:${input.customerId}`, input.idempotencyKey);
}

function claimKey(orderId: string): string {
  return `order-claims/${orderId}`;
}

export function fingerprintOf(input: PlaceOrderInput): string {
  const items = [...input.items]
    .sort((a, b) => a.sku.localeCompare(b.sku))
    .map((line) => [line.sku, line.quantity]);
  return createHash('sha256')
    .update(JSON.stringify([input.customerId, items]))
    .digest('base64url');
}

export function orderKey(id: string): string {
  return `orders/${id}`;
}
