// The aws-cell module's routes and per-function IAM, held against what the functions really do:
// each request of the workload goes to the Lambda the module's API Gateway routes pick, and
// runs the real cell core on in-memory ports that refuse what that Lambda's role does not
// allow (S3 key prefixes, s3:ListBucket, which queue it sends to, notify), as AWS would with
// AccessDenied. Replication (ADR 23) runs the same way: the writers queue replica.changed, the
// replication function delivers it, the replicas function takes the peer's signed copies.
import { testPeerSettings } from '../../functions/test/support/peer-key.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOidcIssuer, type OidcIssuer } from '../../stand-ins/src/oidc-issuer/index.js';
import { createCellApp } from '../../functions/src/core/cell-app.js';
import { consumeBatch } from '../../functions/src/core/order-events.js';
import { signPeerRequest } from '../../functions/src/core/peer-auth.js';
import { statementsForFunction } from './support/replication-checks.js';
import type {
  DocumentStore,
  EventQueue,
  Notifier,
  OrderPlacedEvent,
  ReplicaChangedEvent,
} from '../../functions/src/core/ports.js';
import {
  MemoryDocumentStore,
  MemoryEventQueue,
  MemoryNotifier,
} from '../../functions/src/memory/memory-adapters.js';
import { loadModule, type TerraformModule } from './support/terraform-module.js';

interface FunctionAccess {
  readonly s3_prefixes: string[];
  readonly s3_read_prefixes: string[];
  readonly replication_send: boolean;
  readonly replication_consume: boolean;
  readonly [flag: string]: unknown;
}

class AccessDenied extends Error {
  constructor(what: string) {
    super(`AccessDenied: ${what}`);
  }
}

let module: TerraformModule;
let functions: Record<string, FunctionAccess>;
interface RouteTarget {
  readonly function: string;
  readonly access: 'public' | 'customer' | 'admin';
}

let routes: Record<string, RouteTarget>;
let issuer: OidcIssuer;

beforeAll(async () => {
  issuer = await startOidcIssuer({ audience: 'https://api.shop.test' });
  module = await loadModule('modules/aws-cell');
  const locals = module.locals;
  functions = locals.get('functions')?.value as Record<string, FunctionAccess>;
  routes = locals.get('routes')?.value as Record<string, RouteTarget>;
});

afterAll(async () => {
  await issuer?.close();
});

/**
 * API Gateway HTTP API route selection: the most specific matching route key wins, and a route
 * with the request's method wins over ANY on the same path.
 */
function routeFor(method: string, path: string): RouteTarget | undefined {
  const candidates = Object.entries(routes)
    .map(([key, target]) => {
      const [routeMethod, routePath] = key.split(' ') as [string, string];
      if (routeMethod !== 'ANY' && routeMethod !== method) return undefined;
      const pattern = routePath
        .split('/')
        .map((segment) =>
          segment.endsWith('+}')
            ? '.+'
            : /^\{.+\}$/.test(segment)
              ? '[^/]+'
              : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
        )
        .join('/');
      if (!new RegExp(`^${pattern}$`).test(path)) return undefined;
      return {
        target,
        greedy: routePath.includes('+}'),
        any: routeMethod === 'ANY',
        length: routePath.length,
      };
    })
    .filter((candidate) => candidate !== undefined)
    .sort(
      (a, b) =>
        Number(a.greedy) - Number(b.greedy) || b.length - a.length || Number(a.any) - Number(b.any),
    );
  return candidates[0]?.target;
}

/**
 * Whether the functions policy (data.aws_iam_policy_document.functions) gives one function an
 * action, on a resource whose expression names `resource` when given (`aws_sqs_queue.events`):
 * its statements are static or `dynamic` with a `for_each` on the function's settings.
 */
function grants(name: string, action: string, resource?: string): boolean {
  return statementsForFunction(module, name).some(
    (statement) =>
      statement.actions.includes(action) &&
      (resource === undefined || statement.resources.some((arn) => arn.includes(resource))),
  );
}

