import { createHash } from 'node:crypto';
import { badRequest, HttpProblem } from '../errors.js';
import { jsonResponse, type CoreRequest, type CoreResponse } from '../http-types.js';
import type { OrderDocument } from '../order-service.js';
import type { Route } from '../router.js';
import { orderLines, parseJsonObject } from '../validation.js';
import { orderingCustomer } from './caller.js';
import type { RouteContext } from './route-context.js';

const idempotencyKeyPattern = /^[\x21-\x7e]{1,128}$/;

/**
 * The cell that places the order of an Idempotency-Key (ADR 18): chosen by a hash of the
 * customer and the key over both cell names in sorted order, so both cells pick the same one
 * and a retry that crosses clouds lands on the order the first attempt made.
 */
export function idempotencyHome(customerId: string, key: string, cells: readonly string[]): string {
  const sorted = [...cells].sort();
  const digest = createHash('sha256').update(`${customerId}\n${key}`).digest();
  return sorted[(digest[0] as number) % sorted.length] as string;
}

export function orderRoutes({ orders, homed, cell, peerCell, forwarder }: RouteContext): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/orders$/,
      access: 'customer',
      handler: async (request, _params, caller) => {
        const key = request.headers['idempotency-key'];
        if (key === undefined || !idempotencyKeyPattern.test(key)) {
          throw badRequest(
            'Idempotency-Key',
            'the Idempotency-Key header is required: 1 to 128 visible ASCII characters, unique per order (a UUID works)',
          );
        }
        const body = parseJsonObject(request.body);
        const customerId = orderingCustomer(body, caller);
        const items = orderLines(body.items);
        if (idempotencyHome(customerId, key, [cell, peerCell]) !== cell) {
          return forwardToKeyHome(forwarder, request, peerCell);
        }
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
      access: 'customer',
      handler: homed('id', async (_request, params, caller) =>
        jsonResponse(200, publicOrder(await orders.get(params.id as string, caller.subject))),
      ),
    },
  ];
}

/**
 * The key's home cell places the order. While it cannot be reached, the order is refused with
 * 503 and Retry-After, never placed here: a second order for the same key is worse than a late
 * one (ADR 18).
 */
async function forwardToKeyHome(
  forwarder: RouteContext['forwarder'],
  request: CoreRequest,
  homeCell: string,
): Promise<CoreResponse> {
  try {
    return await forwarder.forward(request);
  } catch (error) {
    if (!(error instanceof HttpProblem) || error.status === 508) throw error;
    throw new HttpProblem(
      503,
      'idempotency_home_unreachable',
      `orders with this Idempotency-Key are placed by cell ${homeCell}, which cannot be reached (${error.message}); retry the same request later: it will not create a second order`,
      'Idempotency-Key',
      { homeCell },
      { 'retry-after': '5' },
    );
  }
}

/** 201 with Location for a new order, 200 marked idempotent-replayed for an earlier one. */
export function orderResponse(order: OrderDocument, created: boolean): CoreResponse {
  return jsonResponse(created ? 201 : 200, publicOrder(order), {
    location: `/orders/${order.id}`,
    ...(created ? {} : { 'idempotent-replayed': 'true' }),
  });
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
