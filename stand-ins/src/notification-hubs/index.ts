/**
 * Notification Hubs stand-in: the REST send API the workload uses for customer push
 * (Notification Hubs has no emulator). Following
 * https://learn.microsoft.com/rest/api/notificationhubs/:
 * - POST /<hub>/messages/?api-version=2015-01   send a notification. `ServiceBusNotification-Format`
 *   is required (template, fcmv1, gcm, apple, windows, …); a template body must be a JSON
 *   object of string properties; `ServiceBusNotification-Tags` is an optional tag expression
 *   -> 201 with a Location naming the notification id.
 * - GET /<hub>?api-version=2015-01               hub description (Atom entry) -> 200
 * - SAS authorization on every call (401 with the reason): sending needs a rule with Send,
 *   reading the description one with Manage (as on Azure); 404 for an unknown hub, 400 for a
 *   missing api-version, format, or a malformed template body, 413 above 64 KB.
 * Nothing is delivered to devices: the stand-in records what would be pushed.
 *
 *   const push = await startNotificationHubsStandIn({ hubs: ['customers'] });
 *   push.connectionString, push.notifications('customers'), push.server.injectFault(...)
 *
 * Layout: this file is the router; hubs.ts holds the state, the checks every call passes and
 * the description, messages.ts sending; the SAS rules are the Event Hubs stand-in's (sas.ts).
 */
import { randomBytes } from 'node:crypto';
import { startStandInServer, type StandInRequest, type StandInServer } from '../http/server.js';
import { connectionStringFor, type SasRule } from '../event-hubs/sas.js';
import { describeHub, type NotificationHubsStore, type SentNotification } from './hubs.js';
import { sendNotification } from './messages.js';

export type { SentNotification } from './hubs.js';

export interface NotificationHubsStandInOptions {
  hubs: string[];
  /**
   * SAS rules: key name -> key (all rights) or { key, rights }. Default: one generated
   * `DefaultFullSharedAccessSignature`; the connection string names the first rule.
   */
  keys?: Record<string, SasRule>;
}

export interface NotificationHubsStandIn {
  readonly url: string;
  readonly server: StandInServer;
  readonly connectionString: string;
  notifications(hub: string): SentNotification[];
  close(): Promise<void>;
}

export async function startNotificationHubsStandIn(
  options: NotificationHubsStandInOptions,
): Promise<NotificationHubsStandIn> {
  const keys: Record<string, SasRule> = options.keys ?? {
    DefaultFullSharedAccessSignature: randomBytes(32).toString('base64'),
  };
  const store: NotificationHubsStore = {
    keys,
    sent: new Map(options.hubs.map((hub) => [hub, []])),
    baseUrl: '',
  };
  const send = (request: StandInRequest) => sendNotification(store, request);
  const server = await startStandInServer({
    name: 'notification-hubs',
    routes: [
      { method: 'POST', path: '/:hub/messages', handler: send },
      { method: 'POST', path: '/:hub/messages/', handler: send },
      { method: 'GET', path: '/:hub', handler: (request) => describeHub(store, request) },
    ],
  });
  store.baseUrl = server.url;
  return {
    url: server.url,
    server,
    connectionString: connectionStringFor(server.url, keys),
    notifications(hub) {
      const list = store.sent.get(hub);
      if (!list) throw new Error(`notification hub ${hub} does not exist in the stand-in`);
      return [...list];
    },
    close: () => server.close(),
  };
}
