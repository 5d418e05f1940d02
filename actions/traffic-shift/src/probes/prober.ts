import type { Cloud } from '../rollout/split.js';

/** The probe port: one request to a cloud's own health endpoint. */
export interface ProbeResult {
  readonly cloud: Cloud;
  readonly ok: boolean;
  /** HTTP status, when a response came. */
  readonly status?: number;
  readonly latencyMs: number;
  /** Why it failed ("HTTP 503", "timed out after 2000 ms", "ECONNREFUSED"). */
  readonly error?: string;
  /** True when no answer came within the probe timeout (its latency counts as the timeout). */
  readonly timedOut?: boolean;
  /** When the probe started (ms since the epoch). */
  readonly at: number;
}

export interface Prober {
  probe(cloud: Cloud, signal: AbortSignal): Promise<ProbeResult>;
}
