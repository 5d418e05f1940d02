import type { PerCloud } from '../rollout/split.js';
import type { Prober, ProbeResult } from './prober.js';

/**
 * Probes each cloud's health URL with fetch. A probe passes when the status equals the
 * expected one; a slow answer past `timeoutMs` is a failure, not a long wait.
 */
export function httpProber(options: {
  urls: PerCloud<string>;
  expectedStatus: number;
  timeoutMs: number;
}): Prober {
  return {
    async probe(cloud, signal): Promise<ProbeResult> {
      const at = Date.now();
      const started = performance.now();
      const timeout = AbortSignal.timeout(options.timeoutMs);
      try {
        const response = await fetch(options.urls[cloud], {
          signal: AbortSignal.any([signal, timeout]),
          headers: { 'user-agent': 'multicloud-traffic-shift', 'cache-control': 'no-cache' },
        });
        // Drain the body so the connection is reused and the latency covers the whole answer.
        await response.arrayBuffer();
        const latencyMs = Math.round(performance.now() - started);
        const ok = response.status === options.expectedStatus;
        return {
          cloud,
          ok,
          status: response.status,
          latencyMs,
          at,
          ...(ok ? {} : { error: `HTTP ${response.status}` }),
        };
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const latencyMs = Math.round(performance.now() - started);
        return {
          cloud,
          ok: false,
          latencyMs,
          at,
          error: describeFetchError(error, timeout, options.timeoutMs),
          ...(timeout.aborted ? { timedOut: true } : {}),
        };
      }
    },
  };
}

function describeFetchError(error: unknown, timeout: AbortSignal, timeoutMs: number): string {
  if (timeout.aborted) return `timed out after ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
