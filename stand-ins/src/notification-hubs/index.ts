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
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  startStandInServer,
  type StandInRequest,
  type StandInResponse,
  type StandInServer,
} from '../http/server.js';
import {
  connectionStringFor,
  sasRefusal,
  serviceBusError,
  type SasRight,
  type SasRule,
} from '../event-hubs/sas.js';

export interface NotificationHubsStandInOptions {
  hubs: string[];
  /**
   * SAS rules: key name -> key (all rights) or { key, rights }. Default: one generated
   * `DefaultFullSharedAccessSignature`; the connection string names the first rule.
   */
  keys?: Record<string, SasRule>;
}

export interface SentNotification {
  readonly id: string;
  readonly hub: string;
  readonly format: string;
  readonly tags?: string;
  readonly contentType?: string;
  readonly body: string;
  readonly receivedAt: string;
}

export interface NotificationHubsStandIn {
  readonly url: string;
  readonly server: StandInServer;
  readonly connectionString: string;
  notifications(hub: string): SentNotification[];
  close(): Promise<void>;
}

const formats = new Set([
  'template',
  'fcmv1',
  'gcm',
  'apple',
  'windows',
  'windowsphone',
  'adm',
  'baidu',
  'browser',
  'xiaomi',
]);
const maxBytes = 64 * 1024;

export async function startNotificationHubsStandIn(
  options: NotificationHubsStandInOptions,
): Promise<NotificationHubsStandIn> {
  const keys: Record<string, SasRule> = options.keys ?? {
    DefaultFullSharedAccessSignature: randomBytes(32).toString('base64'),
  };
  const sent = new Map<string, SentNotification[]>(options.hubs.map((hub) => [hub, []]));
  let baseUrl = '';

  const authorize = (request: StandInRequest, claim: SasRight): StandInResponse | string => {
    const hub = request.params.hub as string;
    if (!sent.has(hub)) return serviceBusError(404, `notification hub ${hub} does not exist`);
    const refusal = sasRefusal(request.header('authorization'), keys, `${baseUrl}/${hub}`, claim);
    if (refusal) return serviceBusError(401, refusal);
    if (!request.query.get('api-version'))
      return serviceBusError(400, 'the api-version query parameter is required');
    return hub;
  };

  const send = (request: StandInRequest): StandInResponse => {
    const hub = authorize(request, 'Send');
    if (typeof hub !== 'string') return hub;
    const format = request.header('servicebusnotification-format');
    if (!format || !formats.has(format.toLowerCase())) {
      return serviceBusError(
        400,
        `ServiceBusNotification-Format must be one of ${[...formats].join(', ')}`,
      );
    }
    if (request.body.length > maxBytes)
      return serviceBusError(413, 'the notification exceeds 64 KB');
    const body = request.text();
    if (format.toLowerCase() === 'template') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return serviceBusError(400, 'a template notification body must be JSON');
      }
      const valid =
        typeof parsed === 'object' &&
        parsed !== null &&
        !Array.isArray(parsed) &&
        Object.values(parsed).every((value) => typeof value === 'string');
      if (!valid)
        return serviceBusError(
          400,
          'a template notification body must be a JSON object of string properties',
        );
    }
    const tags = request.header('servicebusnotification-tags');
    if (tags !== undefined && (tags.trim() === '' || tags.length > 1024)) {
      return serviceBusError(
        400,
        'ServiceBusNotification-Tags must be a tag expression of 1 to 1024 characters',
      );
    }
    const id = randomUUID();
    const contentType = request.header('content-type');
    (sent.get(hub) as SentNotification[]).push({
      id,
      hub,
      format: format.toLowerCase(),
      ...(tags === undefined ? {} : { tags }),
      ...(contentType === undefined ? {} : { contentType }),
      body,
      receivedAt: new Date().toISOString(),
    });
    return {
      status: 201,
      headers: { location: `${baseUrl}/${hub}/messages/${id}?api-version=2015-04` },
    };
  };

  const server = await startStandInServer({
    name: 'notification-hubs',
    routes: [
      { method: 'POST', path: '/:hub/messages', handler: send },
      { method: 'POST', path: '/:hub/messages/', handler: send },
      {
        method: 'GET',
        path: '/:hub',
        handler: (request) => {
          const hub = authorize(request, 'Manage');
          if (typeof hub !== 'string') return hub;
          return {
            status: 200,
            headers: { 'content-type': 'application/atom+xml;type=entry;charset=utf-8' },
            body:
              `<entry xmlns="http://www.w3.org/2005/Atom"><title type="text">${hub}</title>` +
              `<content type="application/xml"><NotificationHubDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect"/></content></entry>`,
          };
        },
      },
    ],
  });
  baseUrl = server.url;

  return {
    url: server.url,
    server,
    connectionString: connectionStringFor(server.url, keys),
    notifications(hub) {
      const list = sent.get(hub);
      if (!list) throw new Error(`notification hub ${hub} does not exist in the stand-in`);
      return [...list];
    },
    close: () => server.close(),
  };
}
