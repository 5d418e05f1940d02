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

/**
 * One request to the public host name's health endpoint (ADR 16): the routers chose the cell,
 * whose /health answer names it (`cloud`). Undefined `cloud` when the answer did not say (no
 * answer, or one from the edge rather than a cell).
 */
export type PublicProbeResult = Omit<ProbeResult, 'cloud'> & { readonly cloud: Cloud | undefined };

export interface Prober {
  probe(cloud: Cloud, signal: AbortSignal): Promise<ProbeResult>;
  /** Through the public host name; absent when there is none to probe. */
  probePublic?(signal: AbortSignal): Promise<PublicProbeResult>;
}
