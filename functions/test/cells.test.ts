import { testPeerKey } from './support/peer-key.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import {
  startEventHubsStandIn,
  type EventHubsStandIn,
} from '../../stand-ins/src/event-hubs/index.js';
import {
  startNotificationHubsStandIn,
  type NotificationHubsStandIn,
} from '../../stand-ins/src/notification-hubs/index.js';
import {
  startS3ConditionalProxy,
  type S3ConditionalProxy,
} from '../../stand-ins/src/s3-conditional/index.js';
import { createAwsCell, type AwsCell } from '../src/aws/cell.js';
import { createAzureCell, type AzureCell } from '../src/azure/cell.js';
import { idempotencyHome } from '../src/core/routes/order-routes.js';
import { parseServiceBusConnection } from '../src/azure/service-bus-auth.js';
import { apiGatewayEvent } from './support/api-gateway-events.js';
import { authSettingsOf, bearer, startTestIssuer } from './support/auth.js';
import type { OidcIssuer } from '../../stand-ins/src/oidc-issuer/index.js';
import { startAzuriteBlob, type AzuriteBlob } from '../../stand-ins/src/azurite/index.js';
import {
  functionsEventHubRules,
  functionsNotificationHubRules,
} from './support/azure-sas-rules.js';

/**
 * Both cells at once, each behind its own loopback HTTP server, each configured with the
 * other's URL: a cart or order whose id names the other cell travels to it and back.
 */

type Handler = (
  request: IncomingMessage,
  body: string,
) => Promise<{ status: number; headers: Record<string, string>; body: string }>;

