// Emergency shifts (each router on its own) and shifts that meet another shift: with in-memory
// routers, which router moves, which is left alone, and what the run reports.
import { describe, expect, it } from '@jest/globals';
import type { Prober, ProbeResult } from '../../src/probes/prober.js';
import { renderSummary } from '../../src/report/summary.js';
import { runRollout, type RolloutOptions } from '../../src/rollout/engine.js';
import type { RouterReading } from '../../src/rollout/router.js';
import type { Cloud } from '../../src/rollout/split.js';
import { MemoryRouter } from '../support/memory-router.js';

const OPTIONS: RolloutOptions = {
  target: { aws: 100, azure: 0 },
  steps: [50, 100],
  bakeMs: 0,
  probeIntervalMs: 1,
  thresholds: { maxErrorRate: 0.01, maxP95LatencyMs: 1000, minProbes: 2 },
  dryRun: false,
  changeTimeoutMs: 5000,
};
const log = { info: () => undefined, warning: () => undefined };

/** Probes answer by `healthy`; `onProbe` runs before each answer (another shift acting). */
function scripted(
  healthy: (cloud: Cloud, call: number) => boolean,
  onProbe: (call: number) => void = () => undefined,
): Prober {
  let calls = 0;
  return {
    async probe(cloud): Promise<ProbeResult> {
      calls += 1;
      onProbe(calls);
      const ok = healthy(cloud, calls);
      return {
        cloud,
        ok,
        status: ok ? 200 : 503,
        latencyMs: 5,
        at: Date.now(),
        ...(ok ? {} : { error: 'HTTP 503' }),
      };
    },
  };
}

/** Azure answers 503 to every probe, aws 200. */
const azureDown = (): Prober => scripted((cloud) => cloud === 'aws');

class UnreadableRouter extends MemoryRouter {
  override async read(): Promise<RouterReading> {
    throw new Error('CredentialsProviderError: Could not load credentials from any providers');
  }
}

