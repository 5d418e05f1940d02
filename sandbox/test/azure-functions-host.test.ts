import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HttpRequest, InvocationContext } from '@azure/functions';

import { compileRoute, FunctionsHost } from '../src/azure/functions-host.js';

describe('Azure Functions route templates', () => {
  it('matches parameters, optional and catch-all segments under the route prefix', () => {
    const route = compileRoute('', 'carts/{id}/items/{sku:alpha}');
    expect(route.pattern.exec('/carts/azure-1/items/sku-9')?.slice(1)).toEqual([
      'azure-1',
      'sku-9',
    ]);
    expect(route.pattern.test('/carts/azure-1')).toBe(false);
    expect(compileRoute('api', 'health').pattern.test('/api/health')).toBe(true);
    expect(compileRoute('', 'files/{*rest}').pattern.exec('/files/a/b')?.[1]).toBe('a/b');
    expect(compileRoute('', 'orders/{id?}').pattern.test('/orders')).toBe(true);
  });
});

describe('FunctionsHost', () => {
  const host = new FunctionsHost({ routePrefix: '' });
  beforeAll(async () => {
    host.deploy('1.0.0', [
      {
        name: 'putItem',
        methods: ['PUT'],
        route: 'carts/{id}/items/{sku}',
        handler: async (request: HttpRequest, context: InvocationContext) => ({
          status: 201,
          jsonBody: {
            params: request.params,
            body: await request.json(),
            query: request.query.get('q'),
            header: request.headers.get('idempotency-key'),
            functionName: context.functionName,
            invocationId: context.invocationId,
          },
          headers: { etag: '"7"' },
        }),
      },
      {
        name: 'carts',
        methods: ['GET'],
        route: 'carts/mine',
        handler: async () => ({ body: 'mine' }),
      },
      {
        name: 'cart',
        methods: ['GET'],
        route: 'carts/{id}',
        handler: async () => ({ body: 'by id' }),
      },
      {
        name: 'crash',
        methods: ['GET'],
        route: 'crash',
        handler: async () => {
          throw new Error('kaput');
        },
      },
    ]);
    await host.listen(0, '--azure-port');
  });
  afterAll(() => host.close());

  it('invokes the handler with a real HttpRequest and InvocationContext and writes its HttpResponseInit', async () => {
    const response = await fetch(`${host.url}/carts/azure-3/items/sku-1?q=yes`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k9' },
      body: JSON.stringify({ quantity: 3 }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('etag')).toBe('"7"');
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      params: { id: 'azure-3', sku: 'sku-1' },
      body: { quantity: 3 },
      query: 'yes',
      header: 'k9',
      functionName: 'putItem',
    });
    expect(body.invocationId).toBe(response.headers.get('x-ms-invocation-id'));
  });

  it('prefers literal routes, answers 404 for no route or method and 500 for a throwing function', async () => {
    expect(await (await fetch(`${host.url}/carts/mine`)).text()).toBe('mine');
    expect(await (await fetch(`${host.url}/carts/x`)).text()).toBe('by id');
    expect((await fetch(`${host.url}/nope`)).status).toBe(404);
    expect((await fetch(`${host.url}/carts/x`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${host.url}/crash`)).status).toBe(500);
  });
});
