import { CartService, type CartView } from './cart-service.js';
import { DependencyError, guardPorts } from './dependency-guard.js';
import { HttpProblem, badRequest } from './errors.js';
import { checkHealth, type CellIdentity } from './health.js';
import { jsonResponse, type CoreRequest, type CoreResponse } from './http-types.js';
import { parseId } from './ids.js';
import { InventoryService, allocationLimit, type InventoryView } from './inventory-service.js';
import { OrderEventConsumer } from './order-events.js';
import { OrderService, type OrderDocument } from './order-service.js';
import { PeerForwarder, forwardedFromHeader, type PeerSettings } from './peer-forwarder.js';
import type { Ports } from './ports.js';
import {
  customerIdField,
  integerField,
  knownSku,
  orderLines,
  parseJsonObject,
  quantityLimits,
} from './validation.js';

export interface CellAppOptions {
  readonly identity: CellIdentity;
  readonly peer: PeerSettings;
  readonly ports: Ports;
  readonly now?: () => Date;
  readonly healthTimeoutMs?: number;
  /** Where unexpected errors are reported (never sent to the client). */
  readonly logError?: (message: string, error: unknown) => void;
  readonly fetch?: typeof fetch;
}

/** The whole workload of one cell, independent of any cloud. */
export interface CellApp {
  readonly identity: CellIdentity;
  handleHttp(request: CoreRequest): Promise<CoreResponse>;
  readonly orderEvents: OrderEventConsumer;
  readonly carts: CartService;
  readonly orders: OrderService;
  readonly inventory: InventoryService;
}

type Params = Record<string, string>;
type RouteHandler = (request: CoreRequest, params: Params) => Promise<CoreResponse>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: RouteHandler;
}

const idempotencyKeyPattern = /^[\x21-\x7e]{1,128}$/;
const transferIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

