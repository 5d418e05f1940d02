import { catalog } from './catalog.js';
import { HttpProblem, busy, conflict, ifMatchHolds, preconditionFailed } from './errors.js';
import {
  issueGrant,
  leaseValid,
  takeoverDue,
  type HeldLease,
  type LeaseGrant,
  type LeaseReport,
  type LeaseSettings,
  type PeerGrant,
} from './inventory-lease.js';
import { retry, withOptimisticRetry } from './optimistic.js';
import type { DocumentStore, StoredDocument } from './ports.js';
import { knownSku } from './validation.js';

/**
 * Stock is allocated per cell: each cell sells only its own allocation, so a reservation
 * is a compare-and-swap on one document in this cell's store and nothing is oversold across
 * clouds without a global lock.
 */
export interface InventoryDocument {
  readonly sku: string;
  readonly cell: string;
  readonly allocation: number;
  readonly reserved: number;
  /**
   * Allocation moved to and from the peer cell, newest last. Kept in the same document as the
   * allocation so that recording a transfer and changing the allocation is one atomic write,
   * and a repeated transfer id is applied once.
   */
  readonly transfersOut?: readonly TransferRecord[];
  readonly transfersIn?: readonly TransferRecord[];
  /** This cell's lease on this allocation, granted by the peer (ADR 25). */
  readonly lease?: HeldLease;
  /** What this cell granted the peer on the peer's allocation, and what it took over. */
  readonly grant?: PeerGrant;
  readonly updatedAt: string;
}

export interface TransferRecord {
  readonly id: string;
  /** The other cell: destination of an outgoing transfer, origin of an incoming one. */
  readonly cell: string;
  readonly quantity: number;
  /**
   * Out: `returned` once the units came back because the peer voided the transfer. In:
   * `voided` when the origin took the transfer back before it arrived: a late delivery of
   * that id is refused, so the units are counted in one cell only.
   */
  readonly state?: 'returned' | 'voided';
}

/** How many transfer ids each direction remembers (a retry comes long before 200 more). */
const transferMemory = 200;

export interface InventoryView {
  readonly sku: string;
  readonly cell: string;
  readonly allocation: number;
  readonly reserved: number;
  readonly available: number;
  /** With leases on (ADR 25): this cell's lease, and the peer's units it took over. */
  readonly lease?: {
    readonly state: 'valid' | 'expired' | 'none';
    readonly floor: number;
    readonly expiresAt?: string;
  };
  readonly takenOver?: { readonly units: number; readonly reserved: number; readonly at: string };
  readonly etag?: string;
}

export const allocationLimit = 1_000_000;

export class InventoryService {
  constructor(
    private readonly store: DocumentStore,
    private readonly cell: string,
    private readonly now: () => Date,
    /** Lease settings; undefined: leases off, each cell sells its whole allocation (ADR 23). */
    private readonly leases?: LeaseSettings,
  ) {}

  async get(sku: string): Promise<InventoryView> {
    const item = knownSku(sku);
    const stored = await this.store.get<InventoryDocument>(key(item.sku));
    return this.view(item.sku, stored);
  }

  /** Sets this cell's allocation; with `ifMatch` a single conditional write (412 when stale). */
  async setAllocation(sku: string, allocation: number, ifMatch?: string): Promise<InventoryView> {
    const item = knownSku(sku);
    const write = async (stored: StoredDocument<InventoryDocument> | undefined) => {
      const reserved = stored?.value.reserved ?? 0;
      if (allocation < reserved) {
        throw conflict(
          'allocation_below_reserved',
          `allocation must be at least the ${reserved} units already reserved`,
          'allocation',
          { reserved },
        );
      }
      keepsFloor(stored?.value, allocation - reserved, 'allocation');
      const next: InventoryDocument = {
        ...stored?.value,
        sku: item.sku,
        cell: this.cell,
        allocation,
        reserved,
        updatedAt: this.now().toISOString(),
      };
      const outcome = stored
        ? await this.store.replaceIfMatch(key(item.sku), next, stored.etag)
        : await this.store.createIfAbsent(key(item.sku), next);
      return outcome.ok ? this.view(item.sku, { value: next, etag: outcome.etag }) : undefined;
    };

    if (ifMatch !== undefined) {
      const stored = await this.store.get<InventoryDocument>(key(item.sku));
      if (!stored || !ifMatchHolds(ifMatch, stored.etag)) throw preconditionFailed();
      const result = await write(stored);
      if (!result) throw preconditionFailed();
      return result;
    }
    return this.update(item.sku, async (stored) => (await write(stored)) ?? retry);
  }

