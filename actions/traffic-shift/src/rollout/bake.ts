import type { Prober, ProbeResult, PublicProbeResult } from '../probes/prober.js';
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
  /** Every probe of a cell's own URL, judged clouds and compared ones alike. */
  readonly results: readonly ProbeResult[];
  /** Every probe through the public host name. */
  readonly publicResults: readonly PublicProbeResult[];
  readonly byCloud: ReadonlyMap<Cloud, ProbeStats>;
  readonly overall: ProbeStats;
  /** Why the step failed its checks; undefined when it passed. */
  readonly breach?: string;
  /** When the first failed probe started (ms since the epoch). */
  readonly firstFailureAt?: number;
  readonly durationMs: number;
}

/** Probes through the public host name per round: two, so that a 25 % canary gets answers too. */
export const PUBLIC_PROBES_PER_ROUND = 2;

/**
 * Probe rounds per cloud: one at the start and one every interval until the bake time has
 * passed, and never fewer than minProbes. Fixing the count up front lets a bake stop at the
 * first round that makes a threshold unreachable (fast abort) instead of waiting it out.
 */
export function plannedRounds(bakeMs: number, intervalMs: number, minProbes: number): number {
  const byTime = intervalMs > 0 ? Math.ceil(bakeMs / intervalMs) + 1 : 1;
  return Math.max(minProbes, byTime, 1);
}

/**
 * The rounds of a bake and the time between them. A canary comparison needs `minRounds`
 * samples per cloud: when the interval would give fewer within the bake, the rounds come closer
 * together so that the bake does not last longer for it.
 */
export function probeSchedule(
  bakeMs: number,
  intervalMs: number,
  minProbes: number,
  minRounds = 0,
): { rounds: number; intervalMs: number } {
  const rounds = Math.max(plannedRounds(bakeMs, intervalMs, minProbes), minRounds);
  if (minRounds > plannedRounds(bakeMs, intervalMs, minProbes) && rounds > 1) {
    return { rounds, intervalMs: Math.min(intervalMs, bakeMs / (rounds - 1)) };
  }
  return { rounds, intervalMs };
}

/** Failures of the public host name's probes over the planned count, as for a cloud. */
function publicBreach(
  results: readonly PublicProbeResult[],
  planned: number,
  thresholds: Thresholds,
): string | undefined {
  const failures = results.filter((result) => !result.ok);
  if (planned === 0 || failures.length / planned <= thresholds.maxErrorRate) return undefined;
  return `public host name probes: ${failures.length} of ${results.length} failed (${mostCommon(failures.map((failure) => failure.error ?? 'failed'))})`;
}

function mostCommon(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'failed';
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

export interface BakeOptions {
  /** Clouds carrying traffic: judged by the thresholds. */
  readonly clouds: readonly Cloud[];
  /** Further clouds probed for a comparison (the canary's baseline), not judged here. */
  readonly compared?: readonly Cloud[];
  readonly prober: Prober | undefined;
  readonly bakeMs: number;
  readonly intervalMs: number;
  readonly thresholds: Thresholds;
  /** Rounds a comparison needs at least (0: none). */
  readonly minRounds?: number;
  readonly signal: AbortSignal;
  readonly onRound?: (round: number, rounds: number, results: readonly ProbeResult[]) => void;
}

export async function bake(options: BakeOptions): Promise<BakeResult> {
  const { clouds, prober, bakeMs, thresholds, signal } = options;
  const probed = [...new Set([...clouds, ...(options.compared ?? [])])];
  const started = Date.now();
  const results: ProbeResult[] = [];
  const publicResults: PublicProbeResult[] = [];
  const summarize = (breach?: string): BakeResult => {
    const byCloud = new Map(
      probed.map((cloud) => [
        cloud,
        probeStats(results.filter((result) => result.cloud === cloud)),
      ]),
    );
    const judged = results.filter((result) => clouds.includes(result.cloud));
    const firstFailure = [...judged, ...publicResults]
      .filter((result) => !result.ok)
      .sort((a, b) => a.at - b.at)[0];
    return {
      results,
      publicResults,
      byCloud,
      overall: probeStats(judged),
      ...(breach ? { breach } : {}),
      ...(firstFailure ? { firstFailureAt: firstFailure.at } : {}),
      durationMs: Date.now() - started,
    };
  };

  if (!prober || probed.length === 0) {
    await sleep(bakeMs, signal);
    return summarize();
  }
  const schedule = probeSchedule(
    bakeMs,
    options.intervalMs,
    thresholds.minProbes,
    options.minRounds,
  );
  const { rounds } = schedule;
  const publicPerRound = prober.probePublic && clouds.length > 0 ? PUBLIC_PROBES_PER_ROUND : 0;
  for (let round = 0; round < rounds; round += 1) {
    const wait = started + round * schedule.intervalMs - Date.now();
    if (wait > 0) await sleep(wait, signal);
    const [roundResults, roundPublic] = await Promise.all([
      Promise.all(probed.map((cloud) => prober.probe(cloud, signal))),
      Promise.all(
        Array.from({ length: publicPerRound }, () =>
          (prober.probePublic as NonNullable<Prober['probePublic']>)(signal),
        ),
      ),
    ]);
    results.push(...roundResults);
    publicResults.push(...roundPublic);
    options.onRound?.(round + 1, rounds, roundResults);
    const final = round === rounds - 1;
    for (const cloud of clouds) {
      const own = results.filter((result) => result.cloud === cloud);
      const breach = breachOf(cloud, own, rounds, thresholds, final);
      if (breach) return summarize(breach);
    }
    const breach = publicBreach(publicResults, rounds * publicPerRound, thresholds);
    if (breach) return summarize(breach);
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
