import { randomUUID } from 'node:crypto';

import azureFunctions from '@azure/functions';

import type {
  EventHubsStandIn,
  PartitionBatch,
  ReceivedEvent,
} from '../../../stand-ins/src/event-hubs/index.js';

const { InvocationContext } = azureFunctions;

/** One `app.eventHub(name, { eventHubName, cardinality, retry, handler })` registration. */
export interface EventHubFunction {
  name: string;
  eventHubName: string;
  cardinality?: 'many' | 'one';
  consumerGroup?: string;
  retry?: {
    strategy: string;
    maxRetryCount: number;
    delayInterval?: unknown;
    minimumInterval?: unknown;
  };
  handler: (messages: unknown, context: InstanceType<typeof InvocationContext>) => unknown;
}

/** What the Node worker hands a function: JSON bodies parsed, anything else as text. */
function deserialize(event: ReceivedEvent): unknown {
  try {
    return JSON.parse(event.body);
  } catch {
    return event.body;
  }
}

function milliseconds(interval: unknown): number {
  if (typeof interval === 'number') return interval;
  if (interval && typeof interval === 'object') {
    const { seconds = 0, minutes = 0, milliseconds: ms = 0 } = interval as Record<string, number>;
    return seconds * 1000 + minutes * 60_000 + ms;
  }
  return 1000;
}

/**
 * The Event Hubs trigger of a local Functions host: polls the stand-in for new events per
 * partition (the stand-in checkpoints on receive, as the trigger does whatever the outcome),
 * and invokes the function with a batch (`cardinality: 'many'`) and the trigger metadata the
 * worker provides (sequence numbers, enqueued times, partition context). A throwing function
 * is retried per its retry policy (delays capped at 2 s in the sandbox), then the batch is
 * gone: Event Hubs has no dead-letter queue, which is why the workload parks failures itself.
 */
export class EventHubDispatcher {
  private fn: EventHubFunction | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private busy: Promise<void> | undefined;
  invocations = 0;
  failedBatches = 0;

  constructor(
    private readonly hubs: EventHubsStandIn,
    private readonly settings: Record<string, string>,
    private readonly namespace: string,
    private readonly intervalMs = 100,
  ) {}

  /** `%ORDER_EVENTS_HUB%` -> the app setting's value, as the host resolves binding expressions. */
  resolve(value: string): string {
    return value.replace(/%([^%]+)%/g, (_, name: string) => this.settings[name] ?? '');
  }

  setFunction(fn: EventHubFunction | undefined): void {
    this.fn = fn;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      this.busy = this.poll().finally(() => {
        if (this.running) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.busy;
  }

  private async poll(): Promise<void> {
    const fn = this.fn;
    if (!fn) return;
    const batches = this.hubs.receive(this.resolve(fn.eventHubName), 10);
    for (const batch of batches) await this.invoke(fn, batch);
  }

  private async invoke(fn: EventHubFunction, batch: PartitionBatch): Promise<void> {
    const many = fn.cardinality !== 'one';
    const groups = many ? [batch.events] : batch.events.map((event) => [event]);
    for (const events of groups) {
      const maxRetries = fn.retry?.maxRetryCount ?? 0;
      const delay = Math.min(
        2000,
        milliseconds(fn.retry?.delayInterval ?? fn.retry?.minimumInterval),
      );
      for (let attempt = 0; ; attempt++) {
        const context = new InvocationContext({
          invocationId: randomUUID(),
          functionName: fn.name,
          retryContext: { retryCount: attempt, maxRetryCount: maxRetries },
          triggerMetadata: {
            partitionContext: {
              EventHubName: this.resolve(fn.eventHubName),
              ConsumerGroup: fn.consumerGroup ?? '$Default',
              FullyQualifiedNamespace: this.namespace,
              PartitionId: batch.partitionId,
            },
            sequenceNumberArray: events.map((e) => e.sequenceNumber),
            offsetArray: events.map((e) => e.offset),
            enqueuedTimeUtcArray: events.map((e) => e.enqueuedTimeUtc),
            partitionKeyArray: events.map((e) => e.partitionKey ?? null),
            propertiesArray: events.map((e) => e.properties),
          },
          logHandler: (level, ...args) => {
            if (level === 'error' || level === 'warning') {
              console.error(`azure cell: ${fn.name}: ${args.map(String).join(' ')}`);
            }
          },
        });
        this.invocations++;
        try {
          await fn.handler(
            many ? events.map(deserialize) : deserialize(events[0] as ReceivedEvent),
            context,
          );
          break;
        } catch (error) {
          // maxRetryCount -1: retried indefinitely, as the Functions host does.
          if ((maxRetries >= 0 && attempt >= maxRetries) || !this.running) {
            this.failedBatches++;
            console.error(
              `azure cell: ${fn.name} failed on partition ${batch.partitionId}: ${(error as Error).message}`,
            );
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    }
  }
}
