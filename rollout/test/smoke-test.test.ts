import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { smokeTest, smokeUrlOf } from '../src/smoke-test.js';

describe('smoke test of one cell on its own URL', () => {
  let server: Server;
  let url = '';
  const cell = { status: 200, version: '1.0.0', answered: 0 };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      cell.answered++;
      res.writeHead(cell.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ cloud: 'aws', version: cell.version }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('passes once the cell answers 200 on the new version enough times in a row', async () => {
    Object.assign(cell, { status: 503, version: '2.0.0', answered: 0 });
    setTimeout(() => (cell.status = 200), 150);
    const result = await smokeTest({
      url,
      expectedVersion: '2.0.0',
      timeoutMs: 3000,
      consecutive: 3,
      intervalMs: 50,
    });
    expect(result).toMatchObject({ ok: true, version: '2.0.0', reason: '' });
    expect(result.attempts).toBeGreaterThanOrEqual(4);
  });

  it('fails, saying why, when the cell still runs the old version', async () => {
    Object.assign(cell, { status: 200, version: '1.0.0' });
    const result = await smokeTest({
      url,
      expectedVersion: '2.0.0',
      timeoutMs: 300,
      intervalMs: 50,
    });
    expect(result.ok).toBe(false);
    expect(result.reason).toContain('last answer: HTTP 200, version 1.0.0 (expected 2.0.0)');
  });

  it('fails when the health check fails', async () => {
    Object.assign(cell, { status: 503, version: '2.0.0' });
    const result = await smokeTest({
      url,
      expectedVersion: '2.0.0',
      timeoutMs: 300,
      intervalMs: 50,
    });
    expect(result).toMatchObject({ ok: false, last: 'HTTP 503, version 2.0.0' });
  });

  it('picks the cloud from smoke-urls, or says the form', () => {
    expect(smokeUrlOf('aws=http://a/health,azure=https://b/health', 'azure')).toBe(
      'https://b/health',
    );
    expect(() => smokeUrlOf('aws=http://a/health', 'azure')).toThrow(
      'smoke-urls has no http(s) URL for azure: expected aws=<url>,azure=<url>, got "aws=http://a/health"',
    );
  });
});
