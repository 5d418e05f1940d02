import { testPeerKey, testPeerProbeRefreshMs } from '../support/peer-key.js';
import { randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { startEventHubsStandIn } from '../../../stand-ins/src/event-hubs/index.js';
import { startNotificationHubsStandIn } from '../../../stand-ins/src/notification-hubs/index.js';
import { startS3ConditionalProxy } from '../../../stand-ins/src/s3-conditional/index.js';
import { createAzureCell } from '../../src/azure/cell.js';
import { invokeEventHubTrigger } from '../../src/azure/local-event-hub-trigger.js';
import { parseServiceBusConnection, sasToken } from '../../src/azure/service-bus-auth.js';
import type { AuthSettings } from '../../src/core/auth/auth-settings.js';
import { describeCellBehaviour } from '../behaviour/cell-behaviour.js';
import type { CellHarness, PeerEndpoint } from '../behaviour/harness.js';
import { startAzuriteBlob } from '../../../stand-ins/src/azurite/index.js';
import {
  functionsEventHubRules,
  functionsNotificationHubRules,
} from '../support/azure-sas-rules.js';

/**
 * The behavioural suite on the Azure adapter set:
 * - Azurite (child process): Blob Storage for documents (conditional writes: If-None-Match: *,
 *   If-Match) and the dead-letter container;
 * - stand-ins/src/event-hubs: the Event Hubs REST send API (no emulator runs without Docker),
 *   read back by a local trigger that invokes the registered `app.eventHub` handler
 *   (cardinality 'many') like the Functions host;
 * - stand-ins/src/notification-hubs: the Notification Hubs REST send API.
 * Requests are real @azure/functions HttpRequest / InvocationContext objects given to the
 * handler registered with `app.http`.
 */
async function startAzureCellHarness(peer: PeerEndpoint, auth: AuthSettings): Promise<CellHarness> {
  const azurite = await startAzuriteBlob();
  // Blob through a pass-through proxy: somewhere to inject a storage outage.
  const blobEndpoint = /BlobEndpoint=([^;]+)/.exec(azurite.connectionString)?.[1] as string;
  const blobProxy = await startS3ConditionalProxy({
    upstream: new URL(blobEndpoint).origin,
    evaluateConditions: false,
  });
  const storageConnection = azurite.connectionString.replace(
    new URL(blobEndpoint).origin,
    blobProxy.url,
  );
  // One partition: the poison test needs the poison event and the good ones in one batch.
  const hubs = await startEventHubsStandIn({
    hubs: { 'order-events': { partitionCount: 1 } },
    keys: functionsEventHubRules(),
  });
  const push = await startNotificationHubsStandIn({
    hubs: ['customers'],
    keys: functionsNotificationHubRules(),
  });
  const orderEvents = parseServiceBusConnection(hubs.connectionString, 'test');
  const cell = createAzureCell(
    {
      cell: 'azure',
      peerCell: 'aws',
      peerUrl: peer.url,
      peerTimeoutMs: peer.timeoutMs,
      peerKey: testPeerKey,
      version: '1.2.3-test',
      auth,
      region: 'westeurope',
      storageConnection,
      documentsContainer: 'documents',
      deadLetterContainer: 'order-events-dead-letters',
      orderEvents,
      orderEventsHub: 'order-events',
      notificationHub: parseServiceBusConnection(push.connectionString, 'test'),
      notificationHubName: 'customers',
    },
    {
      retryDelayMs: 10,
      storageRetry: { maxTries: 2, retryDelayInMs: 50 },
      log: () => {},
      peerProbe: { refreshMs: testPeerProbeRefreshMs },
    },
  );
  await cell.ensureContainers();
  const functions = cell.capture();
  const http = functions.http.api;
  const trigger = functions.eventHub.orderPlaced;
  if (!http || !trigger) throw new Error('the Azure cell did not register api and orderPlaced');
  const quiet = () => {};

  return {
    cloud: 'azure',
    cell: 'azure',
    peerCell: 'aws',
    async request(method, path, options = {}) {
      const body =
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body);
      const url = new URL(path, 'http://azure-cell.localhost');
      const request = new HttpRequest({
        method,
        url: url.toString(),
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        ...(body === undefined ? {} : { body: { string: body } }),
        params: { path: url.pathname.slice(1) },
      });
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: 'api',
        logHandler: quiet,
      });
      const response = await http.handler(request, context);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(
        (response.headers ?? {}) as Record<string, string>,
      )) {
        headers[name.toLowerCase()] = value;
      }
      return {
        status: response.status ?? 200,
        headers,
        body:
          typeof response.body === 'string' && response.body !== ''
            ? JSON.parse(response.body)
            : undefined,
      };
    },
    async queueRawEvent(body) {
      const resource = `${orderEvents.endpoint}order-events`;
      const response = await fetch(`${resource}/messages?api-version=2014-01`, {
        method: 'POST',
        headers: { authorization: sasToken(orderEvents, resource), 'content-type': 'text/plain' },
        body,
      });
      if (response.status !== 201) throw new Error(`raw send failed: ${response.status}`);
    },
    async deliverOrderEvents() {
      for (let round = 0; round < 100; round += 1) {
        const batches = hubs.receive('order-events');
        if (batches.length === 0) return;
        for (const batch of batches) {
          await invokeEventHubTrigger({
            handler: trigger.handler,
            functionName: 'orderPlaced',
            eventHubName: 'order-events',
            partitionId: batch.partitionId,
            events: batch.events,
            logHandler: quiet,
          });
        }
      }
    },
    async deadLetters() {
      return (await cell.deadLetters.list()).map((parked) => parked.body);
    },
    async injectOutage(dependency) {
      const fault =
        dependency === 'documents'
          ? blobProxy.server.injectFault({ path: /./, times: Infinity, status: 503 })
          : dependency === 'events'
            ? hubs.server.injectFault({ path: /^\/order-events/, times: Infinity, status: 503 })
            : push.server.injectFault({ path: /^\/customers/, times: Infinity, status: 503 });
      return () => fault.remove();
    },
    async loseNextWriteAnswer(keyPrefix) {
      return blobProxy.server.injectFault({
        method: 'PUT',
        path: new RegExp(`^/devstoreaccount1/documents/${keyPrefix}`),
        dropAnswer: true,
      });
    },
    async slowWrites(keyPrefix, ms) {
      const fault = blobProxy.server.injectFault({
        method: 'PUT',
        path: new RegExp(`^/devstoreaccount1/documents/${keyPrefix}`),
        times: Infinity,
        delayMs: ms,
      });
      return () => fault.remove();
    },
    async notifications() {
      return push.notifications('customers').map((sent) => ({
        customerId: (sent.tags ?? '').replace(/^customer:/, ''),
        orderId: (JSON.parse(sent.body) as { orderId: string }).orderId,
      }));
    },
    async close() {
      await push.close();
      await hubs.close();
      await blobProxy.close();
      await azurite.stop();
    },
  };
}

describeCellBehaviour(
  'Azure cell (Functions v4 handlers, Blob on Azurite + Event Hubs / Notification Hubs stand-ins)',
  startAzureCellHarness,
);
