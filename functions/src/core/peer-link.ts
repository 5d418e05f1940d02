/**
 * The peer link that GET /health reports (ADR 26). The signed probe of the peer's /health is
 * kept off the request path: a /health answers with the last probe's result and its age, and
 * the first /health after `refreshMs` starts the next probe. So one cloud's slowness or outage
 * never makes the other's /health slower than `timeoutMs`, once per `refreshMs` at most, and
 * never fails it.
 */
import { HttpProblem } from './errors.js';
import type { PeerLink, PeerLinkReport } from './health.js';
import type { PeerForwarder } from './peer-forwarder.js';

export interface PeerProbeTiming {
  /** A probe's result is reused this long; the first /health after it starts the next probe. */
  readonly refreshMs: number;
  /**
   * How long a probe waits for the peer. A hung peer shows as `unreachable` after it, so a
   * peer that goes down shows as down at most `refreshMs + timeoutMs` after the first /health
   * that follows (with health checks every few seconds, within about 10 s).
   */
  readonly timeoutMs: number;
  /**
   * Whether the /health that starts a probe waits for it (at most `timeoutMs`). Where the host
   * freezes the process between invocations (AWS Lambda), a probe left running after the
   * response stops mid-flight, and on the next invocation its timer fires before its answer is
   * read: it would report a healthy peer unreachable. There the probe runs inside the request
   * that starts it, bounded by `timeoutMs`; every other request reads the cached result. Where
   * the process keeps running (the Azure Functions worker), no request ever waits for it.
   */
  readonly inRequest: boolean;
  /** A result older than this is reported `stale: true` (no /health came to refresh it). */
  readonly staleAfterMs: number;
}

/**
 * Defaults. 750 ms: a hung peer must leave this cell's /health well inside Route 53's 2 s to
 * answer (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).
 * 5 s: a Lambda instance spends that wait at most once per 5 s of health checks.
 */
export const defaultPeerProbeTiming: PeerProbeTiming = {
  refreshMs: 5_000,
  timeoutMs: 750,
  inRequest: false,
  staleAfterMs: 30_000,
};

/** GET /health of the peer over the signed peer call: proves reachability and the shared key. */
export async function probePeerLink(
  forwarder: PeerForwarder,
  timeoutMs: number,
): Promise<PeerLink> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const cell = forwarder.peerCell;
  try {
    const response = await forwarder.forward(
      { method: 'GET', path: '/health', query: new URLSearchParams(), headers: {} },
      timeoutMs,
    );
    const status =
      response.status === 200
        ? 'up'
        : response.status === 503
          ? 'degraded'
          : response.status === 401
            ? 'rejected'
            : 'failing';
    return { cell, status, latencyMs: elapsed(), httpStatus: response.status };
  } catch (error) {
    if (error instanceof HttpProblem) {
      return { cell, status: 'unreachable', latencyMs: elapsed(), error: error.message };
    }
    return { cell, status: 'failing', latencyMs: elapsed(), error: String(error).slice(0, 200) };
  }
}

/** The last probe of the peer, per instance, and when the next one is due. */
export class PeerLinkMonitor {
  private last: { link: PeerLink; startedAt: Date } | undefined;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly forwarder: PeerForwarder,
    private readonly timing: PeerProbeTiming,
    private readonly now: () => Date,
  ) {}

  /** The last result with its age; starts the next probe when one is due (see PeerProbeTiming). */
  async report(): Promise<PeerLinkReport> {
    const started = this.startIfDue();
    if (started && this.timing.inRequest) await started;
    return this.describe();
  }

  private startIfDue(): Promise<void> | undefined {
    const now = this.now();
    if (this.probing) return undefined;
    // No probe in flight, so the last one to start is the one in `last` (probes never reject).
    if (this.last && now.getTime() - this.last.startedAt.getTime() < this.timing.refreshMs)
      return undefined;
    // probePeerLink never rejects: every failure is a link status.
    this.probing = probePeerLink(this.forwarder, this.timing.timeoutMs).then((link) => {
      this.last = { link, startedAt: now };
      this.probing = undefined;
    });
    return this.probing;
  }

  private describe(): PeerLinkReport {
    if (!this.last) return { cell: this.forwarder.peerCell, status: 'unknown', stale: false };
    const ageMs = Math.max(0, this.now().getTime() - this.last.startedAt.getTime());
    return {
      ...this.last.link,
      checkedAt: this.last.startedAt.toISOString(),
      ageMs,
      stale: ageMs > this.timing.staleAfterMs,
    };
  }
}
