import { isCloud, type Cloud, type PerCloud } from '../rollout/split.js';
import type { Prober, ProbeResult, PublicProbeResult } from './prober.js';

interface Answer {
  ok: boolean;
  status?: number;
  latencyMs: number;
  at: number;
  error?: string;
  timedOut?: true;
  /** The `cloud` field of a JSON body, when it names one. */
  servedBy?: Cloud;
}

/**
 * Probes each cloud's health URL (and the public host name's, when given) with fetch. A probe
 * passes when the status equals the expected one; a slow answer past `timeoutMs` is a failure,
 * not a long wait.
 */
export function httpProber(options: {
  urls: PerCloud<string>;
  publicUrl?: string;
  expectedStatus: number;
  timeoutMs: number;
}): Prober {
  const call = (url: string, signal: AbortSignal): Promise<Answer> =>
    fetchAnswer(url, options.expectedStatus, options.timeoutMs, signal);
  const prober: Prober = {
    async probe(cloud, signal): Promise<ProbeResult> {
      const { servedBy: _ignored, ...answer } = await call(options.urls[cloud], signal);
      return { cloud, ...answer };
    },
  };
  const { publicUrl } = options;
  if (publicUrl) {
    prober.probePublic = async (signal): Promise<PublicProbeResult> => {
      const { servedBy, ...answer } = await call(publicUrl, signal);
      return { cloud: servedBy, ...answer };
    };
  }
  return prober;
}

async function fetchAnswer(
  url: string,
  expectedStatus: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Answer> {
  const at = Date.now();
  const started = performance.now();
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      signal: AbortSignal.any([signal, timeout]),
      headers: { 'user-agent': 'multicloud-traffic-shift', 'cache-control': 'no-cache' },
    });
    // Read the whole body so the connection is reused and the latency covers the whole answer.
    const body = await response.text();
    const latencyMs = Math.round(performance.now() - started);
    const ok = response.status === expectedStatus;
    const servedBy = cloudOf(body);
    return {
      ok,
      status: response.status,
      latencyMs,
      at,
      ...(ok ? {} : { error: `HTTP ${response.status}` }),
      ...(servedBy ? { servedBy } : {}),
    };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    const latencyMs = Math.round(performance.now() - started);
    return {
      ok: false,
      latencyMs,
      at,
      error: describeFetchError(error, timeout, timeoutMs),
      ...(timeout.aborted ? { timedOut: true as const } : {}),
    };
  }
}

/** The cell a health answer names: `{"cloud": "aws", ...}` (functions/src/core/health.ts). */
function cloudOf(body: string): Cloud | undefined {
  try {
    const cloud = (JSON.parse(body.slice(0, 65_536)) as { cloud?: unknown } | null)?.cloud;
    return typeof cloud === 'string' && isCloud(cloud) ? cloud : undefined;
  } catch {
    return undefined;
  }
}

function describeFetchError(error: unknown, timeout: AbortSignal, timeoutMs: number): string {
  if (timeout.aborted) return `timed out after ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
