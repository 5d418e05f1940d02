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
 */
import { createHash, randomBytes } from 'node:crypto';
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
} from './sas.js';

export interface EventHubsStandInOptions {
  /** Event hubs to create: name -> partition count (default 2). */
  hubs: Record<string, { partitionCount?: number }>;
  /**
   * SAS rules: key name -> key (all rights) or { key, rights }. Default: one generated
   * `RootManageSharedAccessKey`; the connection string names the first rule.
   */
  keys?: Record<string, SasRule>;
}

export interface ReceivedEvent {
  readonly body: string;
  readonly partitionId: string;
  readonly sequenceNumber: number;
  readonly offset: string;
  readonly enqueuedTimeUtc: string;
  readonly partitionKey?: string;
  readonly properties: Record<string, string>;
  readonly contentType?: string;
}

export interface PartitionBatch {
  readonly partitionId: string;
  readonly events: ReceivedEvent[];
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

const maxEventBytes = 1024 * 1024;
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

export async function startEventHubsStandIn(
  options: EventHubsStandInOptions,
): Promise<EventHubsStandIn> {
  const keys: Record<string, SasRule> = options.keys ?? {
    RootManageSharedAccessKey: randomBytes(32).toString('base64'),
  };
  const hubs = new Map<string, { partitions: ReceivedEvent[][]; checkpoints: number[] }>();
  for (const [name, hub] of Object.entries(options.hubs)) {
    const count = hub.partitionCount ?? 2;
    hubs.set(name, {
      partitions: Array.from({ length: count }, () => []),
      checkpoints: Array.from({ length: count }, () => 0),
    });
  }
  let baseUrl = '';

  const authorize = (
    request: StandInRequest,
    hub: string,
    claim: SasRight,
  ): StandInResponse | undefined => {
    const refusal = sasRefusal(request.header('authorization'), keys, `${baseUrl}/${hub}`, claim);
    return refusal ? serviceBusError(401, refusal) : undefined;
  };

  const append = (
    hubName: string,
    partitionIndex: number,
    body: string,
    properties: Record<string, string>,
    partitionKey: string | undefined,
    contentType: string | undefined,
  ) => {
    const partition = hubs.get(hubName)?.partitions[partitionIndex] as ReceivedEvent[];
    const sequenceNumber = partition.length;
    partition.push({
      body,
      partitionId: String(partitionIndex),
      sequenceNumber,
      offset: String(sequenceNumber * 1024),
      enqueuedTimeUtc: new Date().toISOString(),
      ...(partitionKey === undefined ? {} : { partitionKey }),
      properties,
      ...(contentType === undefined ? {} : { contentType }),
    });
  };

  const partitionFor = (hubName: string, key: string | undefined): number => {
    const count = hubs.get(hubName)?.partitions.length ?? 1;
    if (key === undefined) return Math.floor(Math.random() * count);
    return createHash('sha256').update(key).digest().readUInt32BE(0) % count;
  };

  const send = (request: StandInRequest, fixedPartition?: string): StandInResponse => {
    const hubName = request.params.hub as string;
    const hub = hubs.get(hubName);
    if (!hub) return serviceBusError(404, `event hub ${hubName} does not exist`);
    const refused = authorize(request, hubName, 'Send');
    if (refused) return refused;
    if (request.body.length > maxEventBytes) return serviceBusError(413, 'the event exceeds 1 MB');
    let partitionIndex: number | undefined;
    if (fixedPartition !== undefined) {
      partitionIndex = Number(fixedPartition);
      if (
        !Number.isInteger(partitionIndex) ||
        partitionIndex < 0 ||
        partitionIndex >= hub.partitions.length
      ) {
        return serviceBusError(404, `partition ${fixedPartition} does not exist in ${hubName}`);
      }
    }
    const contentType = request.header('content-type');
    if (contentType?.startsWith('application/vnd.microsoft.servicebus.json')) {
      let batch: unknown;
      try {
        batch = JSON.parse(request.text());
      } catch {
        return serviceBusError(400, 'the batch body is not JSON');
      }
      if (!Array.isArray(batch)) return serviceBusError(400, 'the batch body must be a JSON array');
      for (const entry of batch as Record<string, unknown>[]) {
        if (typeof entry?.Body !== 'string')
          return serviceBusError(400, 'every batch entry needs a string Body');
      }
      for (const entry of batch as {
        Body: string;
        UserProperties?: Record<string, unknown>;
        BrokerProperties?: { PartitionKey?: string };
      }[]) {
        const key = entry.BrokerProperties?.PartitionKey;
        const properties = Object.fromEntries(
          Object.entries(entry.UserProperties ?? {}).map(([name, value]) => [name, String(value)]),
        );
        append(
          hubName,
          partitionIndex ?? partitionFor(hubName, key),
          entry.Body,
          properties,
          key,
          undefined,
        );
      }
      return { status: 201 };
    }
    let partitionKey: string | undefined;
    const broker = request.header('brokerproperties');
    if (broker !== undefined) {
      try {
        const parsed = JSON.parse(broker) as { PartitionKey?: unknown };
        if (parsed.PartitionKey !== undefined) partitionKey = String(parsed.PartitionKey);
      } catch {
        return serviceBusError(400, 'the BrokerProperties header is not JSON');
      }
    }
    const properties: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!standardHeaders.has(name) && typeof value === 'string') properties[name] = value;
    }
    append(
      hubName,
      partitionIndex ?? partitionFor(hubName, partitionKey),
      request.text(),
      properties,
      partitionKey,
      contentType,
    );
    return { status: 201 };
  };

  const server = await startStandInServer({
    name: 'event-hubs',
    routes: [
      { method: 'POST', path: '/:hub/messages', handler: (request) => send(request) },
      {
        method: 'POST',
        path: '/:hub/partitions/:partition/messages',
        handler: (request) => send(request, request.params.partition),
      },
      {
        method: 'GET',
        path: '/:hub',
        handler: (request) => {
          const hubName = request.params.hub as string;
          const hub = hubs.get(hubName);
          if (!hub) return serviceBusError(404, `event hub ${hubName} does not exist`);
          const refused = authorize(request, hubName, 'Manage');
          if (refused) return refused;
          return {
            status: 200,
            headers: { 'content-type': 'application/atom+xml;type=entry;charset=utf-8' },
            body:
              `<entry xmlns="http://www.w3.org/2005/Atom"><title type="text">${hubName}</title>` +
              `<content type="application/xml"><EventHubDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect">` +
              `<MessageRetentionInDays>1</MessageRetentionInDays><Status>Active</Status>` +
              `<PartitionCount>${hub.partitions.length}</PartitionCount></EventHubDescription></content></entry>`,
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
    events(hubName) {
      const hub = hubs.get(hubName);
      if (!hub) throw new Error(`event hub ${hubName} does not exist in the stand-in`);
      return hub.partitions
        .flat()
        .sort((a, b) => a.enqueuedTimeUtc.localeCompare(b.enqueuedTimeUtc));
    },
    receive(hubName, maxBatchSize = 100) {
      const hub = hubs.get(hubName);
      if (!hub) throw new Error(`event hub ${hubName} does not exist in the stand-in`);
      const batches: PartitionBatch[] = [];
      hub.partitions.forEach((partition, index) => {
        const from = hub.checkpoints[index] as number;
        const events = partition.slice(from, from + maxBatchSize);
        if (events.length === 0) return;
        hub.checkpoints[index] = from + events.length;
        batches.push({ partitionId: String(index), events });
      });
      return batches;
    },
    close: () => server.close(),
  };
}
