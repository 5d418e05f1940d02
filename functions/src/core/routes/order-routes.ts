import { badRequest } from '../errors.js';
import { jsonResponse, type CoreResponse } from '../http-types.js';
import type { OrderDocument } from '../order-service.js';
import type { Route } from '../router.js';
import { orderLines, parseJsonObject } from '../validation.js';
import { orderingCustomer } from './caller.js';
import type { RouteContext } from './route-context.js';

const idempotencyKeyPattern = /^[\x21-\x7e]{1,128}$/;

export function orderRoutes({ orders, homed }: RouteContext): Route[] {
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
