import type { CustomerNotification, Notifier } from '../core/ports.js';
import { expectSuccess, SasTokenCache, type ServiceBusConnection } from './service-bus-auth.js';

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

  async notify(notification: CustomerNotification): Promise<void> {
    const response = await this.fetchImpl(`${this.hubUrl}/messages/?api-version=2015-01`, {
      method: 'POST',
      headers: {
        authorization: this.tokens.get(this.hubUrl),
        'content-type': 'application/json;charset=utf-8',
        'servicebusnotification-format': 'template',
        'servicebusnotification-tags': `customer:${notification.customerId}`,
      },
      body: JSON.stringify({
        title: notification.title,
        body: notification.body,
        orderId: notification.orderId,
        dedupeId: notification.dedupeId,
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await expectSuccess(response, `Notification Hubs send to ${this.hub}`);
  }
}
