/**
 * Sending events (https://learn.microsoft.com/rest/api/eventhub/):
 *
 *   POST /<hub>/messages                  one event, body as is; `BrokerProperties` header
 *        `{"PartitionKey": "..."}` picks the partition; other custom headers become user
 *        properties -> 201
 *   POST /<hub>/messages with content type application/vnd.microsoft.servicebus.json
 *        a batch: `[{"Body": "...", "UserProperties": {...}, "BrokerProperties": {...}}]` -> 201
 *   POST /<hub>/partitions/<id>/messages  the same, to one partition (404 for an unknown one)
 *
 * A body over 1 MB is 413; a batch that is not a JSON array of entries with a string Body 400.
 */
import type { StandInRequest, StandInResponse } from '../http/server.js';
import { authorizedHub } from './hubs.js';
import { serviceBusFailure } from './sas.js';
import {
  appendEvent,
  partitionFor,
  type EventHubsStore,
  type Hub,
  type NewEvent,
} from './store.js';

const maxEventBytes = 1024 * 1024;
const BATCH_TYPE = 'application/vnd.microsoft.servicebus.json';
/** Headers that are HTTP's or the API's own, not user properties. */
const standardHeaders = new Set([
  'authorization',
  'content-type',
  'content-length',
  'host',
  'connection',
  'brokerproperties',
  'user-agent',
  'accept',
  'accept-encoding',
  'accept-language',
  'sec-fetch-mode',
  'transfer-encoding',
]);

interface BatchEntry {
  Body: string;
  UserProperties?: Record<string, unknown>;
  BrokerProperties?: { PartitionKey?: string };
}

export function sendEvents(
  store: EventHubsStore,
  request: StandInRequest,
  fixedPartition?: string,
): StandInResponse {
  const hub = authorizedHub(store, request, 'Send');
  if (request.body.length > maxEventBytes) throw serviceBusFailure(413, 'the event exceeds 1 MB');
  const partition = fixedPartition === undefined ? undefined : partitionParam(hub, fixedPartition);
  const events = request.header('content-type')?.startsWith(BATCH_TYPE)
    ? batchEvents(request)
    : [singleEvent(request)];
  for (const event of events) {
    appendEvent(hub, partition ?? partitionFor(hub, event.partitionKey), event);
  }
  return { status: 201 };
}

function partitionParam(hub: Hub, text: string): number {
  const index = Number(text);
  if (!Number.isInteger(index) || index < 0 || index >= hub.partitions.length) {
    throw serviceBusFailure(404, `partition ${text} does not exist in ${hub.name}`);
  }
  return index;
}

/** Every entry checked before any is enqueued: a bad batch enqueues nothing. */
function batchEvents(request: StandInRequest): NewEvent[] {
  let batch: unknown;
  try {
    batch = JSON.parse(request.text());
  } catch {
    throw serviceBusFailure(400, 'the batch body is not JSON');
  }
  if (!Array.isArray(batch)) throw serviceBusFailure(400, 'the batch body must be a JSON array');
  for (const entry of batch as Record<string, unknown>[]) {
    if (typeof entry?.Body !== 'string') {
      throw serviceBusFailure(400, 'every batch entry needs a string Body');
    }
  }
  return (batch as BatchEntry[]).map((entry) => ({
    body: entry.Body,
    properties: Object.fromEntries(
      Object.entries(entry.UserProperties ?? {}).map(([name, value]) => [name, String(value)]),
    ),
    partitionKey: entry.BrokerProperties?.PartitionKey,
  }));
}

function singleEvent(request: StandInRequest): NewEvent {
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!standardHeaders.has(name) && typeof value === 'string') properties[name] = value;
  }
  return {
    body: request.text(),
    properties,
    partitionKey: brokerPartitionKey(request.header('brokerproperties')),
    contentType: request.header('content-type'),
  };
}

function brokerPartitionKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  try {
    const parsed = JSON.parse(header) as { PartitionKey?: unknown };
    return parsed.PartitionKey === undefined ? undefined : String(parsed.PartitionKey);
  } catch {
    throw serviceBusFailure(400, 'the BrokerProperties header is not JSON');
  }
}
