// The router port is the public host name (ADR 16): Route 53's weighted choice honouring
// health, then, for Azure's record, Front Door's choice among its origins (API Management at
// priority 1, the AWS cell at priority 2). The traffic-shift action moves the split; health
// moves it without the action.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { Cloud, PerCloud } from '../../actions/shared/src/clouds.js';
import { launchSandbox, type LaunchedSandbox } from '../src/client.js';
import { ROUTE53_FAILURE_THRESHOLD } from '../src/health-monitor.js';
import { repoRoot } from '../src/paths.js';
import { CELL_HEADER } from '../src/router/edge-router.js';

const ready = existsSync(join(repoRoot(), 'actions/traffic-shift/dist/index.js'));
const describeIfReady = ready ? describe : describe.skip;

const REQUESTS = 1000;

/**
 * How far the measured share may stray from the target. Each of n requests independently goes
 * to Azure with probability p (a fresh weighted choice per request), so the Azure count is
 * Binomial(n, p), with standard deviation sqrt(n p (1 - p)). A band of 4 standard deviations
 * either side, 4 * sqrt(p (1 - p) / n) in share, is crossed by chance with probability about
 * 6.3e-5 (two-sided normal tail at z = 4; n p (1 - p) >= 187 here, where the normal
 * approximation is good): one false failure in ~16,000 checks, while a router that got the
 * arithmetic wrong by 10 points still fails every time. n = 1000: p = 0.5 -> +-6.3 points;
 * p = 0.75 -> +-5.5 points; p = 1 -> 0 (every request must reach Azure).
 */
function tolerance(p: number, n: number): number {
  return 4 * Math.sqrt((p * (1 - p)) / n);
}

/** Sends n cheap requests through the router, 25 at a time, and counts the serving cell. */
async function measure(router: string, n: number): Promise<PerCloud<number>> {
  const seen = { aws: 0, azure: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next += 1;
      // No token: each cell answers 401 at once, without touching its storage.
      const response = await fetch(`${router}/carts/public-chain-probe`);
      await response.arrayBuffer();
      seen[response.headers.get(CELL_HEADER) as Cloud] += 1;
    }
  };
  await Promise.all(Array.from({ length: 25 }, worker));
  return seen;
}

describeIfReady('the public host name routes as the chain does', () => {
  let sandbox: LaunchedSandbox;
  let router: string;

  beforeAll(async () => {
    sandbox = await launchSandbox();
    router = sandbox.urls.router ?? '';
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop();
  }, 30_000);

  it('shifts Azure 50 -> 75 -> 100 % and 1,000 client requests follow within the binomial band', async () => {
    const steps: Array<[string, number]> = [
      ['aws=50,azure=50', 0.5],
      ['aws=25,azure=75', 0.75],
      ['aws=0,azure=100', 1],
    ];
    for (const [target, azure] of steps) {
      const shift = await sandbox.client.shift({ target, steps: '100', bakeSeconds: 1 });
      expect([target, shift.exitCode]).toEqual([target, 0]);
      // The action reports the split clients see through the chain, Front Door behind azure.
      expect(shift.outputs['client-split']).toBe(target);
      expect(shift.summary).toContain(`Front Door behind the azure record`);
      const state = await sandbox.client.state();
      // What the dashboard shows is the client split through the chain, not a router's weights.
      expect(state.split.azure).toBe(Math.round(azure * 100));
      const seen = await measure(router, REQUESTS);
      expect(seen.aws + seen.azure).toBe(REQUESTS);
      const share = seen.azure / REQUESTS;
      expect([target, Math.abs(share - azure) <= tolerance(azure, REQUESTS)]).toEqual([
        target,
        true,
      ]);
    }
    // At 0/100 the AWS backup origin is disabled too: a drained cloud gets nothing from anyone.
    expect((await sandbox.client.state()).weights.frontDoor.aws.enabled).toBe(false);
  }, 120_000);

  it("fails over from an unhealthy Azure cell without a shift, within the health checks' detection time", async () => {
    expect(
      (await sandbox.client.shift({ target: 'aws=50,azure=50', steps: '100', bakeSeconds: 1 }))
        .exitCode,
    ).toBe(0);
    await sandbox.client.resetCounters();
    await sandbox.client.deployCell('azure', '9.9.9', { breakHealth: true });
    const broken = Date.now();
    // Failover is done when 50 requests in a row reach AWS.
    let streak = 0;
    let failedOverAt = 0;
    while (Date.now() - broken < 30_000 && streak < 50) {
      const response = await fetch(`${router}/carts/public-chain-probe`);
      await response.arrayBuffer();
      if (response.headers.get(CELL_HEADER) === 'aws') {
        if (streak === 0) failedOverAt = Date.now();
        streak += 1;
      } else {
        streak = 0;
      }
    }
    expect(streak).toBe(50);
    const failoverMs = failedOverAt - broken;
    // Front Door's probes (3 of the last 4 must pass) usually notice first and send the Azure
    // record's clients to the AWS backup; Route 53 then withdraws the record after
    // ROUTE53_FAILURE_THRESHOLD failed checks, one a second.
    let state = await sandbox.client.state();
    while (state.health.route53.azure && Date.now() - broken < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await sandbox.client.state();
    }
    const withdrawnMs = Date.now() - broken;
    console.log(
      `failover: clients on AWS after ${failoverMs} ms; Route 53 withdrew the record after ${withdrawnMs} ms (threshold ${ROUTE53_FAILURE_THRESHOLD} x 1 s)`,
    );
    // One more interval for the tick in progress and 3 s for a busy machine.
    const bound = (ROUTE53_FAILURE_THRESHOLD + 1) * 1000 + 3000;
    expect(failoverMs).toBeLessThanOrEqual(bound);
    expect(withdrawnMs).toBeLessThanOrEqual(bound);
    expect(state.health.route53.azure).toBe(false);
    expect(state.split).toEqual({ aws: 100, azure: 0 });
    // The weights never moved: the routers did it on their own.
    expect(state.weights.route53).toEqual({ aws: 50, azure: 50 });

    // A client still holding the Front Door answer is served by the AWS backup origin.
    await sandbox.client.setRouterMode('frontdoor');
    const cached = await measure(router, 50);
    expect(cached).toEqual({ aws: 50, azure: 0 });
    expect((await sandbox.client.state()).counters.viaFrontDoor.aws).toBeGreaterThanOrEqual(50);
    await sandbox.client.setRouterMode('chain');

    // Healthy again: Route 53 takes the record back after as many passing checks.
    await sandbox.client.deployCell('azure', '9.9.10');
    const healed = Date.now();
    while (Date.now() - healed < 20_000) {
      if ((await sandbox.client.state()).health.route53.azure) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await sandbox.client.state()).split).toEqual({ aws: 50, azure: 50 });
  }, 120_000);
});
