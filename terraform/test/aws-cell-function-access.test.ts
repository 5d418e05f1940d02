// The aws-cell module's routes and per-function IAM, held against what the functions really do:
// each request of the workload goes to the Lambda the module's API Gateway routes pick, and
// runs the real cell core on in-memory ports that refuse what that Lambda's role does not
// allow (S3 key prefixes, s3:ListBucket, queue send, notify), as AWS would with AccessDenied.
import { testPeerSettings } from '../../functions/test/support/peer-key.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOidcIssuer, type OidcIssuer } from '../../stand-ins/src/oidc-issuer/index.js';
import { createCellApp } from '../../functions/src/core/cell-app.js';
import { consumeBatch } from '../../functions/src/core/order-events.js';
import type {
  DocumentStore,
  EventQueue,
  Notifier,
  OrderPlacedEvent,
} from '../../functions/src/core/ports.js';
import {
  MemoryDocumentStore,
  MemoryEventQueue,
  MemoryNotifier,
} from '../../functions/src/memory/memory-adapters.js';
import {
  asBodies,
  loadModule,
  type Body,
  type TerraformModule,
} from './support/terraform-module.js';

interface FunctionAccess {
  readonly s3_prefixes: string[];
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
 * action: its statements are static or `dynamic` with a `for_each` on one of the function's
 * settings (`each.value.x ? [1] : []`, `length(each.value.x) > 0 ? [1] : []`).
 */
function grants(name: string, action: string): boolean {
  const access = functions[name] as FunctionAccess;
  const policy = (module.data.get('aws_iam_policy_document.functions')?.body ?? {}) as Body;
  const statements: { content: Body; forEach?: string }[] = [
    ...asBodies(policy.statement).map((content) => ({ content })),
    ...asBodies(policy.dynamic)
      .flatMap((dynamic) => asBodies(dynamic.statement))
      .map((block) => ({
        content: asBodies(block.content)[0] as Body,
        forEach: block.for_each as string,
      })),
  ];
  return statements.some(({ content, forEach }) => {
    if (!(content.actions as string[]).includes(action)) return false;
    if (forEach === undefined) return true;
    const flag = /^\$\{each\.value\.(\w+) \? \[1\] : \[\]\}$/.exec(forEach)?.[1];
    if (flag) return access[flag] === true;
    const list = /^\$\{length\(each\.value\.(\w+)\) > 0 \? \[1\] : \[\]\}$/.exec(forEach)?.[1];
    if (list) return (access[list] as unknown[]).length > 0;
    throw new Error(`unknown for_each form in the functions policy: ${forEach}`);
  });
}

/** The cell's ports as one Lambda's role sees them, refusing what AWS would refuse. */
function portsOf(
  name: string,
  shared: { documents: MemoryDocumentStore; events: MemoryEventQueue; notifier: MemoryNotifier },
) {
  const access = functions[name] as FunctionAccess;
  const allowed = (action: string, what: string) => {
    if (!grants(name, action)) throw new AccessDenied(`${name} may not ${action} (${what})`);
  };
  const object = (action: string, key: string) => {
    allowed(action, key);
    if (!access.s3_prefixes.some((prefix) => key.startsWith(prefix)))
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
  };
  const events: EventQueue = {
    publish: async (event, options) => {
      allowed('sqs:SendMessage', event.id);
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
  return { documents, events, notifier };
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
    // Inventory writes as the admin; the rest as the customer the body names, else c-1.
    const tokenFor = (method: string, path: string, body: unknown, customer?: string) =>
      path.startsWith('/inventory/') && method !== 'GET'
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
    ];
    const expected = [200, 200, 200, 200, 201, 404, 200, 200, 200, 201, 201, 404, 200];
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
