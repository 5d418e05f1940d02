import { request } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { DashboardServer } from '../src/dashboard/dashboard-server.js';
import type { SandboxSnapshot } from '../src/dashboard/snapshot.js';

/** A raw HTTP request, so the test chooses Host, Origin and Sec-Fetch-Site as a browser would. */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the dashboard refuses requests from other origins', () => {
  let server: DashboardServer;
  let port: number;
  const controlCalls: string[] = [];

  beforeAll(async () => {
    server = new DashboardServer(
      () => ({ routerMode: 'route53' }) as unknown as SandboxSnapshot,
      async (path) => {
        controlCalls.push(path);
        return { status: 200, body: { ok: true } };
      },
    );
    port = await server.listen(0, '--dashboard-port');
  });

  afterAll(async () => {
    await server?.close();
  });

  const own = () => ({ host: `127.0.0.1:${port}` });
  const shift = '{"target":"aws=0,azure=100"}';

  it('refuses a cross-origin text/plain POST (a form or no-cors fetch from any web page)', async () => {
    const response = await send(
      port,
      'POST',
      '/api/shift',
      {
        ...own(),
        origin: 'https://attacker.example',
        'sec-fetch-site': 'cross-site',
        'content-type': 'text/plain;charset=UTF-8',
      },
      shift,
    );
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error).toMatch(/cross-site request refused/);
    expect(controlCalls).toEqual([]);
  });

  it('refuses each sign of another origin on its own, and a body that is not JSON', async () => {
    const cases: [Record<string, string>, number][] = [
      [{ origin: 'http://127.0.0.1:1', 'content-type': 'application/json' }, 403],
      [{ 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, 403],
      [{ 'content-type': 'text/plain' }, 415],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 415],
      [{}, 415],
    ];
    for (const [headers, status] of cases) {
      const response = await send(port, 'POST', '/api/shift', { ...own(), ...headers }, shift);
      expect({ headers, status: response.status }).toEqual({ headers, status });
    }
    expect(controlCalls).toEqual([]);
  });

  it('refuses a DNS-rebinding host name, even for reads', async () => {
    for (const method of ['GET', 'POST']) {
      const response = await send(port, method, '/api/state', {
        host: `rebind.attacker.example:${port}`,
        'content-type': 'application/json',
      });
      expect({ method, status: response.status }).toEqual({ method, status: 403 });
    }
    expect(controlCalls).toEqual([]);
  });

  it('accepts its own page (same origin, JSON) and scripts that send no Origin', async () => {
    const page = await send(
      port,
      'POST',
      '/api/router',
      {
        ...own(),
        origin: `http://127.0.0.1:${port}`,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
      },
      '{"mode":"route53"}',
    );
    expect(page.status).toBe(200);
    const script = await send(
      port,
      'POST',
      '/api/router',
      { host: `localhost:${port}`, 'content-type': 'application/json; charset=utf-8' },
      '{"mode":"route53"}',
    );
    expect(script.status).toBe(200);
    expect(controlCalls).toEqual(['/api/router', '/api/router']);
    expect((await send(port, 'GET', '/api/state', own())).status).toBe(200);
  });
});