  /**
   * Takes `quantity` units from this cell's available stock, or 409 insufficient_stock. With
   * leases on, from its own allocation only while its lease holds and above the lease's floor,
   * else from the peer's units it took over (ADR 25); 503 when only the lease stands in the way.
   */
  async reserve(sku: string, quantity: number): Promise<InventoryView> {
    const item = knownSku(sku);
    return this.update(item.sku, async (stored) => {
      if (stored && this.leases) return this.reserveLeased(item.sku, stored, quantity, this.leases);
      const available = stored ? stored.value.allocation - stored.value.reserved : 0;
      // Leases off: a floor promised while they were on still stands (ADR 25).
      const sellable = available - (stored?.value.lease?.floor ?? 0);
      if (!stored || sellable < quantity) throw this.insufficient(item.sku, sellable, quantity);
      const next = { ...stored.value, reserved: stored.value.reserved + quantity };
      return this.replace(item.sku, stored, next);
    });
  }

  private async reserveLeased(
    sku: string,
    stored: StoredDocument<InventoryDocument>,
    quantity: number,
    settings: LeaseSettings,
  ): Promise<InventoryView | typeof retry> {
    const now = this.now();
    const doc = stored.value;
    const available = doc.allocation - doc.reserved;
    const lease = doc.lease;
    const ownValid = leaseValid(lease, now);
    if (ownValid && available - quantity >= lease.floor) {
      return this.replace(sku, stored, { ...doc, reserved: doc.reserved + quantity });
    }
    let grant = doc.grant;
    if (grant && takeoverDue(grant, settings, now)) {
      grant = {
        ...grant,
        takeover: {
          id: `t${grant.seq}`,
          units: grant.safeFloor,
          reserved: 0,
          at: now.toISOString(),
        },
      };
    }
    const takeover = grant?.takeover;
    const takenAvailable = takeover ? takeover.units - takeover.reserved : 0;
    if (grant && takeover && takenAvailable >= quantity) {
      const next = { ...grant, takeover: { ...takeover, reserved: takeover.reserved + quantity } };
      return this.replace(sku, stored, { ...doc, grant: next });
    }
    const sellable = (ownValid ? Math.max(0, available - lease.floor) : 0) + takenAvailable;
    if (available + takenAvailable < quantity) throw this.insufficient(sku, sellable, quantity);
    throw leaseRefusal(this.cell, sku, ownValid ? 'budget' : 'expired', sellable, settings);
  }

  private insufficient(sku: string, available: number, quantity: number): HttpProblem {
    return conflict(
      'insufficient_stock',
      `only ${available} of ${sku} available in cell ${this.cell}, ${quantity} requested`,
      'quantity',
      { sku, available },
    );
  }

  /** Gives back `quantity` reserved units (an order that was not placed after all). */
  async release(sku: string, quantity: number): Promise<InventoryView> {
    const item = knownSku(sku);
    return this.update(item.sku, async (stored) => {
      const takeover = stored?.value.grant?.takeover;
      if (stored?.value.grant && takeover && takeover.reserved >= quantity) {
        // Most reservations while the peer's units are taken over come from them.
        const grant = {
          ...stored.value.grant,
          takeover: { ...takeover, reserved: takeover.reserved - quantity },
        };
        return this.replace(item.sku, stored, { ...stored.value, grant });
      }
      const reserved = stored?.value.reserved ?? 0;
      if (!stored || reserved < quantity) {
        throw conflict(
          'release_exceeds_reserved',
          `only ${reserved} of ${item.sku} are reserved in cell ${this.cell}, cannot release ${quantity}`,
          'quantity',
          { sku: item.sku, reserved },
        );
      }
      const next = { ...stored.value, reserved: reserved - quantity };
      return this.replace(item.sku, stored, next);
    });
  }

