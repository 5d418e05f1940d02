import { SettingsError } from './errors.js';
import type { SettingsSchema } from './settings.js';

/**
 * Inventory leases (ADR 25). Each cell sells its own allocation of a SKU only while it holds a
 * lease granted by its peer, and never below the lease's **floor**: a number of units it
 * promised to keep unsold. The peer may take over the floor once the lease has run out (plus
 * a margin), so a down cell's stock can be sold by the survivor without a global lock. Safety
 * rests on the floor alone, enforced by the holder's compare-and-swap writes; the clocks only
 * decide when the takeover happens.
 */
export interface LeaseSettings {
  /** How long a grant lasts: INVENTORY_LEASE_MS. */
  readonly durationMs: number;
  /** How often the holder renews: INVENTORY_LEASE_RENEW_MS (less than the duration). */
  readonly renewMs: number;
  /** How long after expiry the grantor waits before taking over: INVENTORY_LEASE_MARGIN_MS. */
  readonly marginMs: number;
  /** Units of a SKU the holder may sell between two renewals: INVENTORY_LEASE_BUDGET. */
  readonly budget: number;
}

/** This cell's lease on its own allocation of one SKU, as granted by the peer. */
export interface HeldLease {
  /** The grant's sequence number: a late answer with a lower one is ignored. */
  readonly seq: number;
  /** Units this cell keeps unsold: `allocation - reserved >= floor` after every write. */
  readonly floor: number;
  /** This cell's own clock: measured from when the renewal was sent, so never later than the grantor's. */
  readonly expiresAt: string;
  /** The last takeover of the peer's this cell has taken off its allocation. */
  readonly handedOver?: string;
}

/** What this cell granted the peer on the peer's allocation of one SKU (the grantor's record). */
export interface PeerGrant {
  readonly seq: number;
  /**
   * The lowest floor the peer may still hold (its acknowledged floor and every grant it may yet
   * apply): the units the peer provably cannot sell. Only these may be taken over.
   */
  readonly safeFloor: number;
  /** The floor of the latest grant, as issued (before the peer clamps it to what it holds). */
  readonly issuedFloor: number;
  /** The grantor's own clock; the takeover may start after this plus the margin. */
  readonly expiresAt: string;
  /** The peer's figures at its last renewal (for operators and the recovery's audit). */
  readonly reportedAllocation: number;
  readonly reportedReserved: number;
  /** Units of the peer's allocation this cell took over, and how many of them it has sold. */
  readonly takeover?: Takeover;
}

export interface Takeover {
  readonly id: string;
  readonly units: number;
  readonly reserved: number;
  readonly at: string;
}

/** One SKU of a renewal: the holder's figures and the grant it holds. */
export interface LeaseReport {
  readonly sku: string;
  readonly allocation: number;
  readonly reserved: number;
  /** 0 when the holder holds no grant yet. */
  readonly heldSeq: number;
  readonly heldFloor: number;
  /** The last takeover id the holder has taken off its allocation ('' when none). */
  readonly handedOver: string;
}

/** One SKU of the grantor's answer. */
export interface LeaseGrant {
  readonly sku: string;
  readonly seq: number;
  readonly floor: number;
  readonly durationMs: number;
  /** Units the grantor took over while this lease had run out: the holder gives them up once. */
  readonly handover?: { readonly id: string; readonly units: number };
}

const grantedLimit = 1_000_000;

/**
 * The grantor's side of one SKU's renewal: folds an acknowledged takeover into its own
 * allocation (see InventoryService.grantLease), then issues a grant whose floor is what the
 * holder reported as available, less the budget and less any takeover it has not yet given up.
 */