/** The cell's ports as one Lambda's role sees them, refusing what AWS would refuse. */
interface SharedPorts {
  documents: MemoryDocumentStore;
  events: MemoryEventQueue;
  notifier: MemoryNotifier;
  replication?: MemoryEventQueue;
}

function portsOf(name: string, shared: SharedPorts) {
  const access = functions[name] as FunctionAccess;
  const allowed = (action: string, what: string, resource?: string) => {
    if (!grants(name, action, resource))
      throw new AccessDenied(`${name} may not ${action} (${what})`);
  };
  const object = (action: string, key: string) => {
    allowed(action, key);
    const prefixes =
      action === 's3:GetObject'
        ? [...access.s3_prefixes, ...access.s3_read_prefixes]
        : access.s3_prefixes;
    if (!prefixes.some((prefix) => key.startsWith(prefix)))
      throw new AccessDenied(`${name} may not ${action} s3 object ${key}`);
  };
  const documents: DocumentStore = {
    get: async <T>(key: string) => {
      object('s3:GetObject', key);
      const found = await shared.documents.get<T>(key);
      // S3 answers 404 for a missing key only to a caller with s3:ListBucket; others get 403.
      if (found === undefined) allowed('s3:ListBucket', `GetObject of missing ${key}`);
      return found;
    },
    createIfAbsent: async (key, value) => (
      object('s3:PutObject', key),
      shared.documents.createIfAbsent(key, value)
    ),
    replaceIfMatch: async (key, value, etag) => (
      object('s3:PutObject', key),
      shared.documents.replaceIfMatch(key, value, etag)
    ),
    check: async () => allowed('s3:ListBucket', 'HeadBucket'),
    count: async (prefix) => (
      allowed('s3:ListBucket', `ListObjectsV2 ${prefix}`),
      shared.documents.count(prefix)
    ),
  };
  const events: EventQueue = {
    publish: async (event, options) => {
      allowed('sqs:SendMessage', event.id, 'aws_sqs_queue.events.');
      await shared.events.publish(event, options);
    },
    check: async () => allowed('sqs:GetQueueAttributes', 'health'),
  };
  const notifier: Notifier = {
    notify: async (notification) => {
      allowed('sns:Publish', notification.dedupeId);
      await shared.notifier.notify(notification);
    },
    check: async () => allowed('sns:GetTopicAttributes', 'health'),
  };
  // REPLICATION_QUEUE_URL is in the Lambda's environment only for these (aws-cell main.tf).
  const replicationQueue = shared.replication;
  const replication: EventQueue | undefined =
    replicationQueue && (access.replication_send || access.replication_consume)
      ? {
          publish: async (event, options) => {
            allowed('sqs:SendMessage', event.id, 'aws_sqs_queue.replication.');
            await replicationQueue.publish(event, options);
          },
        }
      : undefined;
  return { documents, events, notifier, ...(replication ? { replication } : {}) };
}

