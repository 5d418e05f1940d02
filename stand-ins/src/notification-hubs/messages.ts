/**
 * Sending a notification:
 *
 *   POST /<hub>/messages/?api-version=2015-01   `ServiceBusNotification-Format` required
 *        (template, fcmv1, gcm, apple, windows, …); a template body must be a JSON object of
 *        string properties; `ServiceBusNotification-Tags` an optional tag expression of 1 to
 *        1024 characters -> 201 with a Location naming the notification id
 *
 * A body over 64 KB is 413. Nothing is delivered to devices: the stand-in records what would be
 * pushed (`notifications(hub)`).
 */
import { randomUUID } from 'node:crypto';
import type { StandInRequest, StandInResponse } from '../http/server.js';
import { serviceBusFailure } from '../event-hubs/sas.js';
import { authorizedHub, type NotificationHubsStore, type SentNotification } from './hubs.js';

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

export function sendNotification(
  store: NotificationHubsStore,
  request: StandInRequest,
): StandInResponse {
  const hub = authorizedHub(store, request, 'Send');
  const format = formatHeader(request.header('servicebusnotification-format'));
  if (request.body.length > maxBytes)
    throw serviceBusFailure(413, 'the notification exceeds 64 KB');
  const body = request.text();
  if (format === 'template') checkTemplateBody(body);
  const tags = tagsHeader(request.header('servicebusnotification-tags'));
  const id = randomUUID();
  const contentType = request.header('content-type');
  (store.sent.get(hub) as SentNotification[]).push({
    id,
    hub,
    format,
    ...(tags === undefined ? {} : { tags }),
    ...(contentType === undefined ? {} : { contentType }),
    body,
    receivedAt: new Date().toISOString(),
  });
  return {
    status: 201,
    headers: { location: `${store.baseUrl}/${hub}/messages/${id}?api-version=2015-04` },
  };
}

/** The platform format, lower case. */
function formatHeader(format: string | undefined): string {
  if (!format || !formats.has(format.toLowerCase())) {
    throw serviceBusFailure(
      400,
      `ServiceBusNotification-Format must be one of ${[...formats].join(', ')}`,
    );
  }
  return format.toLowerCase();
}

function checkTemplateBody(body: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw serviceBusFailure(400, 'a template notification body must be JSON');
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((value) => typeof value === 'string');
  if (!valid) {
    throw serviceBusFailure(
      400,
      'a template notification body must be a JSON object of string properties',
    );
  }
}

function tagsHeader(tags: string | undefined): string | undefined {
  if (tags !== undefined && (tags.trim() === '' || tags.length > 1024)) {
    throw serviceBusFailure(
      400,
      'ServiceBusNotification-Tags must be a tag expression of 1 to 1024 characters',
    );
  }
  return tags;
}