async function listen(
  handler: () => Handler | undefined,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const serve = handler();
      if (!serve) {
        response.writeHead(503).end();
        return;
      }
      serve(request, Buffer.concat(chunks).toString('utf8'))
        .then((result) => response.writeHead(result.status, result.headers).end(result.body))
        .catch(() => response.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

describe('two cells forwarding to each other over HTTP', () => {
  let fauxqs: FauxqsServer;
  let proxy: S3ConditionalProxy;
  let azurite: AzuriteBlob;
  let hubs: EventHubsStandIn;
  let push: NotificationHubsStandIn;
  let aws: AwsCell;
  let azure: AzureCell;
  let awsServer: { server: Server; url: string };
  let azureServer: { server: Server; url: string };
  let issuer: OidcIssuer;
  /** While true, the Azure cell's server answers 503 to everything (its cloud is down). */
  let azureDown = false;

  beforeAll(async () => {
    [fauxqs, azurite, hubs, push, issuer] = await Promise.all([
      startFauxqs({ port: 0, logger: false }),
      startAzuriteBlob(),
      startEventHubsStandIn({
        hubs: { 'order-events': {} },
        keys: functionsEventHubRules(),
      }),
      startNotificationHubsStandIn({
        hubs: ['customers'],
        keys: functionsNotificationHubRules(),
      }),
      startTestIssuer(),
    ]);
    proxy = await startS3ConditionalProxy({ upstream: fauxqs.address });
    const queue = fauxqs.createQueue('order-events');
    const topic = fauxqs.createTopic('customer-notifications');
    fauxqs.createBucket('aws-documents');

    awsServer = await listen(() =>
      aws
        ? async (request, body) => {
            const result = await aws.http(
              apiGatewayEvent(request.method ?? 'GET', request.url ?? '/', {
                headers: headersOf(request),
                ...(body === '' ? {} : { body }),
              }),
            );
            return {
              status: result.statusCode ?? 200,
              headers: (result.headers ?? {}) as Record<string, string>,
              body: result.body ?? '',
            };
          }
        : undefined,
    );
    azureServer = await listen(() =>
      azure && !azureDown
        ? async (request, body) => {
            const handler = azure.capture().http.api?.handler;
            if (!handler) throw new Error('no api function');
            const response = await handler(
              new HttpRequest({
                method: request.method ?? 'GET',
                url: `${azureServer.url}${request.url ?? '/'}`,
                headers: headersOf(request),
                ...(body === '' ? {} : { body: { string: body } }),
              }),
              new InvocationContext({ functionName: 'api', logHandler: () => {} }),
            );
            return {
              status: response.status ?? 200,
              headers: (response.headers ?? {}) as Record<string, string>,
              body: typeof response.body === 'string' ? response.body : '',
            };
          }
        : undefined,
    );

    aws = createAwsCell(
      {
        cell: 'aws',
        peerCell: 'azure',
        peerUrl: azureServer.url,
        peerTimeoutMs: 2000,
        peerKey: testPeerKey,
        version: '1.0.0',
        region: 'us-east-1',
        auth: authSettingsOf(issuer),
        documentsBucket: 'aws-documents',
        orderEventsQueueUrl: queue.queueUrl,
        notificationsTopicArn: topic.topicArn,
        endpoints: { s3: proxy.url, sqs: fauxqs.address, sns: fauxqs.address },
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      },
      { log: () => {} },
    );
    azure = createAzureCell({
      cell: 'azure',
      peerCell: 'aws',
      peerUrl: awsServer.url,
      peerTimeoutMs: 2000,
      peerKey: testPeerKey,
      version: '1.0.0',
      region: 'westeurope',
      auth: authSettingsOf(issuer),
      storageConnection: azurite.connectionString,
      documentsContainer: 'documents',
      deadLetterContainer: 'dead-letters',
      orderEvents: parseServiceBusConnection(hubs.connectionString, 'ORDER_EVENTS_CONNECTION'),
      orderEventsHub: 'order-events',
      notificationHub: parseServiceBusConnection(
        push.connectionString,
        'NOTIFICATION_HUB_CONNECTION',
      ),
      notificationHubName: 'customers',
    });
    await azure.ensureContainers();
  });

  afterAll(async () => {
    aws?.destroy();
    await new Promise((resolve) => awsServer?.server.close(resolve));
    await new Promise((resolve) => azureServer?.server.close(resolve));
    await Promise.all([
      proxy?.close(),
      push?.close(),
      hubs?.close(),
      azurite?.stop(),
      issuer?.close(),
    ]);
    await fauxqs?.stop();
  });

  /** As customer c-9 unless another token is given (the admin's for inventory writes). */
  const call = async (
    base: string,
    method: string,
    path: string,
    body?: unknown,
    token = issuer.customerToken('c-9'),
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...bearer(token),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : undefined,
    };
  };

  it("serves the other cell's cart and order through either cell's URL", async () => {
    const azureStock = await call(
      azureServer.url,
      'PUT',
      '/inventory/MUG',
      { allocation: 5 },
      issuer.adminToken(),
    );
    expect(azureStock.body).toMatchObject({ cell: 'azure', available: 5 });
    expect((await call(awsServer.url, 'GET', '/inventory/MUG')).body).toMatchObject({
      cell: 'aws',
      available: 0,
    });

    const put = await call(awsServer.url, 'PUT', '/carts/azure-shared-1/items/MUG', {
      quantity: 2,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: 'azure-shared-1',
      cell: 'azure',
      items: [{ sku: 'MUG', quantity: 2 }],
    });
    expect(put.headers.get('x-cell')).toBe('azure');
    expect(put.headers.get('x-forwarded-to-cell')).toBe('azure');

    const direct = await call(azureServer.url, 'GET', '/carts/azure-shared-1');
    expect(direct.body.items).toEqual([{ sku: 'MUG', quantity: 2 }]);
    expect(direct.headers.get('etag')).toBe(put.headers.get('etag'));

    const order = await call(awsServer.url, 'POST', '/carts/azure-shared-1/checkout', {
      customerId: 'c-9',
    });
    expect(order.status).toBe(201);
    expect(order.body.id).toMatch(/^azure-/);
    const read = await call(awsServer.url, 'GET', `/orders/${order.body.id}`);
    expect(read.body).toMatchObject({ id: order.body.id, cell: 'azure', status: 'placed' });
    expect((await call(azureServer.url, 'GET', '/inventory/MUG')).body).toMatchObject({
      reserved: 2,
      available: 3,
    });

    const awsCart = await call(azureServer.url, 'PUT', '/carts/aws-from-azure/items/HOODIE', {
      quantity: 1,
    });
    expect(awsCart.body).toMatchObject({ cell: 'aws' });
    expect((await call(awsServer.url, 'GET', '/carts/aws-from-azure')).body.items).toEqual([
      { sku: 'HOODIE', quantity: 1 },
    ]);

    // Another customer, through either cell, finds neither the cart nor the order.
    const stranger = issuer.customerToken('c-10');
    for (const [base, path] of [
      [awsServer.url, '/carts/azure-shared-1'],
      [azureServer.url, '/carts/azure-shared-1'],
      [awsServer.url, `/orders/${order.body.id as string}`],
      [azureServer.url, '/carts/aws-from-azure'],
    ] as const) {
      const response = await call(base, 'GET', path, undefined, stranger);
      expect({ base, path, status: response.status }).toEqual({ base, path, status: 404 });
    }
  });

  it('moves allocation from one cell to the other exactly once', async () => {
    const admin = issuer.adminToken();
    await call(awsServer.url, 'PUT', '/inventory/STICKERS', { allocation: 10 }, admin);
    const azureBefore = (await call(azureServer.url, 'GET', '/inventory/STICKERS')).body;
    const transfer = { transferId: 'move-1', toCell: 'azure', quantity: 4 };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const moved = await call(
        awsServer.url,
        'POST',
        '/inventory/STICKERS/transfers',
        transfer,
        admin,
      );
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({
        from: { cell: 'aws', allocation: 6 },
        to: { cell: 'azure' },
      });
    }
    expect((await call(awsServer.url, 'GET', '/inventory/STICKERS')).body.allocation).toBe(6);
    expect((await call(azureServer.url, 'GET', '/inventory/STICKERS')).body.allocation).toBe(
      azureBefore.allocation + 4,
    );
  });

  it('one Idempotency-Key sent to both cells, one after the other and at once: one order, one reservation', async () => {
    const admin = issuer.adminToken();
    const place = (base: string, key: string) =>
      fetch(`${base}/orders`, {
        method: 'POST',
        headers: {
          ...bearer(issuer.customerToken('c-idem')),
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({ items: [{ sku: 'HOODIE', quantity: 1 }] }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { id: string; cell: string },
      }));
    const reserved = async () =>
      Promise.all(
        [awsServer.url, azureServer.url].map(
          async (base) => (await call(base, 'GET', '/inventory/HOODIE')).body.reserved as number,
        ),
      );
    for (const base of [awsServer.url, azureServer.url]) {
      await call(base, 'PUT', '/inventory/HOODIE', { allocation: 50 }, admin);
    }
    // Keys of both homes, so that each cell is once the receiver of a retry it does not own.
    const keys = ['idem-a', 'idem-b', 'idem-c', 'idem-d', 'idem-e', 'idem-f'];
    const before = await reserved();
    for (const key of keys.slice(0, 3)) {
      const first = await place(awsServer.url, key);
      const retry = await place(azureServer.url, key);
      expect([first.status, retry.status]).toEqual([201, 200]);
      expect(retry.body.id).toBe(first.body.id);
    }
    for (const key of keys.slice(3)) {
      const answers = await Promise.all([
        place(awsServer.url, key),
        place(azureServer.url, key),
        place(awsServer.url, key),
        place(azureServer.url, key),
      ]);
      // Statuses first: an error answer has no id and must fail as itself, not as a second id.
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 201]);
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    }
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    expect(sum(await reserved()) - sum(before)).toBe(keys.length);
    const homes = new Set<string>();
    for (const key of keys) homes.add((await place(awsServer.url, key)).body.cell);
    expect([...homes].sort()).toEqual(['aws', 'azure']);
  });

  it("one Idempotency-Key to both cells at once while the key's home store is slower than the peer timeout: one order, the forwarded copies refused, a later retry answered", async () => {
    const admin = issuer.adminToken();
    const customer = 'c-slow-home';
    let key = `slow-home-${Date.now()}`;
    while (idempotencyHome(customer, key, ['aws', 'azure']) !== 'aws') key = `${key}-x`;
    const place = async (base: string) => {
      const response = await call(
        base,
        'POST',
        '/orders',
        { items: [{ sku: 'MUG', quantity: 2 }] },
        issuer.customerToken(customer),
        { 'idempotency-key': key },
      );
      return { status: response.status, id: response.body.id, code: response.body.code };
    };
    const reserved = async (base: string) =>
      (await call(base, 'GET', '/inventory/MUG')).body.reserved as number;
    const before = { aws: await reserved(awsServer.url), azure: await reserved(azureServer.url) };
    await call(awsServer.url, 'PUT', '/inventory/MUG', { allocation: before.aws + 40 }, admin);
    // The home cell's order write takes longer than Azure waits for its forward (2 s).
    const slow = proxy.server.injectFault({
      method: 'PUT',
      path: /^\/aws-documents\/orders\//,
      delayMs: 3500,
    });
    const direct = [place(awsServer.url), place(awsServer.url)];
    // The copies through Azure arrive once an AWS request holds the claim and is writing.
    while (slow.hits === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const throughAzure = [place(azureServer.url), place(azureServer.url)];
    const [first, second, forwarded, forwardedAgain] = await Promise.all([
      ...direct,
      ...throughAzure,
    ]);
    slow.remove();
    expect(slow.hits).toBe(1);
    const orderId = first?.id as string;
    expect(orderId).toMatch(/^aws-/);
    // The home cell answers both of its callers with the one order.
    expect([first, second].map((answer) => answer?.status).sort()).toEqual([200, 201]);
    expect(second?.id).toBe(orderId);
    // Azure placed nothing of its own: it refused, naming the key's home.
    for (const answer of [forwarded, forwardedAgain]) {
      expect(answer).toEqual({ status: 503, id: undefined, code: 'idempotency_home_unreachable' });
    }
    // The client's retry through Azure, once the home answers in time, gets the same order.
    expect(await place(azureServer.url)).toEqual({ status: 200, id: orderId, code: undefined });
    expect(await reserved(awsServer.url)).toBe(before.aws + 2);
    expect(await reserved(azureServer.url)).toBe(before.azure);
  });

  it('a transfer to a cell that is down returns its units once that cell is back, or completes', async () => {
    const admin = issuer.adminToken();
    const allocations = async () =>
      Promise.all(
        [awsServer.url, azureServer.url].map(
          async (base) =>
            (await call(base, 'GET', '/inventory/TSHIRT-S')).body.allocation as number,
        ),
      );
    await call(awsServer.url, 'PUT', '/inventory/TSHIRT-S', { allocation: 20 }, admin);
    const [, azureBefore] = await allocations();
    const transfer = (transferId: string, quantity: number) =>
      call(
        awsServer.url,
        'POST',
        '/inventory/TSHIRT-S/transfers',
        { transferId, toCell: 'azure', quantity },
        admin,
      );
    const takeBack = (transferId: string) =>
      call(awsServer.url, 'POST', `/inventory/TSHIRT-S/transfers/${transferId}/return`, {}, admin);

    azureDown = true;
    expect((await transfer('ret-1', 5)).body.code).toBe('transfer_pending');
    expect((await takeBack('ret-1')).status).not.toBe(200);
    azureDown = false;
    expect(await allocations()).toEqual([15, azureBefore]);

    const returned = await takeBack('ret-1');
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ returned: 5, from: { allocation: 20 } });
    expect((await takeBack('ret-1')).status).toBe(200);
    // The original request retried after the return moves nothing, in either cell.
    expect((await transfer('ret-1', 5)).body.code).toBe('transfer_returned');
    expect(await allocations()).toEqual([20, azureBefore]);

    expect((await transfer('ret-2', 3)).status).toBe(200);
    const late = await takeBack('ret-2');
    expect({ status: late.status, code: late.body.code }).toEqual({
      status: 409,
      code: 'transfer_delivered',
    });
    expect(await allocations()).toEqual([17, (azureBefore as number) + 3]);
  });

  it('answers 502 for the other cell when it is down, and keeps serving its own', async () => {
    await new Promise((resolve) => azureServer.server.close(resolve));
    const down = await call(awsServer.url, 'GET', '/orders/azure-anything');
    expect(down.status).toBe(502);
    expect(down.body).toMatchObject({ code: 'peer_unreachable', peerCell: 'azure' });
    expect((await call(awsServer.url, 'GET', '/carts/aws-from-azure')).status).toBe(200);
  });
});
