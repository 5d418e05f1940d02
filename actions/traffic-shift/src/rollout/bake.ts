import type { Prober, ProbeResult } from '../probes/prober.js';
import { probeStats, type ProbeStats } from './probe-stats.js';
import { sleep } from './retry.js';
import type { Cloud } from './split.js';

export interface Thresholds {
  /** Highest tolerated share of failed probes per cloud (0.01 = 1 %). */
  readonly maxErrorRate: number;
  readonly maxP95LatencyMs: number;
  /** Probes each cloud gets at the least, however short the bake. */
  readonly minProbes: number;
}

export interface BakeResult {
  readonly results: readonly ProbeResult[];
  readonly byCloud: ReadonlyMap<Cloud, ProbeStats>;
  readonly overall: ProbeStats;
  /** Why the step failed its checks; undefined when it passed. */
  readonly breach?: string;
  /** When the first failed probe started (ms since the epoch). */
  readonly firstFailureAt?: number;
  readonly durationMs: number;
}

/**
 * Probe rounds per cloud: one at the start and one every interval until the bake time has
 * passed, and never fewer than minProbes. Fixing the count up front lets a bake stop at the
 * first round that makes a threshold unreachable (fast abort) instead of waiting it out.
 */
export function plannedRounds(bakeMs: number, intervalMs: number, minProbes: number): number {
  const byTime = intervalMs > 0 ? Math.ceil(bakeMs / intervalMs) + 1 : 1;
  return Math.max(minProbes, byTime, 1);
}

function breachOf(
  cloud: Cloud,
  results: readonly ProbeResult[],
  rounds: number,
  thresholds: Thresholds,
  final: boolean,
): string | undefined {
  const stats = probeStats(results);
  // Failures over the planned count: once this is over the limit no later success can save it.
  if (stats.failures / rounds > thresholds.maxErrorRate) {
    return `${cloud} probes: ${stats.failures} of ${results.length} failed (${stats.commonError ?? 'failed'})`;
  }
  const slow = results.filter(
    (result) =>
      (result.status !== undefined || result.timedOut) &&
      result.latencyMs > thresholds.maxP95LatencyMs,
  ).length;
  // p95 (nearest rank) exceeds the limit once more than rounds - ceil(0.95 * rounds) are slow.
  if (
    slow > rounds - Math.ceil(0.95 * rounds) ||
    (final && (stats.p95Ms ?? 0) > thresholds.maxP95LatencyMs)
  ) {
    return `${cloud} p95 latency ${stats.p95Ms ?? 0} ms over ${thresholds.maxP95LatencyMs} ms (${slow} of ${results.length} probes slow)`;
  }
  return undefined;
}

export async function bake(options: {
  clouds: readonly Cloud[];
  prober: Prober | undefined;
  bakeMs: number;
  intervalMs: number;
  thresholds: Thresholds;
  signal: AbortSignal;
  onRound?: (round: number, rounds: number, results: readonly ProbeResult[]) => void;
}): Promise<BakeResult> {
  const { clouds, prober, bakeMs, intervalMs, thresholds, signal } = options;
  const started = Date.now();
  const results: ProbeResult[] = [];
  const summarize = (breach?: string): BakeResult => {
    const byCloud = new Map(
      clouds.map((cloud) => [
        cloud,
        probeStats(results.filter((result) => result.cloud === cloud)),
      ]),
    );
    const firstFailure = results.filter((result) => !result.ok).sort((a, b) => a.at - b.at)[0];
    return {
      results,
      byCloud,
      overall: probeStats(results),
      ...(breach ? { breach } : {}),
      ...(firstFailure ? { firstFailureAt: firstFailure.at } : {}),
      durationMs: Date.now() - started,
    };
  };

  if (!prober || clouds.length === 0) {
    await sleep(bakeMs, signal);
    return summarize();
  }
  const rounds = plannedRounds(bakeMs, intervalMs, thresholds.minProbes);
  for (let round = 0; round < rounds; round += 1) {
    const due = started + round * intervalMs;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait, signal);
    const roundResults = await Promise.all(clouds.map((cloud) => prober.probe(cloud, signal)));
    results.push(...roundResults);
    options.onRound?.(round + 1, rounds, roundResults);
    const final = round === rounds - 1;
    for (const cloud of clouds) {
      const breach = breachOf(
        cloud,
        results.filter((result) => result.cloud === cloud),
        rounds,
        thresholds,
        final,
      );
      if (breach) return summarize(breach);
    }
  }
  const remaining = started + bakeMs - Date.now();
  if (remaining > 0) await sleep(remaining, signal);
  return summarize();
}

/**
 * Smoke test before the first change: `count` probes per cloud, back to back; any failure
 * fails it (nothing has changed yet, so there is no reason to tolerate one).
 */
export async function smoke(options: {
  clouds: readonly Cloud[];
  prober: Prober;
  count: number;
  signal: AbortSignal;
}): Promise<{ results: ProbeResult[]; failure?: string }> {
  const results: ProbeResult[] = [];
  for (let index = 0; index < options.count; index += 1) {
    results.push(
      ...(await Promise.all(
        options.clouds.map((cloud) => options.prober.probe(cloud, options.signal)),
      )),
    );
  }
  const failures = options.clouds
    .map((cloud) => {
      const stats = probeStats(results.filter((result) => result.cloud === cloud));
      return stats.failures > 0
        ? `${cloud} ${stats.failures} of ${stats.probes} failed (${stats.commonError ?? 'failed'})`
        : undefined;
    })
    .filter((entry): entry is string => entry !== undefined);
  return failures.length > 0 ? { results, failure: failures.join('; ') } : { results };
}
