import { peerSettingsOf } from '../core/peer-auth.js';
import type {
  EventHubFunctionOptions,
  HttpFunctionOptions,
  TimerFunctionOptions,
  HttpRequest,
  HttpResponseInit,
  InvocationContext,
} from '@azure/functions';
import type { ContainerClient } from '@azure/storage-blob';
import { createCellApp, type CellApp } from '../core/cell-app.js';
import type { PeerProbeTiming } from '../core/peer-link.js';
import { consumeBatch, type BatchItem, type BatchItemFailure } from '../core/order-events.js';
import { delay } from '../core/optimistic.js';
import { BlobDeadLetters } from './blob-dead-letters.js';
import { documentsBlobService } from './blob-service.js';
import { BlobDocumentStore } from './blob-document-store.js';
import {
  orderEventsConnectionSetting,
  orderEventsHubSetting,
  replicationConnectionSetting,
  replicationHubSetting,
  type AzureCellConfig,
} from './config.js';
import { EventHubsEventQueue } from './event-hubs-queue.js';
import { NotificationHubsNotifier } from './notification-hubs-notifier.js';

export type AzureHttpHandler = (
  request: HttpRequest,
  context: InvocationContext,
) => Promise<HttpResponseInit>;
export type AzureEventHubHandler = (messages: unknown, context: InvocationContext) => Promise<void>;

/** The part of @azure/functions' `app` this workload registers with. */
export interface FunctionsRegistrar {
  http(name: string, options: HttpFunctionOptions): void;
  eventHub(name: string, options: EventHubFunctionOptions): void;
  timer?(name: string, options: TimerFunctionOptions): void;
}

export interface CapturedFunctions {
  readonly http: Record<string, HttpFunctionOptions & { handler: AzureHttpHandler }>;
  readonly eventHub: Record<string, EventHubFunctionOptions & { handler: AzureEventHubHandler }>;
  readonly timer: Record<string, TimerFunctionOptions>;
}

export interface AzureCell {
  readonly config: AzureCellConfig;
  readonly app: CellApp;
  readonly handlers: {
    readonly http: AzureHttpHandler;
    readonly orderEvents: AzureEventHubHandler;
    readonly replication: AzureEventHubHandler;
  };
  readonly deadLetters: BlobDeadLetters;
  readonly containers: {
    readonly documents: ContainerClient;
    readonly deadLetters: ContainerClient;
  };
  /** Registers the functions with `app` from @azure/functions (or any registrar). */
  register(registrar: FunctionsRegistrar): void;
  /** The registrations as the Functions host would receive them, for local hosts and tests. */
  capture(): CapturedFunctions;
  /** Creates the documents and dead-letter containers when missing (local emulators). */
  ensureContainers(): Promise<void>;
}

export interface AzureCellOptions {
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  /** In-process attempts per event before it is parked (a poison event is parked at once). */
  readonly eventAttempts?: number;
  readonly retryDelayMs?: number;
  /** Blob client retries (the SDK default waits seconds between tries; local hosts want less). */
  readonly storageRetry?: { readonly maxTries?: number; readonly retryDelayInMs?: number };
  readonly log?: (message: string, detail?: unknown) => void;
  /** Peer probe timing (tests shorten refreshMs); the probe never holds a request here. */
  readonly peerProbe?: Partial<Omit<PeerProbeTiming, 'inRequest'>>;
}

export const httpFunctionName = 'api';
export const orderEventsFunctionName = 'orderPlaced';
export const replicationFunctionName = 'replicate';
export const leaseRenewalFunctionName = 'renewInventoryLeases';

/** Builds one Azure cell from its config: the sandbox and the Functions entry point both use this. */
export function createAzureCell(
  config: AzureCellConfig,
  options: AzureCellOptions = {},
): AzureCell {
  const containers = storageContainers(config, options.storageRetry);
  const deadLetters = new BlobDeadLetters(containers.deadLetters, config.cell);
  const app = cellApp(config, containers.documents, options);
  const handlers = {
    http: httpHandler(app, config.routePrefix),
    orderEvents: orderEventsHandler(app, deadLetters, config, {
      attempts: options.eventAttempts ?? 3,
      retryDelayMs: options.retryDelayMs ?? 200,
    }),
    replication: replicationHandler(app),
  };
  const register = (registrar: FunctionsRegistrar) =>
    registerFunctions(registrar, config, handlers, app);
  return {
    config,
    app,
    handlers,
    deadLetters,
    containers,
    register,
    capture: () => captureFunctions(register),
    async ensureContainers() {
      await containers.documents.createIfNotExists();
      await containers.deadLetters.createIfNotExists();
    },
  };
}

function storageContainers(
  config: AzureCellConfig,
  storageRetry: AzureCellOptions['storageRetry'],
): AzureCell['containers'] {
  const blobService = documentsBlobService(
    config,
    storageRetry ? { retryOptions: storageRetry } : {},
  );
  return {
    documents: blobService.getContainerClient(config.documentsContainer),
    deadLetters: blobService.getContainerClient(config.deadLetterContainer),
  };
}

