import { HttpProblem } from './errors.js';
import type { LeaseGrant, LeaseSettings } from './inventory-lease.js';
import type { InventoryService } from './inventory-service.js';
import type { PeerForwarder } from './peer-forwarder.js';
import { leaseRenewalPath } from './routes/lease-routes.js';

/** The outcome of the last renewal, for GET /health and the timer's log. */
export interface LeaseRenewalStatus {
  readonly status: 'renewed' | 'failing' | 'never';
  readonly lastRenewedAt?: string;
  readonly lastAttemptAt?: string;
  readonly error?: string;
}

/**
 * Renews this cell's inventory leases with its peer (ADR 25): one signed call reports every
 * SKU's allocation, reservations and held grant, and applies the grants the peer answers.
 * Run by a timer: the sandbox's cell runner, an EventBridge schedule on AWS, a timer trigger
 * on Azure. A failed renewal changes nothing here; the leases run out on their own.
 */
export class LeaseRenewer {
  private last: LeaseRenewalStatus = { status: 'never' };

  constructor(
    private readonly inventory: InventoryService,
    private readonly forwarder: PeerForwarder,
    readonly settings: LeaseSettings,
    private readonly now: () => Date,
  ) {}

  get status(): LeaseRenewalStatus {
    return this.last;
  }

  /** One renewal; resolves with its status, never rejects for the peer's failure. */
  async renew(): Promise<LeaseRenewalStatus> {
    const sentAt = this.now();
    const attempt = { lastAttemptAt: sentAt.toISOString() };
    try {
      const grants = await this.requestGrants();
      for (const grant of grants) await this.inventory.applyGrant(grant, sentAt);
      this.last = { status: 'renewed', lastRenewedAt: sentAt.toISOString(), ...attempt };
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      const { lastRenewedAt } = this.last;
      this.last = {
        status: 'failing',
        ...(lastRenewedAt ? { lastRenewedAt } : {}),
        ...attempt,
        error: error.message,
      };
    }
    return this.last;
  }

  private async requestGrants(): Promise<LeaseGrant[]> {
    const reports = await this.inventory.leaseReports();
    const response = await this.forwarder.forward({
      method: 'POST',
      path: leaseRenewalPath,
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ leases: reports }),
    });
    if (response.status !== 200) {
      throw new HttpProblem(
        502,
        'lease_renewal_refused',
        `cell ${this.forwarder.peerCell} answered ${response.status} to the lease renewal: ${response.body.slice(0, 200)}`,
      );
    }
    const body = JSON.parse(response.body) as { grants?: unknown };
    const skus = new Set(reports.map((report) => report.sku));
    const grants = Array.isArray(body.grants) ? body.grants.filter(wellFormed) : [];
    // A lease never lasts longer here than this cell's own setting says.
    return grants
      .filter((grant) => skus.has(grant.sku))
      .map((grant) => ({
        ...grant,
        durationMs: Math.min(grant.durationMs, this.settings.durationMs),
      }));
  }
}

function wellFormed(value: unknown): value is LeaseGrant {
  const grant = value as Partial<LeaseGrant> | null;
  const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  return (
    typeof grant === 'object' &&
    grant !== null &&
    typeof grant.sku === 'string' &&
    count(grant.seq) &&
    count(grant.floor) &&
    count(grant.durationMs) &&
    (grant.handover === undefined ||
      (typeof grant.handover.id === 'string' && count(grant.handover.units)))
  );
}
