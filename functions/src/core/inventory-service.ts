import { HttpProblem, busy, conflict, ifMatchHolds, preconditionFailed } from './errors.js';
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
  readonly etag?: string;
}

export const allocationLimit = 1_000_000;

export class InventoryService {
  constructor(
    private readonly store: DocumentStore,
    private readonly cell: string,
    private readonly now: () => Date,
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
    return withOptimisticRetry(
      async () => (await write(await this.store.get(key(item.sku)))) ?? retry,
      () => busy(`inventory ${item.sku}`),
    );
  }

  /** Takes `quantity` units from this cell's available stock, or 409 insufficient_stock. */
  async reserve(sku: string, quantity: number): Promise<InventoryView> {
    const item = knownSku(sku);
    return withOptimisticRetry(
      async () => {
        const stored = await this.store.get<InventoryDocument>(key(item.sku));
        const available = stored ? stored.value.allocation - stored.value.reserved : 0;
        if (!stored || available < quantity) {
          throw conflict(
            'insufficient_stock',
            `only ${available} of ${item.sku} available in cell ${this.cell}, ${quantity} requested`,
            'quantity',
            { sku: item.sku, available },
          );
        }
        const next = { ...stored.value, reserved: stored.value.reserved + quantity };
        return this.replace(item.sku, stored, next);
      },
      () => busy(`inventory ${item.sku}`),
    );
  }

  /** Gives back `quantity` reserved units (an order that was not placed after all). */
  async release(sku: string, quantity: number): Promise<InventoryView> {
    const item = knownSku(sku);
    return withOptimisticRetry(
      async () => {
        const stored = await this.store.get<InventoryDocument>(key(item.sku));
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
      },
      () => busy(`inventory ${item.sku}`),
    );
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
    return withOptimisticRetry(
      async () => {
        const stored = await this.store.get<InventoryDocument>(key(item.sku));
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
      },
      () => busy(`inventory ${item.sku}`),
    );
  }

  /** Adds a transfer from the peer cell to this cell's allocation, once per transfer id. */
  async transferIn(
    sku: string,
    transferId: string,
    fromCell: string,
    quantity: number,
  ): Promise<InventoryView> {
    const item = knownSku(sku);
    return withOptimisticRetry(
      async () => {
        const stored = await this.store.get<InventoryDocument>(key(item.sku));
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
      },
      () => busy(`inventory ${item.sku}`),
    );
  }

  /**
   * The peer's half of taking a transfer back: records the id as voided unless it was already
   * delivered here (409 `transfer_delivered`: the units stay here, nothing to return).
   */
  async voidIncoming(sku: string, transferId: string, fromCell: string, quantity: number) {
    const item = knownSku(sku);
    return withOptimisticRetry(
      async () => {
        const stored = await this.store.get<InventoryDocument>(key(item.sku));
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
      },
      () => busy(`inventory ${item.sku}`),
    );
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
    return withOptimisticRetry(
      async () => {
        const stored = await this.store.get<InventoryDocument>(key(item.sku));
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
      },
      () => busy(`inventory ${item.sku}`),
    );
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
    if (stored) return this.replace(sku, stored, next);
    const created = await this.store.createIfAbsent(key(sku), next);
    return created.ok ? this.view(sku, { value: next, etag: created.etag }) : retry;
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
      ...(stored ? { etag: stored.etag } : {}),
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