export function issueGrant(
  previous: PeerGrant | undefined,
  report: LeaseReport,
  settings: LeaseSettings,
  now: Date,
): { record: PeerGrant; grant: LeaseGrant } {
  // The holder is back: the takeover shrinks to what was sold of it (sold from no more), and
  // only that is handed over; the unsold rest never left the holder's allocation.
  const pendingTakeover =
    previous?.takeover && previous.takeover.id !== report.handedOver
      ? {
          ...previous.takeover,
          units: Math.min(previous.takeover.units, previous.takeover.reserved),
        }
      : undefined;
  const available = Math.max(0, report.allocation - report.reserved);
  const floor = Math.max(0, available - (pendingTakeover?.units ?? 0) - settings.budget);
  // Every floor the holder may still hold or apply: the acknowledged one, the last one issued if
  // the holder has not acknowledged it yet (its answer may still arrive), and the new one.
  const acknowledged = previous !== undefined && report.heldSeq === previous.seq;
  const stillPossible = previous && !acknowledged ? previous.safeFloor : Number.POSITIVE_INFINITY;
  // A holder with no grant yet reports floor 0, so its first grant makes nothing takeable.
  const safeFloor = Math.min(report.heldFloor, stillPossible, floor);
  const seq = (previous?.seq ?? 0) + 1;
  const record: PeerGrant = {
    seq,
    safeFloor: Math.min(safeFloor, grantedLimit),
    issuedFloor: floor,
    expiresAt: new Date(now.getTime() + settings.durationMs).toISOString(),
    reportedAllocation: report.allocation,
    reportedReserved: report.reserved,
    ...(pendingTakeover ? { takeover: pendingTakeover } : {}),
  };
  const grant: LeaseGrant = {
    sku: report.sku,
    seq,
    floor,
    durationMs: settings.durationMs,
    ...(pendingTakeover
      ? { handover: { id: pendingTakeover.id, units: pendingTakeover.units } }
      : {}),
  };
  return { record, grant };
}

/** The grantor may take the peer's safe floor once the grant ran out and the margin passed. */
export function takeoverDue(grant: PeerGrant | undefined, settings: LeaseSettings, now: Date) {
  if (!grant || grant.takeover || grant.safeFloor <= 0) return false;
  return now.getTime() > Date.parse(grant.expiresAt) + settings.marginMs;
}

/** Whether a held lease lets this cell sell from its own allocation right now. */
export function leaseValid(lease: HeldLease | undefined, now: Date): lease is HeldLease {
  return lease !== undefined && now.getTime() < Date.parse(lease.expiresAt);
}

export const leaseSettingsSchema = {
  INVENTORY_LEASE_MS: {
    required: false,
    pattern: /^[1-9][0-9]{3,7}$/,
    describe:
      'how long an inventory lease lasts, in ms, 1000-99999999 (ADR 25); unset, each cell sells only its own allocation and nothing is taken over',
  },
  INVENTORY_LEASE_RENEW_MS: {
    required: false,
    pattern: /^[1-9][0-9]{2,7}$/,
    describe:
      'how often a cell renews its inventory leases, in ms, less than INVENTORY_LEASE_MS; a third of it when unset',
  },
  INVENTORY_LEASE_MARGIN_MS: {
    default: '5000',
    pattern: /^[0-9]{1,7}$/,
    describe: "how long after a lease's expiry the peer waits before taking over, in ms, 0-9999999",
  },
  INVENTORY_LEASE_BUDGET: {
    default: '500',
    pattern: /^[1-9][0-9]{0,6}$/,
    describe: 'units of each SKU a cell may sell between two lease renewals, 1-9999999',
  },
} as const satisfies SettingsSchema;

/** The lease settings, or undefined when INVENTORY_LEASE_MS is unset (leases off). */
export function leaseSettingsFrom(
  settings: Readonly<Record<keyof typeof leaseSettingsSchema, string | undefined>>,
  context: string,
): LeaseSettings | undefined {
  if (settings.INVENTORY_LEASE_MS === undefined) return undefined;
  const durationMs = Number(settings.INVENTORY_LEASE_MS);
  const renewMs =
    settings.INVENTORY_LEASE_RENEW_MS === undefined
      ? Math.floor(durationMs / 3)
      : Number(settings.INVENTORY_LEASE_RENEW_MS);
  if (renewMs >= durationMs) {
    throw new SettingsError(
      ['INVENTORY_LEASE_RENEW_MS'],
      `${context} cannot start: INVENTORY_LEASE_RENEW_MS (${renewMs}) must be less than INVENTORY_LEASE_MS (${durationMs}), or a lease runs out between renewals`,
    );
  }
  return {
    durationMs,
    renewMs,
    // readSettings applies the schema's defaults; these fallbacks are for callers that do not.
    marginMs: Number(
      settings.INVENTORY_LEASE_MARGIN_MS ?? leaseSettingsSchema.INVENTORY_LEASE_MARGIN_MS.default,
    ),
    budget: Number(
      settings.INVENTORY_LEASE_BUDGET ?? leaseSettingsSchema.INVENTORY_LEASE_BUDGET.default,
    ),
  };
}

/** `{ leases }` for a cell's config, or `{}` when leases are off. */
export function leasesOf(
  settings: Parameters<typeof leaseSettingsFrom>[0],
  context: string,
): { leases?: LeaseSettings } {
  const leases = leaseSettingsFrom(settings, context);
  return leases ? { leases } : {};
}
