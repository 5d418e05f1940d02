import { CLOUDS, type Cloud, type PerCloud } from '../../../actions/shared/src/clouds.js';

export interface CloudCounters {
  /** Requests answered since start (or the last reset). */
  requests: number;
  /** Of those, answered with a 5xx or not answered at all. */
  failed: number;
  /** Requests per second over the last few seconds. */
  rps: number;
}

export interface CountersSnapshot extends PerCloud<CloudCounters> {
  /** Requests the router could not place (no cloud has any weight). */
  unrouted: number;
  /** Of each cloud's requests, those that reached it through Front Door. */
  viaFrontDoor: PerCloud<number>;
}

const WINDOW_SECONDS = 3;
/**
 * How far back the per-second counts go: the dashboard's requests/s chart. The server keeps
 * them (not the page) so that a dashboard opened mid-rollout shows what came before.
 */
export const HISTORY_SECONDS = 120;

/** Requests answered per cloud in one complete second. */
export interface SecondCounts extends PerCloud<number> {
  /** The epoch second. */
  second: number;
}

/** Per-cloud request counts, a sliding per-second rate and two minutes of history. */
export class RequestCounters {
  private totals: PerCloud<{ requests: number; failed: number }> = fresh();
  private unrouted = 0;
  private viaFrontDoor: PerCloud<number> = { aws: 0, azure: 0 };
  // One bucket per second per cloud, keyed by the epoch second.
  private readonly buckets: PerCloud<Map<number, number>> = { aws: new Map(), azure: new Map() };

  record(cloud: Cloud, ok: boolean, now = Date.now()): void {
    this.totals[cloud].requests++;
    if (!ok) this.totals[cloud].failed++;
    const second = Math.floor(now / 1000);
    const bucket = this.buckets[cloud];
    bucket.set(second, (bucket.get(second) ?? 0) + 1);
    if (bucket.size > HISTORY_SECONDS + 1)
      for (const key of bucket.keys()) if (key < second - HISTORY_SECONDS) bucket.delete(key);
  }

  recordViaFrontDoor(cloud: Cloud): void {
    this.viaFrontDoor[cloud]++;
  }

  recordUnrouted(): void {
    this.unrouted++;
  }

  reset(): void {
    this.totals = fresh();
    this.unrouted = 0;
    this.viaFrontDoor = { aws: 0, azure: 0 };
  }

  snapshot(now = Date.now()): CountersSnapshot {
    const current = Math.floor(now / 1000);
    const rate = (cloud: Cloud): number => {
      // Complete seconds only: the running second would read low.
      let sum = 0;
      for (let s = current - WINDOW_SECONDS; s < current; s++)
        sum += this.buckets[cloud].get(s) ?? 0;
      return Math.round((sum / WINDOW_SECONDS) * 10) / 10;
    };
    const snapshot = {
      unrouted: this.unrouted,
      viaFrontDoor: { ...this.viaFrontDoor },
    } as CountersSnapshot;
    for (const cloud of CLOUDS) snapshot[cloud] = { ...this.totals[cloud], rps: rate(cloud) };
    return snapshot;
  }

  /**
   * Requests per cloud in each complete second of the last HISTORY_SECONDS, oldest first (a
   * second without traffic is a zero, not a gap). A counters reset keeps it: it is a picture
   * of the traffic, not of the totals.
   */
  history(now = Date.now()): SecondCounts[] {
    const current = Math.floor(now / 1000);
    const seconds: SecondCounts[] = [];
    for (let second = current - HISTORY_SECONDS; second < current; second++) {
      seconds.push({
        second,
        aws: this.buckets.aws.get(second) ?? 0,
        azure: this.buckets.azure.get(second) ?? 0,
      });
    }
    return seconds;
  }
}

function fresh(): PerCloud<{ requests: number; failed: number }> {
  return { aws: { requests: 0, failed: 0 }, azure: { requests: 0, failed: 0 } };
}
