import type { EventQueue, OrderPlacedEvent } from '../core/ports.js';
import { expectSuccess, SasTokenCache, type ServiceBusConnection } from './service-bus-auth.js';

/**
 * order.placed events on Event Hubs through its REST send API
 * (POST https://<ns>.servicebus.windows.net/<hub>/messages?api-version=2014-01): one HTTPS
 * call, no AMQP client in the bundle. The ordering key becomes the partition key (the
 * BrokerProperties header), so one order's events stay in one partition, in order.
 *
 * No `check()`: the functions' SAS rule has Send and Listen only, and reading the hub's
 * description needs Manage, so GET /health reports the outcome of the last publish instead.
 */
export class EventHubsEventQueue implements EventQueue {
  private readonly tokens: SasTokenCache;
  private readonly hubUrl: string;

  constructor(
    private readonly connection: ServiceBusConnection,
    private readonly hub: string,
    private readonly timeoutMs = 10_000,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.tokens = new SasTokenCache(connection);
    this.hubUrl = `${connection.endpoint}${encodeURIComponent(hub)}`;
  }

  async publish(event: OrderPlacedEvent, options: { orderingKey?: string } = {}): Promise<void> {
    const response = await this.fetchImpl(
      `${this.hubUrl}/messages?timeout=60&api-version=2014-01`,
      {
        method: 'POST',
        headers: {
          authorization: this.tokens.get(this.hubUrl),
          'content-type': 'application/atom+xml;type=entry;charset=utf-8',
          brokerproperties: JSON.stringify({ PartitionKey: options.orderingKey ?? event.orderId }),
          // Event Hubs user properties: visible to the consumer without parsing the body.
          'event-type': event.type,
          'event-id': event.id,
        },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(this.timeoutMs),
      },
    );
    await expectSuccess(response, `Event Hubs send to ${this.hub}`);
  }
}
