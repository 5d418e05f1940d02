/**
 * `npm run rehearse -- --outage azure`: shoppers fill and check out carts at a steady rate
 * through the edge router; one cloud goes down (the sandbox's outage switch) for a while and
 * comes back; then the figures, each computed from the load's own counts and an audit of both
 * cells' stores: requests for the down cell's customers the survivor served, orders lost,
 * orders duplicated, whether the replicas converged, and stock oversold.
 */
import { CLOUDS, type Cloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import { catalog } from '../../functions/src/core/catalog.js';
import type { SandboxClient } from '../../sandbox/src/client.js';
import { CellStores } from '../../sandbox/src/replica-audit.js';
import type { SandboxState } from '../../sandbox/src/state-file.js';
import type { TokenSource } from '../../sandbox/src/tokens.js';
import { OutageLoad, type AcknowledgedOrder, type OutageLoadCounts } from './outage-load.js';

export interface OutageRehearsalOptions {
  readonly down: Cloud;
  readonly outageSeconds: number;
  readonly rps: number;
  readonly state: SandboxState;
  readonly client: SandboxClient;
  readonly tokens: TokenSource;
  readonly log: (line: string) => void;
  /** Load before the outage and after it, before the audit (default 5 and 10 s). */
  readonly warmSeconds?: number;
  readonly recoverySeconds?: number;
  /** How long the audit waits for the replicas to agree (default 180 s: a backlog drains). */
  readonly convergeTimeoutMs?: number;
}

export interface OutageSummary {
  readonly down: Cloud;
  readonly survivor: Cloud;
  readonly outageMs: number;
  readonly rps: number;
  readonly load: OutageLoadCounts;
  readonly ordersLost: string[];
  readonly ordersDuplicated: number;
  readonly converged: boolean;
  /** From the end of the load to the audit's verdict. */
  readonly convergedAfterMs: number;
  readonly documents: number;
  readonly notConverged: string[];
  readonly oversoldUnits: number;
}

type Stock = PerCloud<Record<string, number>>;

export async function rehearseOutage(options: OutageRehearsalOptions): Promise<OutageSummary> {
  const { down, client, state, log } = options;
  const survivor: Cloud = down === 'aws' ? 'azure' : 'aws';
  const stores = new CellStores(state.urls);
  try {
    const available = await stockAvailable(state, options.tokens);
    const load = new OutageLoad(state.urls.router ?? '', options.rps, options.tokens);
    load.start();
    log(`load: ${options.rps} requests/s of shoppers filling and checking out carts`);
    await sleep((options.warmSeconds ?? 5) * 1000);
    await client.setOutage(down, true);
    load.down = down;
    const started = Date.now();
    log(`${down} is down (its endpoint and storage reset every connection)`);
    await sleep(options.outageSeconds * 1000);
    await client.setOutage(down, false);
    load.down = undefined;
    const outageMs = Date.now() - started;
    log(`${down} is back after ${(outageMs / 1000).toFixed(1)} s`);
    await sleep((options.recoverySeconds ?? 10) * 1000);
    const counts = await load.stop();
    log('load stopped; auditing both cells');
    const keys = [
      ...counts.carts.map((id) => `carts/${id}`),
      ...counts.orders.map((order) => `orders/${order.id}`),
    ];
    const auditStarted = Date.now();
    const convergence = await awaitConvergence(stores, keys, options.convergeTimeoutMs ?? 180_000);
    const convergedAfterMs = Date.now() - auditStarted;
    return {
      down,
      survivor,
      outageMs,
      rps: options.rps,
      load: counts,
      ordersLost: await lostOrders(stores, counts.orders),
      ordersDuplicated: await duplicatedOrders(stores, counts),
      converged: convergence.length === 0,
      convergedAfterMs,
      documents: keys.length,
      notConverged: convergence,
      oversoldUnits: oversold(counts.orders, available),
    };
  } finally {
    stores.destroy();
  }
}

/** Each cell's available units per SKU before the load, from its own GET /inventory. */
async function stockAvailable(state: SandboxState, tokens: TokenSource): Promise<Stock> {
  const token = await tokens.customerToken('outage-rehearsal-stock');
  const stock: Stock = { aws: {}, azure: {} };
  for (const cloud of CLOUDS) {
    for (const { sku } of catalog.items) {
      const response = await fetch(`${state.urls[cloud]}/inventory/${sku}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { available?: number };
      stock[cloud][sku] = body.available ?? 0;
    }
  }
  return stock;
}

/**
 * Units ordered beyond what both cells had available, per SKU, summed. Per SKU and not per
 * cell: the survivor may sell the down cell's provably unsold units once its lease ran out
 * (ADR 25), so one cell's orders can exceed its own stock without overselling.
 */
function oversold(orders: readonly AcknowledgedOrder[], available: Stock): number {
  const ordered: Record<string, number> = {};
  for (const order of orders) {
    for (const line of order.items) {
      ordered[line.sku] = (ordered[line.sku] ?? 0) + line.quantity;
    }
  }
  return Object.entries(ordered).reduce((sum, [sku, units]) => {
    const stock = CLOUDS.reduce((total, cloud) => total + (available[cloud]?.[sku] ?? 0), 0);
    return sum + Math.max(0, units - stock);
  }, 0);
}

/** Polls until both cells hold every key identically; returns what still differs at the end. */
async function awaitConvergence(
  stores: CellStores,
  keys: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...keys];
  for (;;) {
    const report = await stores.compare(pending);
    pending = [...report.differing, ...report.missing.map(({ key }) => key)];
    if (pending.length === 0 || Date.now() > deadline) {
      return [
        ...report.differing,
        ...report.missing.map(({ key, in: cloud }) => `${key} (missing in ${cloud})`),
      ];
    }
    await sleep(3000);
  }
}

/** Orders the load was told were placed, that their own cell no longer holds. */
async function lostOrders(
  stores: CellStores,
  orders: readonly AcknowledgedOrder[],
): Promise<string[]> {
  const lost: string[] = [];
  for (const order of orders) {
    const home = (order.cell === 'azure' ? 'azure' : 'aws') as Cloud;
    if ((await stores.get(home, `orders/${order.id}`)) === undefined) lost.push(order.id);
  }
  return lost;
}

/** Orders beyond one per cart: the load's acknowledged ones and any other either cell holds. */
async function duplicatedOrders(stores: CellStores, counts: OutageLoadCounts): Promise<number> {
  const ourCarts = new Set(counts.carts);
  const perCart = new Map<string, Set<string>>();
  const add = (cartId: string, orderId: string): void => {
    perCart.set(cartId, (perCart.get(cartId) ?? new Set()).add(orderId));
  };
  for (const order of counts.orders) add(order.cartId, order.id);
  const known = new Set(counts.orders.map((order) => `orders/${order.id}`));
  for (const cloud of CLOUDS) {
    for (const key of await stores.list(cloud, 'orders/')) {
      if (known.has(key)) continue;
      known.add(key);
      const order = (await stores.get(cloud, key)) as
        { id: string; source?: { cartId?: string } } | undefined;
      const cartId = order?.source?.cartId;
      if (order && cartId && ourCarts.has(cartId)) add(cartId, order.id);
    }
  }
  return [...perCart.values()].reduce((sum, ids) => sum + ids.size - 1, 0);
}

export function renderOutageSummary(summary: OutageSummary): string {
  const { load } = summary;
  return [
    '',
    `outage rehearsal: ${summary.down} down for ${(summary.outageMs / 1000).toFixed(1)} s under ${summary.rps} requests/s`,
    `requests: ${load.requests} (aws ${load.perCloud.aws}, azure ${load.perCloud.azure}${load.skipped ? `; ${load.skipped} not sent: every shopper still waiting` : ''})`,
    `requests for ${summary.down}'s customers during the outage: ${load.downCellRequests}, served by ${summary.survivor}: ${load.servedBySurvivor}`,
    `orders acknowledged: ${load.orders.length}`,
    `orders lost: ${summary.ordersLost.length}${summary.ordersLost.length ? ` (${summary.ordersLost.slice(0, 5).join(', ')})` : ''}`,
    `orders duplicated: ${summary.ordersDuplicated}`,
    `replicas converged: ${summary.converged ? 'yes' : 'no'} (${summary.documents - summary.notConverged.length} of ${summary.documents} carts and orders identical in both cells, ${(summary.convergedAfterMs / 1000).toFixed(0)} s after the load${summary.notConverged.length ? `; not: ${summary.notConverged.slice(0, 5).join(', ')}` : ''})`,
    `stock oversold: ${summary.oversoldUnits} units`,
    ...(load.failures.length ? [`first failures: ${load.failures.slice(0, 5).join('; ')}`] : []),
    `failed requests: ${load.failed}`,
  ].join('\n');
}

/** The rehearsal passes when no order was lost or duplicated, replicas agree, nothing oversold. */
export function outageHeld(summary: OutageSummary): boolean {
  return (
    summary.ordersLost.length === 0 &&
    summary.ordersDuplicated === 0 &&
    summary.converged &&
    summary.oversoldUnits === 0
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
