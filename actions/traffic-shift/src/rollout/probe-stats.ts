import type { ProbeResult } from '../probes/prober.js';

/** Nearest-rank percentile (p95 of 3 samples is the largest). */
export function percentile(values: readonly number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1];
}

export interface ProbeStats {
  readonly probes: number;
  readonly failures: number;
  readonly errorRate: number;
  readonly p95Ms: number | undefined;
  /** The most frequent failure reason ("HTTP 503"). */
  readonly commonError: string | undefined;
}

export function probeStats(results: readonly ProbeResult[]): ProbeStats {
  const failures = results.filter((result) => !result.ok);
  const reasons = new Map<string, number>();
  for (const failure of failures) {
    const reason = failure.error ?? 'failed';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const commonError = [...reasons.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  return {
    probes: results.length,
    failures: failures.length,
    errorRate: results.length === 0 ? 0 : failures.length / results.length,
    // Answers and timeouts count; a refused connection has no meaningful latency.
    p95Ms: percentile(
      results
        .filter((result) => result.status !== undefined || result.timedOut)
        .map((result) => result.latencyMs),
      0.95,
    ),
    commonError,
  };
}
