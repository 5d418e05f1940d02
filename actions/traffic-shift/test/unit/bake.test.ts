import { describe, expect, it } from '@jest/globals';
import { bake, plannedRounds } from '../../src/rollout/bake.js';
import { percentile } from '../../src/rollout/probe-stats.js';
import type { ProbeResult } from '../../src/probes/prober.js';
import type { Cloud } from '../../src/rollout/split.js';

const THRESHOLDS = { maxErrorRate: 0.1, maxP95LatencyMs: 100, minProbes: 3 };

function scripted(latencies: number[]) {
  let index = 0;
  return {
    async probe(cloud: Cloud): Promise<ProbeResult> {
      const latencyMs = latencies[index++ % latencies.length] as number;
      return { cloud, ok: true, status: 200, latencyMs, at: Date.now() };
    },
  };
}

describe('bake', () => {
  it('plans one round at the start and one per interval, never fewer than the minimum', () => {
    expect(plannedRounds(60_000, 5000, 3)).toBe(13);
    expect(plannedRounds(0, 5000, 3)).toBe(3);
    expect(plannedRounds(2000, 5000, 1)).toBe(2);
  });

  it('fails on p95 latency once too many probes are slow to meet it', async () => {
    const result = await bake({
      clouds: ['aws'],
      prober: scripted([20, 250, 20]),
      bakeMs: 0,
      intervalMs: 1,
      thresholds: THRESHOLDS,
      signal: new AbortController().signal,
    });
    // Nearest-rank p95 of 3 probes is the slowest: one slow probe is enough.
    expect(result.breach).toBe('aws p95 latency 250 ms over 100 ms (1 of 2 probes slow)');
    expect(result.results).toHaveLength(2);
  });

  it('passes when every cloud stays within the thresholds', async () => {
    const result = await bake({
      clouds: ['aws', 'azure'],
      prober: scripted([20, 30, 40]),
      bakeMs: 0,
      intervalMs: 1,
      thresholds: THRESHOLDS,
      signal: new AbortController().signal,
    });
    expect(result.breach).toBeUndefined();
    expect(result.overall).toMatchObject({ probes: 6, failures: 0, errorRate: 0 });
    expect(result.byCloud.get('azure')?.probes).toBe(3);
  });
});

describe('percentile', () => {
  it('is nearest-rank', () => {
    expect(percentile([5, 1, 3], 0.95)).toBe(5);
    expect(
      percentile(
        Array.from({ length: 20 }, (_, index) => index + 1),
        0.95,
      ),
    ).toBe(19);
    expect(percentile([], 0.95)).toBeUndefined();
  });
});
