import { orderingKeyOf, type CellEvent, type EventQueue } from '../core/ports.js';
import { ServiceBusEntity, type ServiceBusConnection } from './service-bus-auth.js';

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
  private readonly hub: ServiceBusEntity;

  constructor(
    connection: ServiceBusConnection,
    hub: string,
    timeoutMs = 10_000,
    fetchImpl: typeof fetch = fetch,
  ) {
    this.hub = new ServiceBusEntity(connection, hub, timeoutMs, fetchImpl);
  }

  async publish(event: CellEvent, options: { orderingKey?: string } = {}): Promise<void> {
    await this.hub.post(
      '/messages?timeout=60&api-version=2014-01',
      {
        'content-type': 'application/atom+xml;type=entry;charset=utf-8',
        brokerproperties: JSON.stringify({
          PartitionKey: options.orderingKey ?? orderingKeyOf(event),
        }),
        // Event Hubs user properties: visible to the consumer without parsing the body.
        'event-type': event.type,
        'event-id': event.id,
      },
      JSON.stringify(event),
      'Event Hubs send to',
    );
  }
}
