import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { ApiGatewayHost, type LambdaRoute } from '../src/aws/api-gateway-host.js';
import { fromApiGatewayV2Result, toApiGatewayV2Event } from '../src/aws/api-gateway-event.js';
import { RouteTable } from '../src/aws/route-table.js';
import { httpApiEvent } from '../../functions/test/support/lambda-events.js';

describe('API Gateway HTTP API payload 2.0 events', () => {
  // The project's documented-shape event (lambda-event-shapes.test.ts checks it against real
  // ones when the corpus is beside the checkout).
  it('has every top-level and requestContext key of an HTTP API event', () => {
    const real = httpApiEvent() as unknown as Record<string, unknown>;
    const event = toApiGatewayV2Event(
      {
        method: 'GET',
        url: '/',
        headers: { host: 'x', 'user-agent': 'curl/8' },
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
        httpVersion: '1.1',
      },
      { routeKey: '$default' },
      { apiId: 'sandbox', accountId: '000000000000' },
    ) as unknown as Record<string, unknown>;
    expect(Object.keys(event).sort()).toEqual(Object.keys(real).sort());
    const realContext = Object.keys(real.requestContext as object).filter(
      (k) => k !== 'authentication',
    );
    expect(Object.keys(event.requestContext as object).sort()).toEqual(realContext.sort());
    expect(Object.keys((event.requestContext as { http: object }).http).sort()).toEqual(
      Object.keys((real.requestContext as { http: object }).http).sort(),
    );
    expect((event.requestContext as { time: string }).time).toMatch(
      /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/,
    );
  });

  it('lowercases headers, moves cookies out, joins repeated query values and base64-encodes binary bodies', () => {
    const event = toApiGatewayV2Event(
      {
        method: 'POST',
        url: '/carts/aws-1/items/sku-1?a=1&a=2&b=x%20y',
        headers: {
          'Content-Type': 'application/octet-stream',
          cookie: 'c1=v1; c2=v2',
          'X-Thing': ['p', 'q'],
        } as never,
        body: Buffer.from([0, 1, 2, 255]),
        sourceIp: '127.0.0.1',
        httpVersion: '1.1',
      },
      { routeKey: 'POST /carts/{id}/items/{sku}', pathParameters: { id: 'aws-1', sku: 'sku-1' } },
      { apiId: 'sandbox', accountId: '000000000000' },
    );
    expect(event.headers['content-type']).toBe('application/octet-stream');
    expect(event.headers['x-thing']).toBe('p,q');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['c1=v1', 'c2=v2']);
    expect(event.rawQueryString).toBe('a=1&a=2&b=x%20y');
    expect(event.queryStringParameters).toEqual({ a: '1,2', b: 'x y' });
    expect(event.pathParameters).toEqual({ id: 'aws-1', sku: 'sku-1' });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('infers a 200 JSON response when the handler returns a plain value', () => {
    const inferred = fromApiGatewayV2Result({ hello: 'world' });
    expect(inferred.statusCode).toBe(200);
    expect(inferred.headers['content-type']).toBe('application/json');
    expect(JSON.parse(inferred.body.toString())).toEqual({ hello: 'world' });
    const full = fromApiGatewayV2Result({
      statusCode: 201,
      headers: { ETag: '"1"' },
      body: 'aGk=',
      isBase64Encoded: true,
      cookies: ['a=b'],
    });
    expect(full).toEqual({
      statusCode: 201,
      headers: { etag: '"1"', 'set-cookie': ['a=b'] },
      body: Buffer.from('hi'),
    });
  });
});

describe('route selection', () => {
  const table = new RouteTable<string>([
    ['GET /carts/{id}', 'get-cart'],
    ['GET /carts/mine', 'my-cart'],
    ['ANY /admin/{proxy+}', 'admin'],
    ['$default', 'fallback'],
  ]);

  it('prefers literal segments, then parameters, then greedy paths, then $default', () => {
    expect(table.match('GET', '/carts/mine')?.target).toBe('my-cart');
    expect(table.match('GET', '/carts/aws-1')).toEqual({
      routeKey: 'GET /carts/{id}',
      target: 'get-cart',
      pathParameters: { id: 'aws-1' },
    });
    expect(table.match('DELETE', '/admin/a/b')?.pathParameters).toEqual({ proxy: 'a/b' });
    expect(table.match('POST', '/carts/aws-1')?.routeKey).toBe('$default');
  });

  it('rejects a route key that API Gateway would reject', () => {
    expect(() => new RouteTable([['carts', 'x']])).toThrow(/"METHOD \/path"/);
  });
});

describe('ApiGatewayHost', () => {
  const host = new ApiGatewayHost({ region: 'us-east-1' });
  const seen: unknown[] = [];
  const routes: LambdaRoute[] = [
    {
      routeKey: 'PUT /carts/{id}',
      functionName: 'cart',
      handler: ((
        event: {
          pathParameters: Record<string, string>;
          body: string;
          headers: Record<string, string>;
        },
        context: { functionVersion: string },
      ) => {
        seen.push(event);
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            id: event.pathParameters.id,
            body: JSON.parse(event.body),
            version: context.functionVersion,
            idem: event.headers['idempotency-key'],
          }),
        };
      }) as never,
    },
    {
      routeKey: 'GET /boom',
      functionName: 'boom',
      handler: (() => {
        throw new Error('kaput');
      }) as never,
    },
  ];

  beforeAll(async () => {
    host.deploy('1.0.0', routes);
    await host.listen(0, '--aws-port');
  });
  afterAll(() => host.close());

  it('turns an HTTP request into a payload 2.0 event and the result into the response', async () => {
    const response = await fetch(`${host.url}/carts/aws-7`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': 'k1' },
      body: JSON.stringify({ quantity: 2 }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
    expect(await response.json()).toEqual({
      id: 'aws-7',
      body: { quantity: 2 },
      version: '1.0.0',
      idem: 'k1',
    });
    expect(seen[0]).toMatchObject({
      version: '2.0',
      routeKey: 'PUT /carts/{id}',
      rawPath: '/carts/aws-7',
      isBase64Encoded: false,
    });
  });

  it('answers 404 {"message":"Not Found"} for no route and 500 for a failing function, as API Gateway does', async () => {
    const missing = await fetch(`${host.url}/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Not Found' });
    const failing = await fetch(`${host.url}/boom`);
    expect(failing.status).toBe(500);
    expect(await failing.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('swaps to a new deployment in one step and answers 503 while none is deployed', async () => {
    host.undeploy();
    expect((await fetch(`${host.url}/carts/x`, { method: 'PUT', body: '{}' })).status).toBe(503);
    host.deploy('2.0.0', routes);
    const response = await fetch(`${host.url}/carts/x`, {
      method: 'PUT',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(((await response.json()) as { version: string }).version).toBe('2.0.0');
  });
});