  /**
   * Takes `quantity` units of this cell's available allocation out for the peer cell, once
   * per transfer id. The units stay out of both cells until the peer applies the transfer,
   * so a failed delivery under-sells and never over-sells.
   */
  async transferOut(
    sku: string,
    transferId: string,
    toCell: string,
    quantity: number,
  ): Promise<InventoryView> {
    const item = knownSku(sku);
    return this.update(item.sku, async (stored) => {
      const earlier = stored?.value.transfersOut?.find((transfer) => transfer.id === transferId);
      if (earlier?.state === 'returned') throw transferSettled(transferId, 'returned');
      if (stored && earlier) return this.repeated(item.sku, stored, earlier, toCell, quantity);
      const available = stored ? stored.value.allocation - stored.value.reserved : 0;
      if (!stored || available < quantity) {
        throw conflict(
          'insufficient_stock',
          `only ${available} of ${item.sku} available in cell ${this.cell}, ${quantity} to transfer`,
          'quantity',
          { sku: item.sku, available },
        );
      }
      keepsFloor(stored.value, available - quantity, 'quantity');
      const transfersOut = [
        ...(stored.value.transfersOut ?? []),
        { id: transferId, cell: toCell, quantity },
      ].slice(-transferMemory);
      const next = {
        ...stored.value,
        allocation: stored.value.allocation - quantity,
        transfersOut,
      };
      return this.replace(item.sku, stored, next);
    });
  }

  /** Adds a transfer from the peer cell to this cell's allocation, once per transfer id. */
  async transferIn(
    sku: string,
    transferId: string,
    fromCell: string,
    quantity: number,
  ): Promise<InventoryView> {
    const item = knownSku(sku);
    return this.update(item.sku, async (stored) => {
      const earlier = stored?.value.transfersIn?.find((transfer) => transfer.id === transferId);
      if (earlier?.state === 'voided') throw transferSettled(transferId, 'voided');
      if (stored && earlier) return this.repeated(item.sku, stored, earlier, fromCell, quantity);
      const allocation = (stored?.value.allocation ?? 0) + quantity;
      if (allocation > allocationLimit) {
        throw conflict(
          'allocation_limit',
          `the allocation of ${item.sku} would exceed ${allocationLimit}`,
          'quantity',
        );
      }
      const record = { id: transferId, cell: fromCell, quantity };
      return this.recordIncoming(item.sku, stored, record, allocation);
    });
  }

  /**
   * The peer's half of taking a transfer back: records the id as voided unless it was already
   * delivered here (409 `transfer_delivered`: the units stay here, nothing to return).
   */
  async voidIncoming(sku: string, transferId: string, fromCell: string, quantity: number) {
    const item = knownSku(sku);
    return this.update(item.sku, async (stored) => {
      const earlier = stored?.value.transfersIn?.find((transfer) => transfer.id === transferId);
      if (earlier && earlier.state !== 'voided') throw transferSettled(transferId, 'delivered');
      if (stored && earlier) return this.view(item.sku, stored);
      const record: TransferRecord = {
        id: transferId,
        cell: fromCell,
        quantity,
        state: 'voided',
      };
      return this.recordIncoming(item.sku, stored, record, stored?.value.allocation ?? 0);
    });
  }

  /** The outgoing transfer `transferId`, or 404. */
  async outgoing(sku: string, transferId: string): Promise<TransferRecord> {
    const item = knownSku(sku);
    const stored = await this.store.get<InventoryDocument>(key(item.sku));
    const record = stored?.value.transfersOut?.find((transfer) => transfer.id === transferId);
    if (!record) {
      throw new HttpProblem(
        404,
        'not_found',
        `no transfer ${transferId} left this cell`,
        'transferId',
      );
    }
    return record;
  }

  /** Puts a voided transfer's units back into this cell's allocation, once. */
  async returnOutgoing(sku: string, transferId: string): Promise<InventoryView> {
    const item = knownSku(sku);
    return this.update(item.sku, async (stored) => {
      const record = stored?.value.transfersOut?.find((transfer) => transfer.id === transferId);
      if (!stored || !record) return this.view(item.sku, stored);
      if (record.state === 'returned') return this.view(item.sku, stored);
      const next: InventoryDocument = {
        ...stored.value,
        allocation: stored.value.allocation + record.quantity,
        transfersOut: (stored.value.transfersOut ?? []).map((transfer) =>
          transfer.id === transferId ? { ...transfer, state: 'returned' as const } : transfer,
        ),
      };
      return this.replace(item.sku, stored, next);
    });
  }

  /** This cell's figures and held grant for every SKU, for a renewal of its leases. */
  async leaseReports(): Promise<LeaseReport[]> {
    return Promise.all(
      catalog.items.map(async ({ sku }) => {
        const doc = (await this.store.get<InventoryDocument>(key(sku)))?.value;
        return {
          sku,
          allocation: doc?.allocation ?? 0,
          reserved: doc?.reserved ?? 0,
          heldSeq: doc?.lease?.seq ?? 0,
          heldFloor: doc?.lease?.floor ?? 0,
          handedOver: doc?.lease?.handedOver ?? '',
        };
      }),
    );
  }

