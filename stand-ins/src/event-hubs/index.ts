/**
 * Event Hubs stand-in: the REST send API (there is no Event Hubs emulator that runs without
 * Docker) plus a programmatic receive that behaves like the Azure Functions trigger.
 *
 * Implemented, following https://learn.microsoft.com/rest/api/eventhub/:
 * - POST /<hub>/messages                       send event (body as is; `BrokerProperties`
 *   header `{"PartitionKey": "..."}` picks the partition; other custom headers become
 *   user properties) -> 201
 * - POST /<hub>/messages with content type application/vnd.microsoft.servicebus.json
 *   send batch: `[{"Body": "...", "UserProperties": {...}, "BrokerProperties": {...}}]` -> 201
 * - POST /<hub>/partitions/<id>/messages       send to one partition -> 201
 * - GET /<hub>                                 event hub description (Atom entry) -> 200
 * - SAS authorization on every call (401 with the reason): sending needs a rule with Send,
 *   reading the description one with Manage (as on Azure); 404 for an unknown hub or
 *   partition, 413 above 1 MB.
 * Partition keys are hashed with SHA-256 here, not with Event Hubs' own hash: the guarantee
 * kept is the documented one (same key, same partition), not the exact partition number.
 *
 *   const hubs = await startEventHubsStandIn({ hubs: { 'order-events': { partitionCount: 2 } } });
 *   hubs.connectionString        // Endpoint=http://127.0.0.1:PORT/;SharedAccessKeyName=…;SharedAccessKey=…
 *   hubs.events('order-events')  // everything sent, in order
 *   hubs.receive('order-events') // per partition, events since the last receive (checkpointed)
 *   hubs.server.injectFault({ method: 'POST', path: '/order-events/messages', status: 503 });
 *
 * Layout: this file is the router; store.ts holds the hubs and their partitions, hubs.ts the
 * hub lookup, SAS check and description, messages.ts sending; sas.ts the Service Bus SAS rules
 * (shared with the Notification Hubs stand-in).
 */
import { randomBytes } from 'node:crypto';
import { startStandInServer, type StandInServer } from '../http/server.js';
import { describeHub } from './hubs.js';
import { sendEvents } from './messages.js';
import { connectionStringFor, type SasRule } from './sas.js';
import {
  allEvents,
  createEventHubsStore,
  hubOrThrow,
  receiveEvents,
  type PartitionBatch,
  type ReceivedEvent,
} from './store.js';

export type { PartitionBatch, ReceivedEvent } from './store.js';

export interface EventHubsStandInOptions {
  /** Event hubs to create: name -> partition count (default 2). */
  hubs: Record<string, { partitionCount?: number }>;
  /**
   * SAS rules: key name -> key (all rights) or { key, rights }. Default: one generated
   * `RootManageSharedAccessKey`; the connection string names the first rule.
   */
  keys?: Record<string, SasRule>;
}

export interface EventHubsStandIn {
  readonly url: string;
  readonly server: StandInServer;
  /** A connection string for the first key, with the stand-in's http:// endpoint. */
  readonly connectionString: string;
  events(hub: string): ReceivedEvent[];
  /** Like the Functions trigger: new events per partition since the last call, checkpointed. */
  receive(hub: string, maxBatchSize?: number): PartitionBatch[];
  close(): Promise<void>;
}

export async function startEventHubsStandIn(
  options: EventHubsStandInOptions,
): Promise<EventHubsStandIn> {
  const keys = options.keys ?? { RootManageSharedAccessKey: randomBytes(32).toString('base64') };
  const store = createEventHubsStore(options.hubs, keys);
  const server = await startStandInServer({
    name: 'event-hubs',
    routes: [
      { method: 'POST', path: '/:hub/messages', handler: (request) => sendEvents(store, request) },
      {
        method: 'POST',
        path: '/:hub/partitions/:partition/messages',
        handler: (request) => sendEvents(store, request, request.params.partition),
      },
      { method: 'GET', path: '/:hub', handler: (request) => describeHub(store, request) },
    ],
  });
  store.baseUrl = server.url;
  return {
    url: server.url,
    server,
    connectionString: connectionStringFor(server.url, keys),
    events: (hub) => allEvents(hubOrThrow(store, hub)),
    receive: (hub, maxBatchSize = 100) => receiveEvents(hubOrThrow(store, hub), maxBatchSize),
    close: () => server.close(),
  };
}