/** The cloud-neutral core on Azure's ports: Blob documents, Event Hubs, Notification Hubs. */
function cellApp(
  config: AzureCellConfig,
  documents: ContainerClient,
  options: AzureCellOptions,
): CellApp {
  const fetchImpl = options.fetch ?? fetch;
  // order.placed and replica.changed share the namespace, one hub each; the replication hub
  // with its own rule when REPLICATION_CONNECTION is set (a hub's rule opens that hub only, and
  // the trigger would follow the EntityPath of the order events' connection string instead of
  // REPLICATION_HUB: it overrides eventHubName).
  const hubQueue = (hub: string, connection = config.orderEvents) =>
    new EventHubsEventQueue(connection, hub, 10_000, fetchImpl);
  return createCellApp({
    identity: { cell: config.cell, cloud: 'azure', region: config.region, version: config.version },
    peer: peerSettingsOf(config),
    auth: config.auth,
    ...(config.leases ? { leases: config.leases } : {}),
    ports: {
      documents: new BlobDocumentStore(documents),
      events: hubQueue(config.orderEventsHub),
      notifier: new NotificationHubsNotifier(
        config.notificationHub,
        config.notificationHubName,
        10_000,
        fetchImpl,
      ),
      ...(config.replicationHub
        ? { replication: hubQueue(config.replicationHub, config.replicationConnection) }
        : {}),
    },
    ...(options.now ? { now: options.now } : {}),
    fetch: fetchImpl,
    // The Functions worker process keeps running between invocations: the probe runs beside
    // the requests and none of them waits for it (ADR 26).
    peerProbe: { ...options.peerProbe, inRequest: false },
    // The Functions worker forwards console output to the invocation logs.
    logError: options.log ?? ((message, error) => console.error(message, error)),
  });
}

/** The catch-all HTTP function: strips the route prefix and hands the request to the core. */
function httpHandler(app: CellApp, routePrefix: string | undefined): AzureHttpHandler {
  const prefix = routePrefix ? `/${routePrefix.replace(/^\/+|\/+$/g, '')}` : '';
  return async (request) => {
    const url = new URL(request.url);
    let path = url.pathname;
    if (prefix && (path === prefix || path.startsWith(`${prefix}/`)))
      path = path.slice(prefix.length) || '/';
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const text = await request.text();
    const response = await app.handleHttp({
      method: request.method,
      path,
      query: url.searchParams,
      headers,
      ...(text === '' ? {} : { body: text }),
    });
    return { status: response.status, headers: response.headers, body: response.body };
  };
}

/** One trigger invocation's events, with what the trigger metadata says about each. */
interface TriggerBatch {
  items: BatchItem[];
  enqueued: unknown[];
  partitionId: string;
}

/**
 * The Event Hubs trigger checkpoints each batch whatever happens, so failures are handled
 * here: every event is processed on its own, a failing one is retried in process, and one
 * that still fails (or is poison) is parked in the dead-letter container before returning.
 */
function orderEventsHandler(
  app: CellApp,
  deadLetters: BlobDeadLetters,
  config: AzureCellConfig,
  retry: { attempts: number; retryDelayMs: number },
): AzureEventHubHandler {
  return async (messages, context) => {
    const batch = triggerBatch(messages, context);
    let pending = batch.items;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const failures = await consumeBatch(app.orderEvents, pending);
      const retryable = new Set<string>();
      for (const failure of failures) {
        if (failure.poison || attempt >= retry.attempts) {
          await park(deadLetters, config, context, batch, failure, attempt);
        } else {
          retryable.add(failure.itemId);
        }
      }
      pending = pending.filter((item) => retryable.has(item.itemId));
      if (pending.length > 0) await delay(retry.retryDelayMs * attempt);
    }
  };
}

/**
 * The replication trigger: delivers each replica.changed event to the peer. While the peer is
 * down the batch throws, and the registration's retry policy (maxRetryCount -1: indefinitely)
 * runs it again without checkpointing, so the events wait in the hub for the peer (ADR 23).
 * A poison event (not a replica.changed) can never succeed and is dropped with a warning.
 */
function replicationHandler(app: CellApp): AzureEventHubHandler {
  return async (messages, context) => {
    if (!app.replication) throw new Error('this cell has no REPLICATION_HUB');
    const batch = triggerBatch(messages, context);
    const failures = await consumeBatch(app.replication, batch.items);
    for (const failure of failures.filter((candidate) => candidate.poison)) {
      context.warn(`replica.changed ${failure.itemId} dropped: ${failure.error.message}`);
    }
    const retryable = failures.filter((failure) => !failure.poison);
    if (retryable.length > 0) {
      throw new Error(
        `${retryable.length} replica.changed event(s) not delivered: ${retryable[0]?.error.message}`,
      );
    }
  };
}

