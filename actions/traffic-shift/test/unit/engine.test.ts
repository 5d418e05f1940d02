// The engine with in-memory routers and probes: the rules that do not depend on any cloud.
import { describe, expect, it } from '@jest/globals';
import type { Prober, ProbeResult } from '../../src/probes/prober.js';
import { CancelledError, runRollout, type RolloutOptions } from '../../src/rollout/engine.js';
import { renderSummary } from '../../src/report/summary.js';
import type { RouterReading } from '../../src/rollout/router.js';
import type { Cloud } from '../../src/rollout/split.js';
import { MemoryRouter } from '../support/memory-router.js';

function prober(health: (cloud: Cloud, call: number) => boolean): Prober & { calls: number } {
  const state = {
    calls: 0,
    async probe(cloud: Cloud): Promise<ProbeResult> {
      state.calls += 1;
      const ok = health(cloud, state.calls);
      return {
        cloud,
        ok,
        status: ok ? 200 : 503,
        latencyMs: 1,
        at: Date.now(),
        ...(ok ? {} : { error: 'HTTP 503' }),
      };
    },
  };
  return state;
}

const OPTIONS: RolloutOptions = {
  target: { aws: 100, azure: 0 },
  steps: [50, 100],
  bakeMs: 0,
  probeIntervalMs: 1,
  thresholds: { maxErrorRate: 0.01, maxP95LatencyMs: 1000, minProbes: 3 },
  dryRun: false,
  changeTimeoutMs: 5000,
};
const log = { info: () => undefined, warning: () => undefined };

