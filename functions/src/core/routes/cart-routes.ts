import type { CartView } from '../cart-service.js';
import { jsonResponse } from '../http-types.js';
import type { Route } from '../router.js';
import {
  customerIdField,
  integerField,
  knownSku,
  parseJsonObject,
  quantityLimits,
} from '../validation.js';
import { orderResponse } from './order-routes.js';
import type { RouteContext } from './route-context.js';

export function cartRoutes({ carts, homed }: RouteContext): Route[] {
  const cartResponse = (status: number, cart: CartView) =>
    jsonResponse(status, cart, { etag: cart.etag });
  return [
    {
      method: 'POST',
      pattern: /^\/carts$/,
      handler: async () => cartResponse(201, await carts.create()),
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
  ];
}
