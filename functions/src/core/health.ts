import type { EventQueue, Notifier, Ports } from './ports.js';

export interface CellIdentity {
  readonly cell: string;
  readonly cloud: 'aws' | 'azure' | 'memory';
  readonly region: string;
  readonly version: string;
}

export type DependencyName = 'documents' | 'events' | 'notifications';

/**
 * One dependency's state, and how it was learnt (`source`):
 * - `live`: checked during this request (`latencyMs`);
 * - `last-send`: the outcome of this instance's most recent real send (`lastSendAt`), for an
 *   adapter whose least-privilege credentials allow sending and nothing else (Azure's
 *   Send-only SAS rules cannot read the hub; a probe send per health check would reach
 *   consumers and customers). `unknown`: nothing sent yet, or the last failure is older than
 *   the hold window; it does not make the cell unhealthy.
 */
export interface DependencyCheck {
  readonly status: 'ok' | 'failing' | 'unknown';
  readonly source: 'live' | 'last-send';
  readonly latencyMs?: number;
  readonly lastSendAt?: string;
  readonly error?: string;
}

export interface HealthReport extends CellIdentity {
  readonly status: 'ok' | 'degraded';
  readonly checks: Record<DependencyName, DependencyCheck>;
  /**
   * The link to the peer cell, for operators and the dashboard. Never part of `status`: a cell
   * whose peer is down must stay healthy, or one cloud's outage would withdraw both from DNS.
   * Absent on the peer's own probe (no probe loop between the cells).
   */
  readonly peer?: PeerLinkReport;
}

/**
 * `up`: the peer answered its signed GET /health with 200; `degraded`: with 503; `rejected`:
 * it refused the signature (PEER_SHARED_KEY differs between the cells); `unreachable`: no
 * answer in time; `failing`: any other answer.
 */
export interface PeerLink {
  readonly cell: string;
  readonly status: 'up' | 'degraded' | 'rejected' | 'unreachable' | 'failing';
  readonly latencyMs: number;
  readonly httpStatus?: number;
  readonly error?: string;
}

/**
 * What GET /health says of the peer (ADR 26): the last probe's result, never a probe made for
 * this request alone. `checkedAt` is when that probe started and `ageMs` how long ago;
 * `stale` once it is older than the documented limit (30 s by default). `unknown`: this
 * instance has not finished a probe yet.
 */
export type PeerLinkReport =
  | (PeerLink & { readonly checkedAt: string; readonly ageMs: number; readonly stale: boolean })
  | { readonly cell: string; readonly status: 'unknown'; readonly stale: false };

/**
 * How long a failed send keeps its check `failing` when nothing has been sent since: long
 * enough for the smoke tests and probes to see it, short enough that a cell drained of traffic
 * (so sending nothing) is not held unhealthy forever by one old failure.
 */
export const lastSendFailureHoldMs = 60_000;

/** The outcome of the most recent real publish and notify of this instance. */
export class LastSendOutcomes {
  private readonly outcomes = new Map<DependencyName, { at: Date; error?: string }>();

  constructor(
    private readonly now: () => Date,
    private readonly failureHoldMs = lastSendFailureHoldMs,
  ) {}

  record(dependency: DependencyName, error?: unknown): void {
    this.outcomes.set(dependency, {
      at: this.now(),
      ...(error === undefined ? {} : { error: errorText(error) }),
    });
  }

  report(dependency: DependencyName): DependencyCheck {
    const outcome = this.outcomes.get(dependency);
    if (!outcome) return { status: 'unknown', source: 'last-send' };
    const lastSendAt = outcome.at.toISOString();
    if (outcome.error === undefined) return { status: 'ok', source: 'last-send', lastSendAt };
    const recent = this.now().getTime() - outcome.at.getTime() < this.failureHoldMs;
    return {
      status: recent ? 'failing' : 'unknown',
      source: 'last-send',
      lastSendAt,
      error: outcome.error,
    };
  }
}

/**
 * Wraps the queue and the notifier so that every real send records its outcome (the error
 * is rethrown unchanged). `check` stays when the adapter has one.
 */
export function recordSendOutcomes(ports: Ports, outcomes: LastSendOutcomes): Ports {
  const { events, notifier } = ports;
  const recorded = async (dependency: DependencyName, send: () => Promise<void>) => {
    try {
      await send();
      outcomes.record(dependency);
    } catch (error) {
      outcomes.record(dependency, error);
      throw error;
    }
  };
  const queue: EventQueue = {
    publish: (event, options) => recorded('events', () => events.publish(event, options)),
    ...(events.check ? { check: () => (events.check as () => Promise<void>).call(events) } : {}),
  };
  const push: Notifier = {
    notify: (notification) => recorded('notifications', () => notifier.notify(notification)),
    ...(notifier.check
      ? { check: () => (notifier.check as () => Promise<void>).call(notifier) }
      : {}),
  };
  return {
    documents: ports.documents,
    events: queue,
    notifier: push,
    ...(ports.replication ? { replication: ports.replication } : {}),
  };
}

/**
 * What the smoke tests, Route 53 health checks and Front Door probes call: identity plus the
 * state of every dependency. The store is always checked live; the queue and the notifier
 * live when their adapter has a `check` that their least-privilege rights allow, otherwise
 * from their last send.
 */
export async function checkHealth(
  identity: CellIdentity,
  ports: Ports,
  lastSends: LastSendOutcomes,
  timeoutMs: number,
): Promise<HealthReport> {
  const { events, notifier } = ports;
  const [documents, eventsCheck, notifications] = await Promise.all([
    timed(() => ports.documents.check(), timeoutMs),
    events.check
      ? timed(() => (events.check as () => Promise<void>).call(events), timeoutMs)
      : lastSends.report('events'),
    notifier.check
      ? timed(() => (notifier.check as () => Promise<void>).call(notifier), timeoutMs)
      : lastSends.report('notifications'),
  ]);
  const checks = { documents, events: eventsCheck, notifications };
  const healthy = Object.values(checks).every((check) => check.status !== 'failing');
  return { ...identity, status: healthy ? 'ok' : 'degraded', checks };
}

async function timed(check: () => Promise<void>, timeoutMs: number): Promise<DependencyCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok', source: 'live', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'failing',
      source: 'live',
      latencyMs: Math.round(performance.now() - started),
      error: errorText(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

// Error messages of SDK clients and of the REST adapters name the endpoint, never a credential.
function errorText(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : String(error);
}
