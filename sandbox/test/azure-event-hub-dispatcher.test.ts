import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { parseServiceBusConnection } from '../../functions/src/azure/service-bus-auth.js';
import { EventHubsEventQueue } from '../../functions/src/azure/event-hubs-queue.js';
import {
  startEventHubsStandIn,
  type EventHubsStandIn,
} from '../../stand-ins/src/event-hubs/index.js';
import { EventHubDispatcher } from '../src/azure/event-hub-dispatcher.js';

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Event Hubs trigger over the Event Hubs stand-in', () => {
  let hubs: EventHubsStandIn;
  let dispatcher: EventHubDispatcher;
  let queue: EventHubsEventQueue;

  beforeAll(async () => {
    hubs = await startEventHubsStandIn({ hubs: { 'order-events': { partitionCount: 2 } } });
    dispatcher = new EventHubDispatcher(
      hubs,
      { ORDER_EVENTS_HUB: 'order-events' },
      'sandbox.servicebus.local',
      20,
    );
    queue = new EventHubsEventQueue(
      parseServiceBusConnection(hubs.connectionString, 'ORDER_EVENTS_CONNECTION'),
      'order-events',
    );
  });

  afterAll(async () => {
    await dispatcher.stop();
    await hubs.close();
  });

  const publish = (orderId: string): Promise<void> =>
    queue.publish(
      {
        id: `order.placed:${orderId}`,
        type: 'order.placed',
        occurredAt: new Date().toISOString(),
        orderId,
        customerId: 'c',
        cell: 'azure',
      },
      { orderingKey: orderId },
    );

  it('delivers batches with the trigger metadata, resolving %APP_SETTING% hub names', async () => {
    const batches: {
      messages: unknown[];
      metadata: Record<string, unknown>;
      functionName: string;
    }[] = [];
    dispatcher.setFunction({
      name: 'orderPlaced',
      eventHubName: '%ORDER_EVENTS_HUB%',
      cardinality: 'many',
      handler: (messages, context) => {
        batches.push({
          messages: messages as unknown[],
          metadata: context.triggerMetadata ?? {},
          functionName: context.functionName,
        });
      },
    });
    dispatcher.start();
    await Promise.all(['o1', 'o2', 'o3', 'o4'].map(publish));
    await until(() => batches.flatMap((b) => b.messages).length === 4);
    const messages = batches.flatMap((b) => b.messages) as { orderId: string }[];
    expect(messages.map((m) => m.orderId).sort()).toEqual(['o1', 'o2', 'o3', 'o4']);
    const first = batches[0];
    expect(first?.functionName).toBe('orderPlaced');
    expect(first?.metadata).toMatchObject({
      partitionContext: { EventHubName: 'order-events', ConsumerGroup: '$Default' },
    });
    expect((first?.metadata.sequenceNumberArray as unknown[]).length).toBe(first?.messages.length);
    expect((first?.metadata.enqueuedTimeUtcArray as unknown[]).length).toBe(first?.messages.length);
  });

  it('retries a throwing function per its retry policy, then moves on (the trigger always checkpoints)', async () => {
    let calls = 0;
    dispatcher.setFunction({
      name: 'orderPlaced',
      eventHubName: 'order-events',
      cardinality: 'many',
      retry: { strategy: 'fixedDelay', maxRetryCount: 2, delayInterval: { seconds: 0 } },
      handler: () => {
        calls++;
        throw new Error('always fails');
      },
    });
    const failedBefore = dispatcher.failedBatches;
    await publish('o5');
    await until(() => dispatcher.failedBatches === failedBefore + 1);
    expect(calls).toBe(3); // the first attempt and two retries
    const seen: unknown[] = [];
    dispatcher.setFunction({
      name: 'orderPlaced',
      eventHubName: 'order-events',
      cardinality: 'many',
      handler: (m) => void seen.push(...(m as unknown[])),
    });
    await publish('o6');
    await until(() => seen.length === 1);
    expect((seen[0] as { orderId: string }).orderId).toBe('o6');
  });
});
