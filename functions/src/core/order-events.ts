import { PoisonEventError } from './errors.js';
import { orderKey, type OrderDocument } from './order-service.js';
import { retry, withOptimisticRetry } from './optimistic.js';
import type { DocumentStore, Notifier, OrderPlacedEvent } from './ports.js';

/**
 * The order.placed consumer: confirms the order and notifies the customer. Delivery is
 * at-least-once on both clouds, so it deduplicates by event id (an order that already
 * recorded the event is left alone) and notifies with the event id as dedupe id.
 */
export class OrderEventConsumer {
  constructor(
    private readonly store: DocumentStore,
    private readonly notifier: Notifier,
    private readonly cell: string,
    private readonly now: () => Date,
  ) {}

  /** Throws PoisonEventError when the event can never succeed, any other error when it may. */
  async handle(raw: unknown): Promise<'processed' | 'duplicate'> {
    const event = parseOrderPlaced(raw, this.cell);
    const key = orderKey(event.orderId);
    const first = await this.store.get<OrderDocument>(key);
    if (!first)
      throw new PoisonEventError(
        `order ${event.orderId} named by event ${event.id} does not exist`,
      );
    if (first.value.processedEventIds.includes(event.id)) return 'duplicate';

    // Notify before recording: a crash in between re-notifies (deduped downstream), never skips.
    await this.notifier.notify({
      customerId: first.value.customerId,
      dedupeId: event.id,
      orderId: event.orderId,
      title: 'Order confirmed',
      body: `Your order ${event.orderId} is confirmed.`,
    });
    return withOptimisticRetry(
      async () => {
        const stored = await this.store.get<OrderDocument>(key);
        if (!stored) throw new PoisonEventError(`order ${event.orderId} disappeared`);
        if (stored.value.processedEventIds.includes(event.id)) return 'duplicate' as const;
        const next: OrderDocument = {
          ...stored.value,
          status: 'confirmed',
          // The publisher marks eventPublished after the event is out; this consumer saw it.
          eventPublished: true,
          processedEventIds: [...stored.value.processedEventIds, event.id],
          updatedAt: this.now().toISOString(),
        };
        const outcome = await this.store.replaceIfMatch(key, next, stored.etag);
        return outcome.ok ? ('processed' as const) : retry;
      },
      () => new Error(`order ${event.orderId} kept changing while confirming it`),
    );
  }
}

/**
 * An event as a JSON object: accepts the object or its JSON text (SQS bodies are text; Event
 * Hubs may give either). Throws PoisonEventError when it is neither.
 */
export function eventObjectOf(raw: unknown): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string' || raw instanceof Uint8Array) {
    const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      throw new PoisonEventError('event body is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null) {
    throw new PoisonEventError('event is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/** An order.placed event for this cell; PoisonEventError when it is anything else. */
export function parseOrderPlaced(raw: unknown, cell: string): OrderPlacedEvent {
  const event = eventObjectOf(raw);
  if (event.type !== 'order.placed') {
    throw new PoisonEventError(`event type ${JSON.stringify(event.type)} is not order.placed`);
  }
  for (const field of ['id', 'orderId', 'customerId', 'occurredAt', 'cell'] as const) {
    if (typeof event[field] !== 'string' || event[field] === '') {
      throw new PoisonEventError(`order.placed event has no ${field}`);
    }
  }
  if (event.cell !== cell || !(event.orderId as string).startsWith(`${cell}-`)) {
    throw new PoisonEventError(
      `order.placed event for cell ${String(event.cell)} reached cell ${cell}`,
    );
  }
  return event as unknown as OrderPlacedEvent;
}

export interface BatchItem {
  /** The id the trigger knows the item by (SQS messageId, Event Hubs sequence number). */
  readonly itemId: string;
  readonly body: unknown;
}

export interface BatchItemFailure {
  readonly itemId: string;
  readonly error: Error;
  readonly poison: boolean;
}

/** Anything that handles one event: the order.placed consumer, or a fake in unit tests. */
export interface EventHandler {
  handle(raw: unknown): Promise<unknown>;
}

/**
 * Handles every item of a batch independently: one bad event never fails the others.
 * `ordered` (FIFO queues) handles items one after another and stops at the first failure:
 * that item and every later one are reported failed, unprocessed, so none overtakes it.
 */
export async function consumeBatch(
  consumer: EventHandler,
  items: readonly BatchItem[],
  options: { ordered?: boolean } = {},
): Promise<BatchItemFailure[]> {
  const failureOf = (item: BatchItem, reason: unknown): BatchItemFailure => {
    const error = reason instanceof Error ? reason : new Error(String(reason));
    return { itemId: item.itemId, error, poison: error instanceof PoisonEventError };
  };
  if (options.ordered) {
    for (const [index, item] of items.entries()) {
      try {
        await consumer.handle(item.body);
      } catch (reason) {
        const skipped = new Error(`not processed: event ${item.itemId} before it failed`);
        return [
          failureOf(item, reason),
          ...items
            .slice(index + 1)
            .map((later) => ({ itemId: later.itemId, error: skipped, poison: false })),
        ];
      }
    }
    return [];
  }
  const results = await Promise.allSettled(items.map((item) => consumer.handle(item.body)));
  const failures: BatchItemFailure[] = [];
  results.forEach((result, index) => {
    if (result.status === 'rejected')
      failures.push(failureOf(items[index] as BatchItem, result.reason));
  });
  return failures;
}
