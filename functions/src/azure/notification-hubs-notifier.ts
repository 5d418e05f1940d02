import type { CustomerNotification, Notifier } from '../core/ports.js';
import { ServiceBusEntity, type ServiceBusConnection } from './service-bus-auth.js';

/**
 * Customer push through Notification Hubs' REST "send template notification": the body is the
 * template's string properties, delivered to every device registration tagged
 * `customer:<customerId>`, whatever its platform. Notification Hubs is push only: order
 * events travel on Event Hubs, never here.
 *
 * No `check()`: the functions' SAS rule has Send only (reading the hub's description needs
 * Manage), so GET /health reports the outcome of the last notification sent instead.
 */
export class NotificationHubsNotifier implements Notifier {
  private readonly hub: ServiceBusEntity;

  constructor(
    connection: ServiceBusConnection,
    hub: string,
    timeoutMs = 10_000,
    fetchImpl: typeof fetch = fetch,
  ) {
    this.hub = new ServiceBusEntity(connection, hub, timeoutMs, fetchImpl);
  }

  async notify(notification: CustomerNotification): Promise<void> {
    await this.hub.post(
      '/messages/?api-version=2015-01',
      {
        'content-type': 'application/json;charset=utf-8',
        'servicebusnotification-format': 'template',
        'servicebusnotification-tags': `customer:${notification.customerId}`,
      },
      JSON.stringify({
        title: notification.title,
        body: notification.body,
        orderId: notification.orderId,
        dedupeId: notification.dedupeId,
      }),
      'Notification Hubs send to',
    );
  }
}
