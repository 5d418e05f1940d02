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
        'servicebusnotification-tags': customerTag(notification.customerId),
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

/**
 * The tag a customer's devices register with: `customer:<token subject>`. Notification Hubs tags
 * allow letters, digits and `_ @ # . : -` (up to 120 characters); a subject may also hold `|`
 * (Auth0's `provider|id`), written `#7c` here, which no subject can contain as such.
 * https://learn.microsoft.com/azure/notification-hubs/notification-hubs-tags-segment-push-message
 */
export function customerTag(customerId: string): string {
  return `customer:${customerId.replace(/[^A-Za-z0-9_@.:-]/g, (c) => `#${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;
}