describe('emergency mode', () => {
  it('moves Front Door when Route 53 cannot be read, and says which moved and which could not', async () => {
    const route53 = new UnreadableRouter('route53', { aws: 50, azure: 50 });
    const frontDoor = new MemoryRouter('frontdoor', { aws: 50, azure: 50 });
    const report = await runRollout(
      { ...OPTIONS, emergency: true },
      { routers: [route53, frontDoor], prober: azureDown(), log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('partial');
    expect(frontDoor.split).toEqual({ aws: 100, azure: 0 });
    expect(route53.writes).toEqual([]);
    expect(report.failureReason).toBe(
      'route53 could not be moved (CredentialsProviderError: Could not load credentials from any providers); frontdoor moved to aws=100,azure=0',
    );
    expect(report.finalSplit).toBe('frontdoor: aws=100,azure=0; route53: not moved');
    const summary = renderSummary(report);
    expect(summary).toContain('— emergency shift, not every router moved:');
    expect(summary).toContain('- frontdoor: **moved** to aws=100,azure=0');
    expect(summary).toContain(
      '- route53: **could not move**: CredentialsProviderError: Could not load credentials from any providers',
    );
  });

  it('without emergency mode, the same failure changes nothing and says how to move the other router', async () => {
    const route53 = new UnreadableRouter('route53', { aws: 50, azure: 50 });
    const frontDoor = new MemoryRouter('frontdoor', { aws: 50, azure: 50 });
    const report = await runRollout(
      OPTIONS,
      { routers: [route53, frontDoor], prober: azureDown(), log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('failed-unchanged');
    expect(report.failureReason).toMatch(/\(emergency: true moves the other routers regardless\)$/);
    expect(frontDoor.writes).toEqual([]);
  });

  it('drops a router whose write fails and takes the others to the target', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    const frontDoor = new MemoryRouter('frontdoor', { aws: 50, azure: 50 });
    frontDoor.failApplyAt = 2;
    const report = await runRollout(
      { ...OPTIONS, emergency: true },
      { routers: [route53, frontDoor], prober: azureDown(), log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('partial');
    expect(route53.writes).toEqual(['aws=75,azure=25', 'aws=100,azure=0']);
    // Its second write failed: left out from then on, never rolled back.
    expect(frontDoor.writes).toEqual(['aws=75,azure=25', 'aws=100,azure=0']);
    expect(report.failureReason).toBe(
      'frontdoor could not be moved (HTTP 500 InternalServerError); route53 moved to aws=100,azure=0',
    );
  });

  it('smoke-tests and probes only the cloud gaining traffic: a dead Azure does not stop the drain', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    const emergency = await runRollout(
      { ...OPTIONS, emergency: true },
      { routers: [route53], prober: azureDown(), log },
      new AbortController().signal,
    );
    expect(emergency.outcome).toBe('completed');
    expect(emergency.smoke?.clouds).toEqual(['aws']);

    const lockstep = await runRollout(
      OPTIONS,
      { routers: [new MemoryRouter('route53', { aws: 50, azure: 50 })], prober: azureDown(), log },
      new AbortController().signal,
    );
    expect(lockstep.outcome).toBe('failed-unchanged');
    expect(lockstep.failureReason).toMatch(
      /^smoke test failed before the first step: azure 2 of 2 failed/,
    );
  });
});

describe('a shift meeting another shift', () => {
  it('stops before its next step when another shift moved a router, and touches nothing more', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    const frontDoor = new MemoryRouter('frontdoor', { aws: 50, azure: 50 });
    // During step 1's bake (after the smoke test's 4 probes), an emergency shift puts
    // everything on Azure.
    const prober = scripted(
      () => true,
      (call) => {
        if (call === 6) {
          route53.split = { aws: 0, azure: 100 };
          frontDoor.split = { aws: 0, azure: 100 };
        }
      },
    );
    const report = await runRollout(
      { ...OPTIONS, target: { aws: 0, azure: 100 } },
      { routers: [route53, frontDoor], prober, log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('yielded');
    expect(route53.writes).toEqual(['aws=25,azure=75']);
    expect(frontDoor.writes).toEqual(['aws=25,azure=75']);
    expect(route53.split).toEqual({ aws: 0, azure: 100 });
    expect(report.failureReason).toBe(
      'another shift changed the routers under this run before step 2 (route53 holds aws=0,azure=100; frontdoor holds aws=0,azure=100): stopped, every router left as it is',
    );
    expect(renderSummary(report)).toContain('— stopped, another shift took over:');
  });

  it('rolls back only the routers still holding what it wrote', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    const frontDoor = new MemoryRouter('frontdoor', { aws: 50, azure: 50 });
    // In step 1's bake someone moves Front Door, and Azure starts failing: a rollback.
    const prober = scripted(
      (cloud, call) => cloud === 'aws' || call <= 5,
      (call) => {
        if (call === 5) frontDoor.split = { aws: 100, azure: 0 };
      },
    );
    const report = await runRollout(
      { ...OPTIONS, target: { aws: 0, azure: 100 } },
      { routers: [route53, frontDoor], prober, log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('rolled-back');
    expect(route53.writes).toEqual(['aws=25,azure=75', 'restore aws=50,azure=50']);
    expect(frontDoor.writes).toEqual(['aws=25,azure=75']);
    expect(frontDoor.split).toEqual({ aws: 100, azure: 0 });
    expect(report.rollback?.routers.map((router) => router.status)).toEqual([
      'restored',
      'taken-over',
    ]);
    expect(report.finalSplit).toBe('route53: aws=50,azure=50; frontdoor: aws=100,azure=0');
    expect(renderSummary(report)).toContain(
      '- frontdoor: not restored: another shift changed it since; it holds aws=100,azure=0',
    );
  });

  it('changes nothing when the routers no longer hold the split the previous step left', async () => {
    const route53 = new MemoryRouter('route53', { aws: 100, azure: 0 });
    const report = await runRollout(
      { ...OPTIONS, target: { aws: 50, azure: 50 }, expectedStart: { aws: 0, azure: 100 } },
      { routers: [route53], prober: azureDown(), log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('failed-unchanged');
    expect(report.failureReason).toBe(
      'the routers no longer hold aws=0,azure=100 (expected-initial-split): route53 holds aws=100,azure=0. Another shift has moved traffic since; nothing was changed',
    );
    expect(route53.writes).toEqual([]);
  });
});
