import { createServer, type Server } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { Cloud, PerCloud } from '../../actions/shared/src/clouds.js';
import { close, listen } from '../src/listen.js';
import { CELL_HEADER, EdgeRouter } from '../src/router/edge-router.js';
import { HISTORY_SECONDS, RequestCounters } from '../src/router/request-counters.js';
import {
  effectiveWeights,
  percentages,
  pickCloud,
  type RoutingWeights,
} from '../src/router/weights.js';

describe('weights', () => {
  const weights = (
    r53: [number, number],
    afd: [number, boolean, number, boolean],
  ): RoutingWeights => ({
    route53: { aws: r53[0], azure: r53[1] },
    frontDoor: {
      aws: { weight: afd[0], enabled: afd[1] },
      azure: { weight: afd[2], enabled: afd[3] },
    },
  });

  it('treats all-zero Route 53 weights as an equal split and a disabled Front Door origin as zero', () => {
    expect(effectiveWeights(weights([0, 0], [500, true, 500, true]), 'route53')).toEqual({
      aws: 1,
      azure: 1,
    });
    expect(effectiveWeights(weights([10, 0], [500, true, 500, true]), 'route53')).toEqual({
      aws: 10,
      azure: 0,
    });
    expect(effectiveWeights(weights([1, 1], [1000, true, 500, false]), 'frontdoor')).toEqual({
      aws: 1000,
      azure: 0,
    });
    expect(effectiveWeights(weights([1, 1], [1, false, 1, false]), 'frontdoor')).toEqual({
      aws: 0,
      azure: 0,
    });
    expect(percentages({ aws: 1, azure: 3 })).toEqual({ aws: 25, azure: 75 });
  });

  it('picks by weighted random and never picks a zero weight', () => {
    expect(pickCloud({ aws: 1, azure: 3 }, () => 0.2)).toBe('aws');
    expect(pickCloud({ aws: 1, azure: 3 }, () => 0.3)).toBe('azure');
    expect(pickCloud({ aws: 0, azure: 3 }, () => 0)).toBe('azure');
    expect(pickCloud({ aws: 5, azure: 0 }, () => 0.9999)).toBe('aws');
    expect(pickCloud({ aws: 0, azure: 0 })).toBeUndefined();
  });
});

describe('EdgeRouter', () => {
  const cells: Partial<Record<Cloud, Server>> = {};
  const urls = {} as PerCloud<string>;
  let current: RoutingWeights = {
    route53: { aws: 50, azure: 50 },
    frontDoor: { aws: { weight: 1000, enabled: true }, azure: { weight: 1, enabled: false } },
  };
  const counters = new RequestCounters();
  let router: EdgeRouter;

  beforeAll(async () => {
    for (const cloud of ['aws', 'azure'] as const) {
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          res.writeHead(cloud === 'azure' && req.url === '/fail' ? 503 : 200, {
            'content-type': 'application/json',
          });
          res.end(JSON.stringify({ cloud, path: req.url, method: req.method, body }));
        });
      });
      urls[cloud] = `http://127.0.0.1:${await listen(server, 0, `${cloud} cell`)}`;
      cells[cloud] = server;
    }
    router = new EdgeRouter({ cells: urls, readWeights: () => current, mode: 'route53', counters });
    await router.listen(0, '--router-port');
  });
  afterAll(async () => {
    await router.close();
    for (const server of Object.values(cells)) if (server) await close(server);
  });

  it('forwards method, path and body and names the serving cell', async () => {
    const response = await fetch(`${router.url}/carts/1?x=1`, { method: 'POST', body: 'hello' });
    const body = (await response.json()) as {
      cloud: Cloud;
      path: string;
      method: string;
      body: string;
    };
    expect(body).toMatchObject({ path: '/carts/1?x=1', method: 'POST', body: 'hello' });
    expect(response.headers.get(CELL_HEADER)).toBe(body.cloud);
  });

  it('follows the weights it reads per request, on the router selected', async () => {
    const count = async (n: number): Promise<PerCloud<number>> => {
      const seen = { aws: 0, azure: 0 };
      for (let i = 0; i < n; i++) {
        const response = await fetch(`${router.url}/health`);
        await response.arrayBuffer();
        seen[response.headers.get(CELL_HEADER) as Cloud]++;
      }
      return seen;
    };
    current = { ...current, route53: { aws: 100, azure: 0 } };
    expect(await count(50)).toEqual({ aws: 50, azure: 0 });
    current = { ...current, route53: { aws: 0, azure: 255 } };
    expect(await count(50)).toEqual({ aws: 0, azure: 50 });
    router.mode = 'frontdoor';
    expect(await count(50)).toEqual({ aws: 50, azure: 0 });
    router.mode = 'route53';
  });

  it('counts 5xx answers as failures and answers 502 naming the cell when it is down', async () => {
    counters.reset();
    current = { ...current, route53: { aws: 0, azure: 1 } };
    expect((await fetch(`${router.url}/fail`)).status).toBe(503);
    const unreachable = new EdgeRouter({
      cells: { aws: 'http://127.0.0.1:1', azure: 'http://127.0.0.1:1' },
      readWeights: () => current,
      mode: 'route53',
      counters,
    });
    await unreachable.listen(0, '--router-port');
    const response = await fetch(`${unreachable.url}/health`);
    expect(response.status).toBe(502);
    expect(await response.text()).toMatch(/azure cell did not answer/);
    await unreachable.close();
    expect(counters.snapshot().azure).toMatchObject({ requests: 2, failed: 2 });
  });
});

describe('RequestCounters', () => {
  it('keeps two minutes of requests per cloud per second for the chart, zeros included', () => {
    const counters = new RequestCounters();
    const t0 = 1_700_000_000_000;
    counters.record('aws', true, t0 - 200_000); // older than the history: dropped
    for (let s = 0; s < 130; s++) counters.record('aws', true, t0 - 130_000 + s * 1000);
    counters.record('azure', false, t0 - 2_000);
    counters.record('azure', true, t0 - 2_000);
    counters.record('aws', true, t0); // the running second is not complete: not shown yet

    const history = counters.history(t0);
    expect(history).toHaveLength(HISTORY_SECONDS);
    expect(history[0]).toEqual({ second: t0 / 1000 - HISTORY_SECONDS, aws: 1, azure: 0 });
    expect(history.at(-2)).toEqual({ second: t0 / 1000 - 2, aws: 1, azure: 2 });
    expect(history.at(-1)).toEqual({ second: t0 / 1000 - 1, aws: 1, azure: 0 });
    // A counters reset (the rehearsal's) clears the totals, not the picture of the traffic.
    counters.reset();
    expect(counters.snapshot(t0).aws.requests).toBe(0);
    expect(counters.history(t0).at(-1)?.aws).toBe(1);
  });
});