function triggerBatch(messages: unknown, context: InvocationContext): TriggerBatch {
  const list = Array.isArray(messages) ? messages : [messages];
  const metadata = (context.triggerMetadata ?? {}) as Record<string, unknown>;
  const sequences = Array.isArray(metadata.sequenceNumberArray) ? metadata.sequenceNumberArray : [];
  const enqueued = Array.isArray(metadata.enqueuedTimeUtcArray)
    ? metadata.enqueuedTimeUtcArray
    : [];
  const partitionContext = metadata.partitionContext as { PartitionId?: unknown } | undefined;
  const items = list.map((body, index) => ({
    itemId:
      sequences[index] === undefined
        ? `${context.invocationId}-${index}`
        : String(sequences[index]),
    body,
  }));
  return { items, enqueued, partitionId: String(partitionContext?.PartitionId ?? 'unknown') };
}

async function park(
  deadLetters: BlobDeadLetters,
  config: AzureCellConfig,
  context: InvocationContext,
  batch: TriggerBatch,
  failure: BatchItemFailure,
  attempts: number,
): Promise<void> {
  const index = batch.items.findIndex((candidate) => candidate.itemId === failure.itemId);
  const item = batch.items[index] as BatchItem;
  const enqueuedTimeUtc = batch.enqueued[index];
  const name = await deadLetters.park({
    hub: config.orderEventsHub,
    partitionId: batch.partitionId,
    sequence: item.itemId,
    body: bodyText(item.body),
    reason: failure.error.message,
    poison: failure.poison,
    attempts,
    ...(enqueuedTimeUtc === undefined ? {} : { enqueuedTimeUtc: String(enqueuedTimeUtc) }),
  });
  context.warn(
    `order event ${item.itemId} parked in ${config.deadLetterContainer}/${name}: ${failure.error.message}`,
  );
}

function registerFunctions(
  registrar: FunctionsRegistrar,
  config: AzureCellConfig,
  handlers: AzureCell['handlers'],
  app: CellApp,
): void {
  registrar.http(httpFunctionName, {
    // One catch-all route: the core answers unknown routes with the same JSON 404 on both clouds.
    route: '{*path}',
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'],
    authLevel: 'anonymous', // bearer tokens, checked by API Management and the core (ADR 14)
    handler: handlers.http,
  });
  registrar.eventHub(orderEventsFunctionName, {
    connection: orderEventsConnectionSetting,
    eventHubName: `%${orderEventsHubSetting}%`,
    cardinality: 'many',
    // Read from the app setting as the Functions host does; the local hosts take the name.
    consumerGroup: config.orderEventsConsumerGroup ?? '$Default',
    // A batch whose dead-letter write failed is run again; the consumer deduplicates.
    retry: { strategy: 'fixedDelay', maxRetryCount: 5, delayInterval: { seconds: 10 } },
    handler: handlers.orderEvents,
  });
  registerLeaseRenewal(registrar, app);
  if (!config.replicationHub) return;
  registrar.eventHub(replicationFunctionName, {
    connection: config.replicationConnection
      ? replicationConnectionSetting
      : orderEventsConnectionSetting,
    eventHubName: `%${replicationHubSetting}%`,
    cardinality: 'many',
    consumerGroup: config.orderEventsConsumerGroup ?? '$Default',
    // -1: retried indefinitely, without checkpointing, while the peer is down
    // (https://learn.microsoft.com/azure/azure-functions/functions-bindings-error-pages#retry-policies).
    retry: { strategy: 'fixedDelay', maxRetryCount: -1, delayInterval: { seconds: 5 } },
    handler: handlers.replication,
  });
}

/** The registrations as the Functions host would receive them. */
function captureFunctions(register: (registrar: FunctionsRegistrar) => void): CapturedFunctions {
  const captured: CapturedFunctions = { http: {}, eventHub: {}, timer: {} };
  register({
    http: (name, functionOptions) => {
      captured.http[name] = functionOptions as CapturedFunctions['http'][string];
    },
    eventHub: (name, functionOptions) => {
      captured.eventHub[name] = functionOptions as CapturedFunctions['eventHub'][string];
    },
    timer: (name, functionOptions) => {
      captured.timer[name] = functionOptions;
    },
  });
  return captured;
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return JSON.stringify(body);
}

/**
 * The timer trigger that renews the cell's inventory leases (ADR 25), when leases are on:
 * NCRONTAB with seconds (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer),
 * every INVENTORY_LEASE_RENEW_MS rounded down to whole seconds or minutes. A failed renewal is
 * logged, not retried: the next tick is the retry, and the lease runs out on its own.
 */
function registerLeaseRenewal(registrar: FunctionsRegistrar, app: CellApp) {
  // app.leases exists exactly when config.leases is set, and carries its settings.
  const leases = app.leases;
  if (!leases || !registrar.timer) return;
  registrar.timer(leaseRenewalFunctionName, {
    schedule: renewalSchedule(leases.settings.renewMs),
    handler: async (_timer, context) => {
      const status = await leases.renew();
      if (status.status !== 'renewed') context.warn(`inventory lease renewal: ${status.error}`);
    },
  });
}

// Every N seconds under a minute ("*/N * * * * *"), every M minutes from a minute up ("0 */M * * * *").
export function renewalSchedule(renewMs: number): string {
  if (renewMs < 60_000) return `*/${Math.max(1, Math.floor(renewMs / 1000))} * * * * *`;
  return `0 */${Math.min(59, Math.floor(renewMs / 60_000))} * * * *`;
}
