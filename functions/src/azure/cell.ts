import type {
  EventHubFunctionOptions,
  HttpFunctionOptions,
  HttpRequest,
  HttpResponseInit,
  InvocationContext,
} from '@azure/functions';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { createCellApp, type CellApp } from '../core/cell-app.js';
import { consumeBatch, type BatchItem } from '../core/order-events.js';
import { delay } from '../core/optimistic.js';
import { BlobDeadLetters } from './blob-dead-letters.js';
import { BlobDocumentStore } from './blob-document-store.js';
import {
  orderEventsConnectionSetting,
  orderEventsHubSetting,
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
}

export interface CapturedFunctions {
  readonly http: Record<string, HttpFunctionOptions & { handler: AzureHttpHandler }>;
  readonly eventHub: Record<string, EventHubFunctionOptions & { handler: AzureEventHubHandler }>;
}

export interface AzureCell {
  readonly config: AzureCellConfig;
  readonly app: CellApp;
  readonly handlers: {
    readonly http: AzureHttpHandler;
    readonly orderEvents: AzureEventHubHandler;
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
}

export const httpFunctionName = 'api';
export const orderEventsFunctionName = 'orderPlaced';

/** Builds one Azure cell from its config: the sandbox and the Functions entry point both use this. */
export function createAzureCell(
  config: AzureCellConfig,
  options: AzureCellOptions = {},
): AzureCell {
  const blobService = BlobServiceClient.fromConnectionString(
    config.storageConnection,
    options.storageRetry ? { retryOptions: options.storageRetry } : {},
  );
  const documents = blobService.getContainerClient(config.documentsContainer);
  const deadLetterContainer = blobService.getContainerClient(config.deadLetterContainer);
  const deadLetters = new BlobDeadLetters(deadLetterContainer, config.cell);
  const fetchImpl = options.fetch ?? fetch;
  const app = createCellApp({
    identity: { cell: config.cell, cloud: 'azure', region: config.region, version: config.version },
    peer: { cell: config.peerCell, url: config.peerUrl, timeoutMs: config.peerTimeoutMs },
    ports: {
      documents: new BlobDocumentStore(documents),
      events: new EventHubsEventQueue(config.orderEvents, config.orderEventsHub, 10_000, fetchImpl),
      notifier: new NotificationHubsNotifier(
        config.notificationHub,
        config.notificationHubName,
        10_000,
        fetchImpl,
      ),
    },
    ...(options.now ? { now: options.now } : {}),
    fetch: fetchImpl,
    // The Functions worker forwards console output to the invocation logs.
    logError: options.log ?? ((message, error) => console.error(message, error)),
  });
  const prefix = config.routePrefix ? `/${config.routePrefix.replace(/^\/+|\/+$/g, '')}` : '';
  const attempts = options.eventAttempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 200;

  const http: AzureHttpHandler = async (request) => {
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

  // The Event Hubs trigger checkpoints each batch whatever happens, so failures are handled
  // here: every event is processed on its own, a failing one is retried in process, and one
  // that still fails (or is poison) is parked in the dead-letter container before returning.
  const orderEvents: AzureEventHubHandler = async (messages, context) => {
    const list = Array.isArray(messages) ? messages : [messages];
    const metadata = (context.triggerMetadata ?? {}) as Record<string, unknown>;
    const sequences = Array.isArray(metadata.sequenceNumberArray)
      ? metadata.sequenceNumberArray
      : [];
    const enqueued = Array.isArray(metadata.enqueuedTimeUtcArray)
      ? metadata.enqueuedTimeUtcArray
      : [];
    const partitionContext = metadata.partitionContext as { PartitionId?: unknown } | undefined;
    const partitionId = String(partitionContext?.PartitionId ?? 'unknown');
    const items: BatchItem[] = list.map((body, index) => ({
      itemId:
        sequences[index] === undefined
          ? `${context.invocationId}-${index}`
          : String(sequences[index]),
      body,
    }));
    let pending = items;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const failures = await consumeBatch(app.orderEvents, pending);
      const retryable = new Set<string>();
      for (const failure of failures) {
        const item = items.find((candidate) => candidate.itemId === failure.itemId) as BatchItem;
        if (failure.poison || attempt >= attempts) {
          const index = items.indexOf(item);
          const name = await deadLetters.park({
            hub: config.orderEventsHub,
            partitionId,
            sequence: item.itemId,
            body: bodyText(item.body),
            reason: failure.error.message,
            poison: failure.poison,
            attempts: attempt,
            ...(enqueued[index] === undefined ? {} : { enqueuedTimeUtc: String(enqueued[index]) }),
          });
          context.warn(
            `order event ${item.itemId} parked in ${config.deadLetterContainer}/${name}: ${failure.error.message}`,
          );
        } else {
          retryable.add(failure.itemId);
        }
      }
      pending = pending.filter((item) => retryable.has(item.itemId));
      if (pending.length > 0) await delay(retryDelayMs * attempt);
    }
  };

  const register = (registrar: FunctionsRegistrar) => {
    registrar.http(httpFunctionName, {
      // One catch-all route: the core answers unknown routes with the same JSON 404 on both clouds.
      route: '{*path}',
      methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'],
      authLevel: 'anonymous',
      handler: http,
    });
    registrar.eventHub(orderEventsFunctionName, {
      connection: orderEventsConnectionSetting,
      eventHubName: `%${orderEventsHubSetting}%`,
      cardinality: 'many',
      // Read from the app setting as the Functions host does; the local hosts take the name.
      consumerGroup: config.orderEventsConsumerGroup ?? '$Default',
      // A batch whose dead-letter write failed is run again; the consumer deduplicates.
      retry: { strategy: 'fixedDelay', maxRetryCount: 5, delayInterval: { seconds: 10 } },
      handler: orderEvents,
    });
  };

  return {
    config,
    app,
    handlers: { http, orderEvents },
    deadLetters,
    containers: { documents, deadLetters: deadLetterContainer },
    register,
    capture() {
      const captured: CapturedFunctions = { http: {}, eventHub: {} };
      register({
        http: (name, functionOptions) => {
          captured.http[name] = functionOptions as CapturedFunctions['http'][string];
        },
        eventHub: (name, functionOptions) => {
          captured.eventHub[name] = functionOptions as CapturedFunctions['eventHub'][string];
        },
      });
      return captured;
    },
    async ensureContainers() {
      await documents.createIfNotExists();
      await deadLetterContainer.createIfNotExists();
    },
  };
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return JSON.stringify(body);
}
