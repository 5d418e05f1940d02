import type { Cloud, PerCloud } from '../../actions/shared/src/clouds.js';
import type { ReplicaCounts } from '../../functions/src/core/routes/replica-routes.js';
import { CellPoller } from './cell-poller.js';

/** The last answer of one cell's `GET /replicas`, and whether the last call got one. */
export interface ReplicaCountsStatus {
  /** The last counts the cell gave (kept while it does not answer). */
  counts: ReplicaCounts | undefined;
  /** Why the last call got no counts (the cell down, a 503 from its store). */
  error: string | undefined;
  checkedAt: string | undefined;
}

/**
 * Asks each cell's `GET /replicas` (admin) every two seconds how many carts and orders its
 * store holds, by home cell, for the dashboard. The cell counts from its store's listing by
 * key prefix (functions/src/core/routes/replica-routes.ts), so the figures are what each store
 * really holds; this asks less often than the health monitor, since a listing costs more than a
 * health check.
 */
export class ReplicaMonitor extends CellPoller {
  private readonly status: PerCloud<ReplicaCountsStatus> = {
    aws: { counts: undefined, error: undefined, checkedAt: undefined },
    azure: { counts: undefined, error: undefined, checkedAt: undefined },
  };
  constructor(
    private readonly cells: PerCloud<string>,
    /** The sandbox issuer's admin token (minted per call: the dashboard runs for hours). */
    private readonly adminToken: () => string,
    intervalMs = 2000,
  ) {
    super(intervalMs);
  }

  snapshot(): PerCloud<ReplicaCountsStatus> {
    return { aws: { ...this.status.aws }, azure: { ...this.status.azure } };
  }

  async check(cloud: Cloud): Promise<ReplicaCountsStatus> {
    const status = this.status[cloud];
    try {
      const response = await fetch(`${this.cells[cloud]}/replicas`, {
        headers: { authorization: `Bearer ${this.adminToken()}` },
        signal: AbortSignal.timeout(3000),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`GET /replicas answered ${response.status}`);
      status.counts = JSON.parse(text) as ReplicaCounts;
      status.error = undefined;
    } catch (error) {
      status.error = (error as Error).message;
    }
    status.checkedAt = new Date().toISOString();
    return { ...status };
  }
}
