import type { CartView } from '../cart-service.js';
import { jsonResponse } from '../http-types.js';
import type { Route } from '../router.js';
import { integerField, knownSku, parseJsonObject, quantityLimits } from '../validation.js';
import { optionalJsonObject, orderingCustomer } from './caller.js';
import { orderResponse } from './order-routes.js';
import type { RouteContext } from './route-context.js';

/** Every cart route is the caller's own: carts are kept per token subject (CartService). */
export function cartRoutes({ carts, homed }: RouteContext): Route[] {
  const cartResponse = (status: number, cart: CartView) =>
    jsonResponse(status, cart, { etag: cart.etag });
  return [
    {
      method: 'POST',
      pattern: /^\/carts$/,
      access: 'customer',
      handler: async (_request, _params, caller) =>
        cartResponse(201, await carts.create(caller.subject)),
    },
    {
      method: 'GET',
      pattern: /^\/carts\/(?<id>[^/]+)$/,
      access: 'customer',
      handler: homed('id', async (_request, params, caller) =>
        cartResponse(200, await carts.get(params.id as string, caller.subject)),
      ),
    },
    {
      method: 'PUT',
      pattern: /^\/carts\/(?<id>[^/]+)\/items\/(?<sku>[^/]+)$/,
      access: 'customer',
      handler: homed(
        'id',
        async (request, params, caller) => {
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
            caller.subject,
            sku,
            quantity,
            request.headers['if-match'],
          );
          return cartResponse(200, cart);
        },
        'edit',
      ),
    },
    {
      method: 'DELETE',
      pattern: /^\/carts\/(?<id>[^/]+)\/items\/(?<sku>[^/]+)$/,
      access: 'customer',
      handler: homed(
        'id',
        async (request, params, caller) => {
          const sku = knownSku(params.sku, 'sku').sku;
          const cart = await carts.removeItem(
            params.id as string,
            caller.subject,
            sku,
            request.headers['if-match'],
          );
          return cartResponse(200, cart);
        },
        'edit',
      ),
    },
    {
      method: 'POST',
      pattern: /^\/carts\/(?<id>[^/]+)\/checkout$/,
      access: 'customer',
      handler: homed(
        'id',
        async (request, params, caller) => {
          const customerId = orderingCustomer(optionalJsonObject(request.body), caller);
          const placed = await carts.checkout(params.id as string, customerId);
          return orderResponse(placed.order, placed.created);
        },
        'checkout',
      ),
    },
  ];
}