describe('runRollout', () => {
  it('plans from the least advanced router when the routers disagree', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    const frontDoor = new MemoryRouter('frontdoor', { aws: 90, azure: 10 });
    const report = await runRollout(
      OPTIONS,
      { routers: [route53, frontDoor], prober: prober(() => true), log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('completed');
    expect(report.initialSplit).toEqual({ aws: 50, azure: 50 });
    expect(route53.writes).toEqual(['aws=75,azure=25', 'aws=100,azure=0']);
    expect(frontDoor.writes).toEqual(['aws=75,azure=25', 'aws=100,azure=0']);
  });

  it('rolls each router back to its own start when they disagreed, and the summary shows each', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    const frontDoor = new MemoryRouter('frontdoor', { aws: 60, azure: 40 });
    // Healthy through the smoke test (3 rounds), failing from the first bake on.
    const probes = prober((_cloud, call) => call <= 6);
    const report = await runRollout(
      { ...OPTIONS, target: { aws: 0, azure: 100 } },
      { routers: [route53, frontDoor], prober: probes, log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('rolled-back');
    expect(route53.split).toEqual({ aws: 50, azure: 50 });
    expect(frontDoor.split).toEqual({ aws: 60, azure: 40 });
    const summary = renderSummary(report);
    expect(summary).toMatch(
      /\| rollback \| as at the start \| restored 50\/50 [\d.]+ s \| restored 60\/40 [\d.]+ s \|/,
    );
    expect(summary).toContain('- route53: restored to aws=50,azure=50');
    expect(summary).toContain('- frontdoor: restored to aws=60,azure=40');
  });

  it('changes nothing and claims no rollback when cancelled before the first write', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    const controller = new AbortController();
    // The cancellation lands on the last smoke probe (3 rounds of 2 clouds).
    const probes = prober((_cloud, call) => {
      if (call === 6) controller.abort(new CancelledError('SIGTERM'));
      return true;
    });
    const report = await runRollout(
      OPTIONS,
      { routers: [route53], prober: probes, log },
      controller.signal,
    );
    expect(report.outcome).toBe('failed-unchanged');
    expect(report.rollback).toBeUndefined();
    expect(report.failureReason).toBe('cancelled (SIGTERM)');
    expect(route53.writes).toEqual([]);
  });

  it('still writes one step when the schedule is empty but a router is off target', async () => {
    const route53 = new MemoryRouter('route53', { aws: 100, azure: 0 });
    const frontDoor = new MemoryRouter('frontdoor', undefined);
    const report = await runRollout(
      OPTIONS,
      { routers: [route53, frontDoor], prober: undefined, log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('completed');
    expect(frontDoor.writes).toEqual(['aws=100,azure=0']);
  });

  it('stops the bake at the first round that breaks a threshold (fast abort)', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    const probes = prober((cloud, call) => !(cloud === 'azure' && call > 6));
    const report = await runRollout(
      {
        ...OPTIONS,
        bakeMs: 60_000,
        probeIntervalMs: 5000,
        steps: [100],
        target: { aws: 20, azure: 80 },
      },
      { routers: [route53], prober: probes, log },
      new AbortController().signal,
    );
    // 3 smoke rounds (6 probes), then the first bake round fails azure: no waiting out 60 s.
    expect(report.outcome).toBe('rolled-back');
    expect(probes.calls).toBe(8);
    expect(report.failureReason).toBe('azure probes: 1 of 1 failed (HTTP 503) at step 1');
    expect(route53.split).toEqual({ aws: 50, azure: 50 });
  });

  it('restores only the routers it touched and says what a failed rollback left', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    const frontDoor = new MemoryRouter('frontdoor', { aws: 50, azure: 50 });
    frontDoor.failApplyAt = 2;
    route53.failRestore = true;
    const report = await runRollout(
      OPTIONS,
      { routers: [route53, frontDoor], prober: undefined, log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('rollback-failed');
    expect(
      report.rollback?.routers.map((router) => [router.id, router.status, router.holds]),
    ).toEqual([
      ['route53', 'failed', 'aws=100,azure=0'],
      ['frontdoor', 'restored', 'aws=50,azure=50'],
    ]);
    expect(report.failureReason).toBe(
      'frontdoor: HTTP 500 InternalServerError at step 2; the rollback failed: route53 holds aws=100,azure=0; frontdoor holds aws=50,azure=50',
    );
    expect(report.finalSplit).toBe('route53: aws=100,azure=0; frontdoor: aws=50,azure=50');
  });

  it('counts a rollback whose write landed but is not confirmed in force as restored, and says so', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    route53.failApplyAt = 1;
    route53.restoreHangs = true;
    const report = await runRollout(
      { ...OPTIONS, changeTimeoutMs: 100 },
      { routers: [route53], prober: undefined, log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('rolled-back');
    expect(report.rollback?.routers).toEqual([
      {
        id: 'route53',
        label: 'route53',
        status: 'restored',
        error: 'not confirmed in force after 0.1 s',
        holds: 'aws=50,azure=50',
      },
    ]);
    expect(report.finalSplit).toBe('aws=50,azure=50');
  });

  it('rolls back on cancellation in the middle of a write', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    route53.applyDelayMs = 10_000;
    const controller = new AbortController();
    const running = runRollout(
      OPTIONS,
      { routers: [route53], prober: undefined, log },
      controller.signal,
    );
    setTimeout(() => controller.abort(new CancelledError('SIGINT')), 20);
    const report = await running;
    expect(report.outcome).toBe('rolled-back');
    expect(report.failureReason).toBe('cancelled (SIGINT)');
    expect(route53.writes).toEqual(['restore aws=50,azure=50']);
  });

  it('gives up on a router that never answers the first read, changing nothing', async () => {
    const route53 = new MemoryRouter('route53', { aws: 50, azure: 50 });
    const frontDoor = new MemoryRouter('frontdoor', { aws: 50, azure: 50 });
    frontDoor.readHangs = true;
    const report = await runRollout(
      { ...OPTIONS, changeTimeoutMs: 50 },
      { routers: [route53, frontDoor], prober: undefined, log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('failed-unchanged');
    expect(report.failureReason).toBe(
      'could not read the live weights: frontdoor: no answer within 0.1 s (emergency: true moves the other routers regardless)',
    );
    expect(route53.writes).toEqual([]);
  });

  it('changes nothing when a router cannot be read or no split is known', async () => {
    const broken = new (class extends MemoryRouter {
      override async read(): Promise<RouterReading> {
        throw new Error('AccessDenied: not authorized to perform route53:ListResourceRecordSets');
      }
    })('route53', undefined);
    const frontDoor = new MemoryRouter('frontdoor', { aws: 50, azure: 50 });
    const report = await runRollout(
      OPTIONS,
      { routers: [broken, frontDoor], prober: undefined, log },
      new AbortController().signal,
    );
    expect(report.outcome).toBe('failed-unchanged');
    expect(report.failureReason).toBe(
      'could not read the live weights: route53: AccessDenied: not authorized to perform route53:ListResourceRecordSets (emergency: true moves the other routers regardless)',
    );
    expect(frontDoor.writes).toEqual([]);

    const empty = new MemoryRouter('frontdoor', undefined);
    const unknown = await runRollout(
      OPTIONS,
      { routers: [empty], prober: undefined, log },
      new AbortController().signal,
    );
    expect(unknown.outcome).toBe('failed-unchanged');
    expect(unknown.failureReason).toBe(
      'cannot tell the current split: frontdoor holds nothing enabled',
    );
  });
});
