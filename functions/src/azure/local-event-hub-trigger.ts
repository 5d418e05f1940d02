import { randomUUID } from 'node:crypto';
import { InvocationContext, type LogHandler } from '@azure/functions';
import type { AzureEventHubHandler } from './cell.js';

/** One event as a local Event Hubs (the stand-in) hands it out. */
export interface LocalHubEvent {
  readonly body: string;
  readonly sequenceNumber: number;
  readonly offset: string;
  readonly enqueuedTimeUtc: string;
  readonly partitionKey?: string;
  readonly properties: Record<string, string>;
}

export interface EventHubInvocation {
  readonly handler: AzureEventHubHandler;
  readonly functionName: string;
  readonly eventHubName: string;
  readonly partitionId: string;
  readonly events: readonly LocalHubEvent[];
  readonly consumerGroup?: string;
  readonly logHandler?: LogHandler;
}

/**
 * Invokes an `app.eventHub` handler registered with `cardinality: 'many'` the way the
 * Functions host does, for local hosts and tests: JSON bodies arrive parsed, other bodies as
 * strings, and the trigger metadata carries the per-event arrays (sequence numbers, enqueued
 * times, offsets, partition keys, properties) and the partition context. As with the real
 * trigger, the batch counts as checkpointed whatever the handler does.
 */
export async function invokeEventHubTrigger(invocation: EventHubInvocation): Promise<void> {
  const messages = invocation.events.map((event) => {
    try {
      return JSON.parse(event.body) as unknown;
    } catch {
      return event.body;
    }
  });
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: invocation.functionName,
    ...(invocation.logHandler ? { logHandler: invocation.logHandler } : {}),
    triggerMetadata: {
      partitionContext: {
        ConsumerGroup: invocation.consumerGroup ?? '$Default',
        EventHubName: invocation.eventHubName,
        FullyQualifiedNamespace: 'localhost',
        PartitionId: invocation.partitionId,
      },
      sequenceNumberArray: invocation.events.map((event) => event.sequenceNumber),
      offsetArray: invocation.events.map((event) => event.offset),
      enqueuedTimeUtcArray: invocation.events.map((event) => event.enqueuedTimeUtc),
      partitionKeyArray: invocation.events.map((event) => event.partitionKey ?? null),
      propertiesArray: invocation.events.map((event) => event.properties),
    },
  });
  await invocation.handler(messages, context);
}