describe('aws-cell: every request reaches a Lambda whose role allows what it does', () => {
  it('serves the workload through the module routes and roles, and consumes its events', async () => {
    const shared = {
      documents: new MemoryDocumentStore(),
      events: new MemoryEventQueue(),
      notifier: new MemoryNotifier(),
    };
    const errors: string[] = [];
    const apps = new Map(
      Object.keys(functions).map((name) => [
        name,
        createCellApp({
          identity: { cell: 'aws', cloud: 'memory', region: 'local', version: 't' },
          peer: testPeerSettings('azure', 'http://127.0.0.1:9', 100),
          ports: portsOf(name, shared),
          auth: issuer.verifierSettings,
          logError: (message, error) => errors.push(`${message} ${String(error)}`),
        }),
      ]),
    );
    // Inventory writes and the replica count as the admin; the rest as the customer the body
    // names, else c-1.
    const tokenFor = (method: string, path: string, body: unknown, customer?: string) =>
      (path.startsWith('/inventory/') && method !== 'GET') || path === '/replicas'
        ? issuer.adminToken()
        : issuer.customerToken(
            customer ?? (body as { customerId?: string } | undefined)?.customerId ?? 'c-1',
          );
    const send = async (
      method: string,
      path: string,
      body?: unknown,
      key?: string,
      customer?: string,
    ) => {
      const target = routeFor(method, path)?.function;
      expect({ request: `${method} ${path}`, target }).toEqual({
        request: `${method} ${path}`,
        target: expect.any(String),
      });
      const response = await apps.get(target as string)?.handleHttp({
        method,
        path,
        query: new URLSearchParams(),
        headers: {
          authorization: `Bearer ${tokenFor(method, path, body, customer)}`,
          ...(key ? { 'idempotency-key': key } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return {
        request: `${method} ${path}`,
        target,
        status: response?.status,
        body: response?.body,
      };
    };

    const answers = [
      await send('PUT', '/inventory/MUG', { allocation: 10 }),
      await send('GET', '/inventory/MUG'),
      await send('POST', '/inventory/MUG/reserve', { quantity: 1 }),
      await send('POST', '/inventory/MUG/release', { quantity: 1 }),
      await send('POST', '/carts'),
      await send('GET', '/carts/aws-new'),
      await send('PUT', '/carts/aws-c1/items/MUG', { quantity: 2 }),
      await send('DELETE', '/carts/aws-c1/items/MUG'),
      await send('PUT', '/carts/aws-c1/items/MUG', { quantity: 1 }),
      await send('POST', '/carts/aws-c1/checkout', { customerId: 'c-1' }),
      await send(
        'POST',
        '/orders',
        { customerId: 'c-2', items: [{ sku: 'MUG', quantity: 1 }] },
        // A key homed in this cell for c-2 (ADR 18), so the order is placed here.
        'k2',
      ),
      await send('GET', '/orders/aws-missing'),
      await send('GET', '/health'),
      // Counted by a bucket listing: the role behind the route holds s3:ListBucket.
      await send('GET', '/replicas'),
    ];
    const expected = [200, 200, 200, 200, 201, 404, 200, 200, 200, 201, 201, 404, 200, 200];
    expect(answers.map(({ request, target, status }) => ({ request, target, status }))).toEqual(
      answers.map(({ request, target }, index) => ({ request, target, status: expected[index] })),
    );
    expect(errors).toEqual([]);

    const placed = shared.events.published.map((entry) => entry.event as OrderPlacedEvent);
    expect(placed).toHaveLength(2);
    const orderId = placed[1]?.orderId as string;
    expect((await send('GET', `/orders/${orderId}`, undefined, undefined, 'c-2')).status).toBe(200);
    const consumer = apps.get('order_events');
    if (!consumer) throw new Error('aws-cell has no order_events function');
    const failures = await consumeBatch(
      consumer.orderEvents,
      placed.map((event, index) => ({ itemId: String(index), body: JSON.stringify(event) })),
    );
    expect(failures.map((failure) => failure.error.message)).toEqual([]);
    expect(shared.notifier.sent.map((sent) => sent.customerId).sort()).toEqual(['c-1', 'c-2']);
    const confirmed = await send('GET', `/orders/${orderId}`, undefined, undefined, 'c-2');
    expect(JSON.parse(confirmed.body as string).status).toBe('confirmed');
  });

  it('the model refuses what a role lacks, so the test above can fail', async () => {
    const shared = {
      documents: new MemoryDocumentStore(),
      events: new MemoryEventQueue(),
      notifier: new MemoryNotifier(),
    };
    const inventoryOnly = portsOf('inventory', shared);
    await expect(inventoryOnly.documents.get('orders/x')).rejects.toThrow(AccessDenied);
    await expect(inventoryOnly.events.publish({} as OrderPlacedEvent)).rejects.toThrow(
      AccessDenied,
    );
    expect(routeFor('GET', '/nowhere')).toBeUndefined();
  });
});

describe('aws-cell: replication runs through the module routes and roles (ADR 23)', () => {
  it('writers queue replica.changed, the replication function delivers it signed, the replicas function merges the peer copy', async () => {
    const shared: SharedPorts = {
      documents: new MemoryDocumentStore(),
      events: new MemoryEventQueue(),
      notifier: new MemoryNotifier(),
      replication: new MemoryEventQueue(),
    };
    const delivered: { method: string; url: string; signedBy?: string }[] = [];
    const peer = testPeerSettings('azure', 'https://azure.peer.test', 1000);
    const errors: string[] = [];
    const apps = new Map(
      Object.keys(functions).map((name) => [
        name,
        createCellApp({
          identity: { cell: 'aws', cloud: 'memory', region: 'local', version: 't' },
          peer,
          ports: portsOf(name, shared),
          auth: issuer.verifierSettings,
          logError: (message, error) => errors.push(`${name}: ${message} ${String(error)}`),
          // The peer cell records what reaches it and takes every replica; the issuer's keys
          // are fetched from the issuer.
          fetch: async (url, init) => {
            if (!String(url).startsWith(peer.url)) return fetch(url, init);
            const headers = (init?.headers ?? {}) as Record<string, string>;
            delivered.push({
              method: String(init?.method),
              url: String(url),
              signedBy: headers['x-forwarded-from-cell'],
            });
            return new Response('{"result":"created"}', { status: 200 });
          },
        }),
      ]),
    );
    const call = async (method: string, path: string, body?: unknown, headers = {}) => {
      const target = routeFor(method, path)?.function as string;
      const text = body === undefined ? undefined : JSON.stringify(body);
      const response = await apps.get(target)?.handleHttp({
        method,
        path,
        query: new URLSearchParams(),
        headers,
        ...(text === undefined ? {} : { body: text }),
      });
      return { target, status: response?.status, body: response?.body };
    };
    const admin = { authorization: `Bearer ${issuer.adminToken()}` };
    const customer = { authorization: `Bearer ${issuer.customerToken('c-1')}` };

    expect((await call('PUT', '/inventory/MUG', { allocation: 5 }, admin)).status).toBe(200);
    expect((await call('PUT', '/carts/aws-c1/items/MUG', { quantity: 1 }, customer)).status).toBe(
      200,
    );
    const checkout = await call('POST', '/carts/aws-c1/checkout', { customerId: 'c-1' }, customer);
    expect(checkout).toMatchObject({ target: 'cart', status: 201 });
    const orderId = JSON.parse(checkout.body as string).id as string;
    const queued = (shared.replication?.published ?? []).map(
      (entry) => (entry.event as ReplicaChangedEvent).key,
    );
    expect(new Set(queued)).toEqual(new Set(['carts/aws-c1', `orders/${orderId}`]));

    // The replication function, on its own role: reads each document, PUTs it to the peer.
    const consumer = apps.get('replication')?.replication;
    if (!consumer) throw new Error('aws-cell has no replication function with a queue');
    const failures = await consumeBatch(
      consumer,
      (shared.replication?.published ?? []).map((entry, index) => ({
        itemId: String(index),
        body: JSON.stringify(entry.event),
      })),
    );
    expect(failures.map((failure) => failure.error.message)).toEqual([]);
    expect(new Set(delivered.map(({ method, url }) => `${method} ${url}`))).toEqual(
      new Set([
        'PUT https://azure.peer.test/replicas/carts/aws-c1',
        `PUT https://azure.peer.test/replicas/orders/${orderId}`,
      ]),
    );
    expect(delivered.every((request) => request.signedBy === 'aws')).toBe(true);

    // The peer's copy of its own cart reaches the replicas function with no token, signed.
    const copy = {
      id: 'azure-c7',
      customerId: 'c-7',
      status: 'open',
      lines: {},
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const path = '/replicas/carts/azure-c7';
    const unsigned = await call('PUT', path, copy);
    expect(unsigned).toMatchObject({ target: 'replicas', status: 403 });
    expect(await shared.documents.get('carts/azure-c7')).toBeUndefined();
    const signed = signPeerRequest(
      peer.auth,
      { fromCell: 'azure', toCell: 'aws', method: 'PUT', path, query: '' },
      JSON.stringify(copy),
      new Date(),
    );
    const accepted = await call('PUT', path, copy, signed);
    expect(accepted).toMatchObject({ target: 'replicas', status: 200 });
    expect(JSON.parse(accepted.body as string)).toMatchObject({ result: 'created' });
    expect((await shared.documents.get('carts/azure-c7'))?.value).toEqual(copy);
    expect(errors).toEqual([]);
  });

  it('the model refuses a replica.changed from a function that may not send it', async () => {
    const replication = new MemoryEventQueue();
    const shared: SharedPorts = {
      documents: new MemoryDocumentStore(),
      events: new MemoryEventQueue(),
      notifier: new MemoryNotifier(),
      replication,
    };
    // inventory has no REPLICATION_QUEUE_URL; the replication function may not send on its queue.
    expect(portsOf('inventory', shared).replication).toBeUndefined();
    await expect(
      portsOf('replication', shared).replication?.publish({ id: 'x' } as ReplicaChangedEvent),
    ).rejects.toThrow(AccessDenied);
    // The replicas function sends to the replication queue, never the order events queue.
    await expect(
      portsOf('replicas', shared).events.publish({ id: 'x' } as OrderPlacedEvent),
    ).rejects.toThrow(AccessDenied);
    await expect(
      portsOf('replication', shared).documents.createIfAbsent('carts/x', {}),
    ).rejects.toThrow(AccessDenied);
    expect(replication.published).toEqual([]);
  });
});

describe('aws-cell: the JWT authorizer asks what the functions ask', () => {
  it('each route is public, any token or the admin scope exactly as the core decides', async () => {
    const app = createCellApp({
      identity: { cell: 'aws', cloud: 'memory', region: 'local', version: 't' },
      peer: testPeerSettings('azure', 'http://127.0.0.1:9', 100),
      ports: {
        documents: new MemoryDocumentStore(),
        events: new MemoryEventQueue(),
        notifier: new MemoryNotifier(),
      },
      auth: issuer.verifierSettings,
      logError: () => {},
    });
    const customer = `Bearer ${issuer.customerToken('c-1')}`;
    /** What the core makes of a request: who it lets through. */
    const coreAccess = async (method: string, path: string) => {
      const call = (authorization?: string) =>
        app.handleHttp({
          method,
          path,
          query: new URLSearchParams(),
          headers: authorization ? { authorization } : {},
        });
      if ((await call()).status !== 401) return 'public';
      return (await call(customer)).status === 403 ? 'admin' : 'customer';
    };
    const requests: [string, string][] = [
      ['GET', '/health'],
      ['POST', '/carts'],
      ['GET', '/carts/aws-c1'],
      ['PUT', '/carts/aws-c1/items/MUG'],
      ['DELETE', '/carts/aws-c1/items/MUG'],
      ['POST', '/carts/aws-c1/checkout'],
      ['POST', '/orders'],
      ['GET', '/orders/aws-o1'],
      ['GET', '/inventory/MUG'],
      ['PUT', '/inventory/MUG'],
      ['POST', '/inventory/MUG/reserve'],
      ['POST', '/inventory/MUG/release'],
      ['POST', '/inventory/MUG/transfers'],
      ['POST', '/inventory/MUG/incoming-transfers'],
      // No token at the edge; the core admits only a call signed with the peer key.
      ['PUT', '/replicas/carts/azure-c1'],
    ];
    for (const [method, path] of requests) {
      const edge = routeFor(method, path)?.access;
      expect({ request: `${method} ${path}`, edge }).toEqual({
        request: `${method} ${path}`,
        edge: await coreAccess(method, path),
      });
    }
  });
});