function transferIdField(value: unknown): string {
  if (typeof value !== 'string' || !transferIdPattern.test(value)) {
    throw badRequest(
      'transferId',
      'transferId must be 1 to 64 letters, digits, _ or -, chosen by the caller and reused on a retry',
    );
  }
  return value;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function createCellApp(options: CellAppOptions): CellApp {
  const { identity } = options;
  const ports = guardPorts(options.ports);
  const cell = identity.cell;
  const now = options.now ?? (() => new Date());
  const knownCells = [cell, options.peer.cell];
  const inventory = new InventoryService(ports.documents, cell, now);
  const orders = new OrderService(ports.documents, ports.events, inventory, cell, now);
  const carts = new CartService(ports.documents, orders, cell, now);
  const orderEvents = new OrderEventConsumer(ports.documents, ports.notifier, cell, now);
  const forwarder = new PeerForwarder(cell, options.peer, options.fetch);
  const logError =
    options.logError ??
    ((message, error) =>
      error === undefined ? console.error(message) : console.error(message, error));

  /** Serves ids of this cell here and sends the peer's to the peer. */
  const homed =
    (field: string, handler: RouteHandler): RouteHandler =>
    async (request, params) => {
      const parsed = parseId(params[field] as string, field, knownCells);
      return parsed.cell === cell ? handler(request, params) : forwarder.forward(request);
    };

  const cartResponse = (status: number, cart: CartView) =>
    jsonResponse(status, cart, { etag: cart.etag });
  const inventoryResponse = (view: InventoryView) =>
    jsonResponse(200, view, view.etag ? { etag: view.etag } : {});
  const orderResponse = (order: OrderDocument, created: boolean) =>
    jsonResponse(created ? 201 : 200, publicOrder(order), {
      location: `/orders/${order.id}`,
      ...(created ? {} : { 'idempotent-replayed': 'true' }),
    });

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/health$/,
      handler: async () => {
        const report = await checkHealth(identity, ports, options.healthTimeoutMs ?? 2000);
        return jsonResponse(report.status === 'ok' ? 200 : 503, report);
      },
    },
    {
      method: 'POST',
      pattern: /^\/carts$/,
      handler: async () => {
        const cart = await carts.create();
        return cartResponse(201, cart);
      },
    },
    {
      method: 'GET',
      pattern: /^\/carts\/(?<id>[^/]+)$/,
      handler: homed('id', async (_request, params) =>
        cartResponse(200, await carts.get(params.id as string)),
      ),
    },
    {
      method: 'PUT',
      pattern: /^\/carts\/(?<id>[^/]+)\/items\/(?<sku>[^/]+)$/,
      handler: homed('id', async (request, params) => {
        const sku = knownSku(params.sku, 'sku').sku;
        const body = parseJsonObject(request.body);
        const quantity = integerField(
          body.quantity,
          'quantity',
          quantityLimits.min,
          quantityLimits.max,
        );
        const cart = await carts.putItem(
          params.id as string,
          sku,
          quantity,
          request.headers['if-match'],
        );
        return cartResponse(200, cart);
      }),
    },
    {
      method: 'DELETE',
      pattern: /^\/carts\/(?<id>[^/]+)\/items\/(?<sku>[^/]+)$/,
      handler: homed('id', async (request, params) => {
        const sku = knownSku(params.sku, 'sku').sku;
        const cart = await carts.removeItem(params.id as string, sku, request.headers['if-match']);
        return cartResponse(200, cart);
      }),
    },
    {
      method: 'POST',
      pattern: /^\/carts\/(?<id>[^/]+)\/checkout$/,
      handler: homed('id', async (request, params) => {
        const body = parseJsonObject(request.body);
        const customerId = customerIdField(body.customerId);
        const placed = await carts.checkout(params.id as string, customerId);
        return orderResponse(placed.order, placed.created);
      }),
    },
    {
      method: 'POST',
      pattern: /^\/orders$/,
      handler: async (request) => {
        const key = request.headers['idempotency-key'];
        if (key === undefined || !idempotencyKeyPattern.test(key)) {
          throw badRequest(
            'Idempotency-Key',
            'the Idempotency-Key header is required: 1 to 128 visible ASCII characters, unique per order (a UUID works)',
          );
        }
        const body = parseJsonObject(request.body);
        const customerId = customerIdField(body.customerId);
        const items = orderLines(body.items);
        const placed = await orders.place({
          idempotencyKey: key,
          customerId,
          items,
          source: { kind: 'api' },
        });
        return orderResponse(placed.order, placed.created);
      },
    },
    {
      method: 'GET',
      pattern: /^\/orders\/(?<id>[^/]+)$/,
      handler: homed('id', async (_request, params) =>
        jsonResponse(200, publicOrder(await orders.get(params.id as string))),
      ),
    },
    {
      method: 'GET',
      pattern: /^\/inventory\/(?<sku>[^/]+)$/,
      handler: async (_request, params) => {
        const item = knownSku(params.sku, 'sku');
        return inventoryResponse(await inventory.get(item.sku));
      },
    },
    {
      method: 'PUT',
      pattern: /^\/inventory\/(?<sku>[^/]+)$/,
      handler: async (request, params) => {
        const item = knownSku(params.sku, 'sku');
        const body = parseJsonObject(request.body);
        const allocation = integerField(body.allocation, 'allocation', 0, allocationLimit);
        return inventoryResponse(
          await inventory.setAllocation(item.sku, allocation, request.headers['if-match']),
        );
      },
    },
    {
      method: 'POST',
      pattern: /^\/inventory\/(?<sku>[^/]+)\/(?<action>reserve|release)$/,
      handler: async (request, params) => {
        const item = knownSku(params.sku, 'sku');
        const body = parseJsonObject(request.body);
        const quantity = integerField(body.quantity, 'quantity', 1, allocationLimit);
        const view =
          params.action === 'reserve'
            ? await inventory.reserve(item.sku, quantity)
            : await inventory.release(item.sku, quantity);
        return inventoryResponse(view);
      },
    },
    {
      // Admin: move allocation to the peer cell. Like PUT /inventory, unauthenticated in this
      // sample: put it behind the platform's auth in production.
      method: 'POST',
      pattern: /^\/inventory\/(?<sku>[^/]+)\/transfers$/,
      handler: async (request, params) => {
        const item = knownSku(params.sku, 'sku');
        const body = parseJsonObject(request.body);
        const transferId = transferIdField(body.transferId);
        if (body.toCell !== options.peer.cell) {
          throw badRequest('toCell', `toCell must be '${options.peer.cell}', the peer cell`);
        }
        const quantity = integerField(body.quantity, 'quantity', 1, allocationLimit);
        const from = await inventory.transferOut(item.sku, transferId, options.peer.cell, quantity);
        const pending = (reason: string) =>
          new HttpProblem(
            502,
            'transfer_pending',
            `${quantity} of ${item.sku} left cell ${cell} but ${reason}; retry the same request to deliver them`,
            undefined,
            { transferId, peerCell: options.peer.cell },
          );
        let delivered: CoreResponse;
        try {
          delivered = await forwarder.forward({
            method: 'POST',
            path: `/inventory/${encodeURIComponent(item.sku)}/incoming-transfers`,
            query: new URLSearchParams(),
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ transferId, fromCell: cell, quantity }),
          });
        } catch (error) {
          throw error instanceof HttpProblem ? pending(error.message) : error;
        }
        if (delivered.status !== 200) {
          throw pending(`cell ${options.peer.cell} answered ${delivered.status}`);
        }
        return jsonResponse(200, {
          transferId,
          sku: item.sku,
          quantity,
          from,
          to: parseJsonOrText(delivered.body),
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/inventory\/(?<sku>[^/]+)\/incoming-transfers$/,
      handler: async (request, params) => {
        if (request.headers[forwardedFromHeader] !== options.peer.cell) {
          throw new HttpProblem(
            403,
            'not_from_peer',
            `incoming transfers are accepted only from cell ${options.peer.cell}; use POST /inventory/{sku}/transfers on that cell`,
            forwardedFromHeader,
          );
        }
        const item = knownSku(params.sku, 'sku');
        const body = parseJsonObject(request.body);
        const transferId = transferIdField(body.transferId);
        if (body.fromCell !== options.peer.cell) {
          throw badRequest('fromCell', `fromCell must be '${options.peer.cell}', the peer cell`);
        }
        const quantity = integerField(body.quantity, 'quantity', 1, allocationLimit);
        return inventoryResponse(
          await inventory.transferIn(item.sku, transferId, options.peer.cell, quantity),
        );
      },
    },
  ];

  async function handleHttp(request: CoreRequest): Promise<CoreResponse> {
    const cellHeader = { 'x-cell': cell };
    try {
      const path = request.path.length > 1 ? request.path.replace(/\/+$/, '') : request.path;
      const method = request.method.toUpperCase();
      let allowed: string[] = [];
      for (const route of routes) {
        const match = route.pattern.exec(path);
        if (!match) continue;
        if (route.method !== method) {
          allowed.push(route.method);
          continue;
        }
        const params = decodeParams(match.groups ?? {});
        const response = await route.handler(request, params);
        return { ...response, headers: { ...cellHeader, ...response.headers } };
      }
      allowed = [...new Set(allowed)];
      if (allowed.length > 0) {
        return jsonResponse(
          405,
          {
            error: `${method} is not allowed on ${path}: use ${allowed.join(' or ')}`,
            code: 'method_not_allowed',
          },
          { ...cellHeader, allow: allowed.join(', ') },
        );
      }
      return jsonResponse(
        404,
        { error: `no route for ${method} ${path}`, code: 'route_not_found' },
        cellHeader,
      );
    } catch (error) {
      if (error instanceof HttpProblem) {
        return jsonResponse(error.status, error.toBody(), { ...cellHeader, ...error.headers });
      }
      if (error instanceof DependencyError) {
        logError(`cell ${cell}: ${request.method} ${request.path}: ${error.message}`, undefined);
        return jsonResponse(
          503,
          {
            error: `a service this cell depends on (${error.dependency}) is unavailable; retry`,
            code: 'dependency_unavailable',
            dependency: error.dependency,
          },
          { ...cellHeader, 'retry-after': '1' },
        );
      }
      logError(`cell ${cell}: ${request.method} ${request.path} failed`, error);
      return jsonResponse(500, { error: 'internal error', code: 'internal' }, cellHeader);
    }
  }

  return { identity, handleHttp, orderEvents, carts, orders, inventory };
}

function decodeParams(groups: Record<string, string | undefined>): Params {
  const params: Params = {};
  for (const [name, value] of Object.entries(groups)) {
    if (value === undefined) continue;
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      throw badRequest(name, `${name} in the path is not valid percent-encoding`);
    }
  }
  return params;
}

/** The order as clients see it: internal bookkeeping stays in the store. */
function publicOrder(order: OrderDocument) {
  return {
    id: order.id,
    cell: order.cell,
    customerId: order.customerId,
    items: order.items,
    totalCents: order.totalCents,
    status: order.status,
    source: order.source,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}
