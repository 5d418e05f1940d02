import { createHash } from 'node:crypto';
import { catalog } from './catalog.js';
import { HttpProblem, notFound } from './errors.js';
import { idFromKey } from './ids.js';
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

export interface PlaceOrderInput {
  /** Namespaced: `api:<Idempotency-Key>` or `cart:<cartId>`. */
  readonly idempotencyKey: string;
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
  ) {}

  async get(id: string): Promise<OrderDocument> {
    const stored = await this.store.get<OrderDocument>(orderKey(id));
    if (!stored) throw notFound(`order ${id} does not exist`, 'id');
    return stored.value;
  }

  /**
   * One order per idempotency key: the order id is derived from the key and written
   * create-only. Stock is reserved first and given back when the order is not ours to write
   * (a concurrent request with the same key won, or a later line is out of stock), so a
   * failed request leaves nothing behind and a crash can only under-sell, never over-sell.
   */
  async place(input: PlaceOrderInput): Promise<PlacedOrder> {
    const id = idFromKey(this.cell, input.source.kind, input.idempotencyKey);
    const fingerprint = fingerprintOf(input);
    const existing = await this.store.get<OrderDocument>(orderKey(id));
    if (existing) return { order: await this.replay(existing.value, fingerprint), created: false };

    const reserved: OrderLine[] = [];
    try {
      for (const line of input.items) {
        await this.inventory.reserve(line.sku, line.quantity);
        reserved.push(line);
      }
    } catch (error) {
      await this.releaseAll(reserved);
      // A concurrent request with the same key may have taken the last units: answer with its order.
      const winner = await this.store.get<OrderDocument>(orderKey(id));
      if (winner) return { order: await this.replay(winner.value, fingerprint), created: false };
      if (error instanceof HttpProblem && error.code === 'insufficient_stock') {
        const index = input.items.findIndex((line) => line.sku === error.extra.sku);
        throw new HttpProblem(
          409,
          error.code,
          error.message,
          `items[${index}].quantity`,
          error.extra,
        );
      }
      throw error;
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
  if (order.fingerprint !== fingerprint) {
    throw new HttpProblem(
      422,
      'idempotency_key_reused',
      'Idempotency-Key was already used for a different request; use a new key for a new order',
      'Idempotency-Key',
      { orderId: order.id },
    );
  }
  return order;
}

function fingerprintOf(input: PlaceOrderInput): string {
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
