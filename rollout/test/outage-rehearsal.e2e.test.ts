/**
 * `npm run rehearse -- --outage azure` end to end on a real sandbox: 50 requests/s of shoppers,
 * Azure down for 20 s through the sandbox's outage switch, and the summary's figures checked
 * against the load's own counts and a separate audit of both cells' stores.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { launchSandbox, type LaunchedSandbox } from '../../sandbox/src/client.js';
import { CellStores } from '../../sandbox/src/replica-audit.js';
import { readState } from '../../sandbox/src/state-file.js';
import { outageHeld, rehearseOutage, renderOutageSummary } from '../src/outage-rehearsal.js';

describe('outage rehearsal: Azure down for 20 s under 50 requests/s', () => {
  let sandbox: LaunchedSandbox | undefined;

  beforeAll(async () => {
    sandbox = await launchSandbox({ timeoutMs: 120_000 });
  }, 150_000);

  afterAll(async () => {
    await sandbox?.stop();
  }, 60_000);

  it('serves Azure customers from AWS, loses and duplicates no order, converges, oversells nothing', async () => {
    const running = sandbox as LaunchedSandbox;
    const state = readState(running.stateFile);
    const lines: string[] = [];
    const summary = await rehearseOutage({
      down: 'azure',
      outageSeconds: 20,
      rps: 50,
      state,
      client: running.client,
      tokens: running.tokens,
      log: (line) => lines.push(line),
      warmSeconds: 3,
      recoverySeconds: 5,
    });
    const { load } = summary;
    expect(summary.outageMs).toBeGreaterThanOrEqual(20_000);
    expect(load.requests).toBeGreaterThan(100);
    // Every answered request was counted for the cell that answered it.
    expect(load.perCloud.aws + load.perCloud.azure).toBeLessThanOrEqual(load.requests);
    expect(load.failed).toBeLessThan(load.requests);
    // Azure's customers kept being served, by AWS.
    expect(load.downCellRequests).toBeGreaterThan(0);
    expect(load.servedBySurvivor).toBeGreaterThan(0);
    expect(load.servedBySurvivor).toBeLessThanOrEqual(load.downCellRequests);
    expect(load.orders.length).toBeGreaterThan(0);
    expect(summary.ordersLost).toEqual([]);
    expect(summary.ordersDuplicated).toBe(0);
    expect(summary.converged).toBe(true);
    expect(summary.oversoldUnits).toBe(0);
    expect(outageHeld(summary)).toBe(true);

    // An audit of its own: every order the load was told about is in both cells, the same.
    const stores = new CellStores(state.urls);
    try {
      const audit = await stores.compare(load.orders.map((order) => `orders/${order.id}`));
      expect(audit).toEqual({ same: load.orders.length, differing: [], missing: [] });
    } finally {
      stores.destroy();
    }

    const text = renderOutageSummary(summary).trim().split('\n');
    expect(text.at(-1)).toBe(`failed requests: ${load.failed}`);
    expect(text).toContain(
      `requests for azure's customers during the outage: ${load.downCellRequests}, served by aws: ${load.servedBySurvivor}`,
    );
    expect(text).toContain('orders lost: 0');
    expect(text).toContain('orders duplicated: 0');
    expect(text).toContain('stock oversold: 0 units');
    expect(text.find((line) => line.startsWith('replicas converged: '))).toMatch(
      /^replicas converged: yes/,
    );
    expect(lines).toContain('azure is down (its endpoint and storage reset every connection)');
  }, 240_000);
});
