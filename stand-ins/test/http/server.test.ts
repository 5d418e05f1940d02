import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import {
  HttpError,
  compilePathPattern,
  json,
  startStandInServer,
  type StandInServer,
} from '../../src/http/server.js';
import { createTestCertificate } from '../../src/http/test-certificate.js';

describe('compilePathPattern', () => {
  it('matches named segments and decodes them', () => {
    const match = compilePathPattern('/repos/:owner/:repo/issues/:number');
    expect(match('/repos/octo%20cat/hello/issues/7')).toEqual({
      owner: 'octo cat',
      repo: 'hello',
      number: '7',
    });
    expect(match('/repos/octo/hello/issues')).toBeUndefined();
    expect(match('/repos/octo/hello/issues/7/comments')).toBeUndefined();
    expect(match('/repos//hello/issues/7')).toBeUndefined();
  });

  it('matches a trailing wildcard and regular expressions', () => {
    expect(compilePathPattern('/files/*')('/files/a/b/c')).toEqual({ '*': 'a/b/c' });
    expect(compilePathPattern('/files/*')('/other/a')).toBeUndefined();
    expect(compilePathPattern(/^\/zones\/(?<zone>[^/]+)$/)('/zones/Z1')).toEqual({ zone: 'Z1' });
  });
});

describe('startStandInServer', () => {
  let server: StandInServer;

  beforeAll(async () => {
    server = await startStandInServer({
      name: 'test',
      routes: [
        {
          method: 'GET',
          path: '/items/:id',
          handler: (req) => json(200, { id: req.params.id, q: req.query.get('q') }),
        },
        {
          method: 'POST',
          path: '/items',
          handler: (req) => {
            const body = req.json<{ name?: string }>();
            if (!body.name) throw new HttpError(422, { message: 'name is required' });
            return json(201, { name: body.name }, { location: '/items/1' });
          },
        },
        { method: 'GET', path: '/text', handler: () => ({ status: 200, body: 'plain' }) },
        {
          method: 'GET',
          path: '/broken',
          handler: () => {
            throw new Error('boom');
          },
        },
      ],
    });
  });

  afterEach(() => {
    server.clearFaults();
    server.clearRequests();
  });

  afterAll(async () => {
    await server.close();
  });

  it('listens on loopback and routes with params and query', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/items/42?q=x`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ id: '42', q: 'x' });
  });

  it('reads JSON bodies, turns HttpError into its response and records every request', async () => {
    const created = await fetch(`${server.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'yes' },
      body: JSON.stringify({ name: 'a' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/items/1');

    const invalid = await fetch(`${server.url}/items`, { method: 'POST', body: '{}' });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({ message: 'name is required' });

    const notJson = await fetch(`${server.url}/items`, { method: 'POST', body: 'nope' });
    expect(notJson.status).toBe(400);

    expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/items', 201],
      ['POST', '/items', 422],
      ['POST', '/items', 400],
    ]);
    const [first] = server.requests;
    if (!first) throw new Error('no request recorded');
    expect(first.body).toBe('{"name":"a"}');
    expect(first.headers['x-test']).toBe('yes');
    expect(first.responseBody).toBe('{"name":"a"}');
    expect(first.startedAt).toBeInstanceOf(Date);
    expect(first.fault).toBe(false);
  });

  it('answers 404 for unknown routes and 500 naming the error for a handler bug', async () => {
    const missing = await fetch(`${server.url}/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Not Found' });
    const wrongMethod = await fetch(`${server.url}/text`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
    const broken = await fetch(`${server.url}/broken`);
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as { message: string }).message).toContain('boom');
    expect(await (await fetch(`${server.url}/text`)).text()).toBe('plain');
  });

  it('injects a fault for N matching requests, then serves normally', async () => {
    const fault = server.injectFault({
      method: 'GET',
      path: '/items/:id',
      status: 503,
      headers: { 'retry-after': '1' },
      body: { message: 'Service Unavailable' },
      times: 2,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${server.url}/items/1`)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(fault.hits).toBe(2);
    expect(fault.remaining).toBe(0);
    expect(server.requests.map((r) => r.fault)).toEqual([true, true, false]);
    // Other methods and paths are not affected.
    server.injectFault({ method: 'POST', path: '/items/*', status: 500, times: Infinity });
    expect((await fetch(`${server.url}/items/1`)).status).toBe(200);
  });

  it('returns the fault headers and body', async () => {
    server.injectFault({
      path: /^\/text$/,
      status: 429,
      headers: { 'retry-after': '7' },
      body: 'slow down',
    });
    const response = await fetch(`${server.url}/text`);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.text()).toBe('slow down');
  });

  it('drops the connection without a response', async () => {
    server.injectFault({ path: '/text', drop: true });
    await expect(fetch(`${server.url}/text`)).rejects.toThrow();
    expect(server.requests[0]?.status).toBe(0);
    expect((await fetch(`${server.url}/text`)).status).toBe(200);
  });

  it('lets the route run and then drops its answer (a committed write whose answer is lost)', async () => {
    const commits: string[] = [];
    server.addRoute({
      method: 'PUT',
      path: '/commits/:id',
      handler: (req) => {
        commits.push(req.params.id as string);
        return json(200, { committed: req.params.id });
      },
    });
    server.injectFault({ method: 'PUT', path: '/commits/:id', dropAnswer: true });
    await expect(fetch(`${server.url}/commits/a`, { method: 'PUT' })).rejects.toThrow();
    expect(commits).toEqual(['a']);
    expect(server.requests[0]).toMatchObject({ status: 0, fault: true });
    expect(server.requests[0]?.responseBody).toMatch(/answer 200 dropped/);
    const again = await fetch(`${server.url}/commits/b`, { method: 'PUT' });
    expect(again.status).toBe(200);
    expect(commits).toEqual(['a', 'b']);
  });

  it('delays a request and then lets the real handler answer', async () => {
    server.injectFault({ path: '/text', delayMs: 50 });
    const response = await fetch(`${server.url}/text`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('plain');
    expect(server.requests[0]?.fault).toBe(true);
  });

  it('removes a fault before it is used', async () => {
    const fault = server.injectFault({ path: '/text', status: 500 });
    fault.remove();
    expect((await fetch(`${server.url}/text`)).status).toBe(200);
  });

  it('rejects a fault with no times left', () => {
    expect(() => server.injectFault({ path: '/x', times: 0 })).toThrow(/times/);
  });
});

describe('startStandInServer close()', () => {
  it('ends a request that is still pending and open keep-alive sockets', async () => {
    const server = await startStandInServer({
      routes: [{ method: 'GET', path: '/', handler: () => json(200, {}) }],
    });
    server.injectFault({ path: '/', delayMs: 60_000 });
    const pending = new Promise<string>((resolve) => {
      const req = httpRequest(`${server.url}/`, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (error) => resolve(`error ${error.message}`));
      req.end();
    });
    // Wait until the server has the request, then close with it still pending.
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await server.close();
    expect(await pending).toMatch(/^error /);
  });
});

describe('startStandInServer over HTTPS', () => {
  it('serves HTTPS with a given certificate', async () => {
    const certificate = await createTestCertificate();
    const server = await startStandInServer({
      tls: certificate,
      routes: [{ method: 'GET', path: '/ok', handler: () => json(200, { secure: true }) }],
    });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(`${server.url}/ok`, { ca: certificate.cert }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({ secure: true });
    } finally {
      await server.close();
      await certificate.remove();
    }
  });
});