  /**
   * The grantor's half of a renewal, for one SKU of the peer's: records and answers a grant.
   * A takeover the peer reports as given up is folded into this cell's allocation in the same
   * write, so the units are counted in exactly one cell at every moment.
   */
  async grantLease(report: LeaseReport): Promise<LeaseGrant> {
    const settings = this.requireLeases();
    const item = knownSku(report.sku);
    return this.update(item.sku, async (stored) => {
      const doc = stored?.value ?? this.emptyDocument(item.sku);
      const previous = doc.grant;
      const { record, grant } = issueGrant(previous, report, settings, this.now());
      const folded = previous?.takeover && previous.takeover.id === report.handedOver;
      const next: InventoryDocument = {
        ...doc,
        allocation: doc.allocation + (folded ? (previous.takeover?.units ?? 0) : 0),
        reserved: doc.reserved + (folded ? (previous.takeover?.reserved ?? 0) : 0),
        grant: record,
      };
      const written = await this.write(item.sku, stored, next);
      return written === retry ? retry : grant;
    });
  }

  /**
   * The holder's half: gives up a takeover the peer made (once, by id) and adopts a newer
   * grant, clamping its floor to what is unsold now. `sentAt`: when the renewal left this
   * cell, so this cell's lease ends no later than the grantor's record of it.
   */
  async applyGrant(grant: LeaseGrant, sentAt: Date): Promise<InventoryView> {
    const item = knownSku(grant.sku);
    return this.update(item.sku, async (stored) => {
      const doc = stored?.value ?? this.emptyDocument(item.sku);
      const handover =
        grant.handover && grant.handover.id !== doc.lease?.handedOver ? grant.handover : undefined;
      const allocation = doc.allocation - (handover?.units ?? 0);
      if (allocation < doc.reserved) {
        throw new Error(
          `inventory ${item.sku}: the peer took over ${handover?.units} units this cell had sold; the lease floor was not kept`,
        );
      }
      const newer = grant.seq > (doc.lease?.seq ?? 0);
      if (!newer && !handover) return this.view(item.sku, stored);
      const floor = Math.min(
        newer ? grant.floor : (doc.lease?.floor ?? 0),
        allocation - doc.reserved,
      );
      const handedOver = handover?.id ?? doc.lease?.handedOver;
      const lease: HeldLease = {
        seq: newer ? grant.seq : (doc.lease?.seq ?? 0),
        floor,
        expiresAt: newer
          ? new Date(sentAt.getTime() + grant.durationMs).toISOString()
          : (doc.lease?.expiresAt ?? sentAt.toISOString()),
        ...(handedOver ? { handedOver } : {}),
      };
      return this.write(item.sku, stored, { ...doc, allocation, lease });
    });
  }

  /**
   * One optimistic read-modify-write of a SKU's document: `attempt` gets the stored document
   * and returns `retry` when its conditional write lost the race; 503 busy once retries run out.
   */
  private update<T>(
    sku: string,
    attempt: (stored: StoredDocument<InventoryDocument> | undefined) => Promise<T | typeof retry>,
  ): Promise<T> {
    return withOptimisticRetry(
      async () => attempt(await this.store.get<InventoryDocument>(key(sku))),
      () => busy(`inventory ${sku}`),
    );
  }

  private requireLeases(): LeaseSettings {
    if (this.leases) return this.leases;
    throw new HttpProblem(
      503,
      'inventory_leases_off',
      `cell ${this.cell} grants no inventory leases: INVENTORY_LEASE_MS is not set on it (ADR 25)`,
    );
  }

  private emptyDocument(sku: string): InventoryDocument {
    return {
      sku,
      cell: this.cell,
      allocation: 0,
      reserved: 0,
      updatedAt: this.now().toISOString(),
    };
  }

  /** Replaces the stored document, or creates it when there was none. */
  private async write(
    sku: string,
    stored: StoredDocument<InventoryDocument> | undefined,
    next: InventoryDocument,
  ): Promise<InventoryView | typeof retry> {
    if (stored) return this.replace(sku, stored, next);
    const value = { ...next, updatedAt: this.now().toISOString() };
    const created = await this.store.createIfAbsent(key(sku), value);
    return created.ok ? this.view(sku, { value, etag: created.etag }) : retry;
  }

  private repeated(
    sku: string,
    stored: StoredDocument<InventoryDocument>,
    earlier: TransferRecord,
    cell: string,
    quantity: number,
  ): InventoryView {
    if (earlier.cell !== cell || earlier.quantity !== quantity) {
      throw new HttpProblem(
        422,
        'transfer_id_reused',
        `transfer ${earlier.id} was already made with another cell or quantity; use a new transferId`,
        'transferId',
      );
    }
    return this.view(sku, stored);
  }

  /** Remembers an incoming transfer (delivered or voided) with the allocation it leaves. */
  private async recordIncoming(
    sku: string,
    stored: StoredDocument<InventoryDocument> | undefined,
    record: TransferRecord,
    allocation: number,
  ): Promise<InventoryView | typeof retry> {
    const next: InventoryDocument = {
      ...stored?.value,
      sku,
      cell: this.cell,
      allocation,
      reserved: stored?.value.reserved ?? 0,
      transfersIn: [...(stored?.value.transfersIn ?? []), record].slice(-transferMemory),
      updatedAt: this.now().toISOString(),
    };
    return this.write(sku, stored, next);
  }

  private async replace(
    sku: string,
    stored: StoredDocument<InventoryDocument>,
    next: InventoryDocument,
  ): Promise<InventoryView | typeof retry> {
    const value = { ...next, updatedAt: this.now().toISOString() };
    const outcome = await this.store.replaceIfMatch(key(sku), value, stored.etag);
    return outcome.ok ? this.view(sku, { value, etag: outcome.etag }) : retry;
  }

  private view(sku: string, stored: StoredDocument<InventoryDocument> | undefined): InventoryView {
    const allocation = stored?.value.allocation ?? 0;
    const reserved = stored?.value.reserved ?? 0;
    return {
      sku,
      cell: this.cell,
      allocation,
      reserved,
      available: allocation - reserved,
      ...(this.leases ? this.leaseView(stored?.value) : {}),
      ...(stored ? { etag: stored.etag } : {}),
    };
  }

  private leaseView(
    doc: InventoryDocument | undefined,
  ): Pick<InventoryView, 'lease' | 'takenOver'> {
    const lease = doc?.lease;
    const takeover = doc?.grant?.takeover;
    const state = !lease ? 'none' : leaseValid(lease, this.now()) ? 'valid' : 'expired';
    return {
      lease: { state, floor: lease?.floor ?? 0, ...(lease ? { expiresAt: lease.expiresAt } : {}) },
      ...(takeover
        ? { takenOver: { units: takeover.units, reserved: takeover.reserved, at: takeover.at } }
        : {}),
    };
  }
}

function key(sku: string): string {
  return `inventory/${sku}`;
}

function transferSettled(transferId: string, how: 'voided' | 'returned' | 'delivered') {
  const why = {
    voided: 'was taken back by its origin; the units are there again',
    returned: 'was taken back and its units returned; use a new transferId',
    delivered: 'was already delivered to the peer; nothing to return',
  }[how];
  return new HttpProblem(409, `transfer_${how}`, `transfer ${transferId} ${why}`, 'transferId');
}

/**
 * A write that lowers what is unsold (a lower allocation, a transfer out) must keep the units
 * this cell promised its peer it would not sell: the peer may take them over (ADR 25).
 */
function keepsFloor(doc: InventoryDocument | undefined, unsoldAfter: number, field: string) {
  const floor = doc?.lease?.floor ?? 0;
  if (unsoldAfter >= floor) return;
  throw conflict(
    'below_lease_floor',
    `this would leave ${unsoldAfter} of ${doc?.sku} unsold, but ${floor} are promised to the peer cell by the inventory lease (ADR 25); wait for the next renewal`,
    field,
    { floor },
  );
}

/** 503: the stock exists, but the lease does not let this cell sell it now. */
function leaseRefusal(
  cell: string,
  sku: string,
  why: 'expired' | 'budget',
  sellable: number,
  settings: LeaseSettings,
): HttpProblem {
  const reason =
    why === 'expired'
      ? `cell ${cell} holds no valid inventory lease for ${sku}: it could not renew it with its peer, which may take over the unsold units (ADR 25)`
      : `cell ${cell} sold its lease budget of ${sku} for this period; the next renewal grants more`;
  const seconds = Math.max(1, Math.ceil(settings.renewMs / 1000));
  return new HttpProblem(
    503,
    why === 'expired' ? 'inventory_lease_expired' : 'inventory_lease_budget_spent',
    `${reason}; retry`,
    undefined,
    { sku, sellable },
    { 'retry-after': String(seconds) },
  );
}
