/**
 * The load of an outage rehearsal: shoppers who each fill a cart and check it out, one request
 * per tick at a fixed rate through the edge router, counting for themselves what the summary
 * reports: every request (and for which cell's customer it was, and which cell answered), every
 * order acknowledged, and the carts and orders they made, so the replicas can be audited.
 */
import { randomUUID } from 'node:crypto';

import { isCloud, type Cloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import { CELL_HEADER } from '../../sandbox/src/router/edge-router.js';
import type { TokenSource } from '../../sandbox/src/tokens.js';

const SKUS = ['TSHIRT-S', 'TSHIRT-M', 'TSHIRT-L', 'MUG', 'STICKERS', 'HOODIE'];
const SHOPPERS = 200;
const ITEMS_PER_CART = 2;

export interface AcknowledgedOrder {
  readonly id: string;
  readonly cartId: string;
  readonly cell: string;
  readonly items: readonly { sku: string; quantity: number }[];
}

export interface OutageLoadCounts {
  requests: number;
  failed: number;
  /** Ticks with every shopper still waiting for an answer (the sandbox could not keep up). */
  skipped: number;
  perCloud: PerCloud<number>;
  /** Requests naming a cart or order of the down cell, sent while it was down. */
  downCellRequests: number;
  /** ... of which the survivor answered successfully. */
  servedBySurvivor: number;
  orders: AcknowledgedOrder[];
  carts: string[];
  failures: string[];
}

interface Shopper {
  readonly id: string;
  cartId?: string;
  items: number;
  busy: boolean;
  /** The status of the shopper's last request (0: no answer). */
  lastStatus: number;
}

export class OutageLoad {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shoppers: Shopper[] = Array.from({ length: SHOPPERS }, (_, index) => ({
    id: `outage-${randomUUID().slice(0, 6)}-${index}`,
    items: 0,
    busy: false,
    lastStatus: 0,
  }));
  /** The cloud that is down now, if any (set by the rehearsal as it switches). */
  down: Cloud | undefined;
  readonly counts: OutageLoadCounts = {
    requests: 0,
    failed: 0,
    skipped: 0,
    perCloud: { aws: 0, azure: 0 },
    downCellRequests: 0,
    servedBySurvivor: 0,
    orders: [],
    carts: [],
    failures: [],
  };

  constructor(
    private readonly routerUrl: string,
    private readonly rps: number,
    private readonly tokens: TokenSource,
  ) {}

  start(): void {
    const interval = 1000 / this.rps;
    let next = Date.now();
    const tick = (): void => {
      while (next <= Date.now()) {
        next += interval;
        const shopper = this.shoppers.find((candidate) => !candidate.busy);
        if (!shopper) {
          this.counts.skipped += 1;
          continue;
        }
        // The least recently served idle shopper goes next.
        this.shoppers.push(...this.shoppers.splice(this.shoppers.indexOf(shopper), 1));
        shopper.busy = true;
        const work = this.step(shopper).finally(() => {
          shopper.busy = false;
          this.inFlight.delete(work);
        });
        this.inFlight.add(work);
      }
      this.timer = setTimeout(tick, Math.max(0, next - Date.now()));
    };
    tick();
  }

  async stop(): Promise<OutageLoadCounts> {
    clearTimeout(this.timer);
    await Promise.all([...this.inFlight]);
    return this.counts;
  }

  /** One request: a new cart, an item into it, or its checkout. */
  private async step(shopper: Shopper): Promise<void> {
    if (!shopper.cartId) {
      const cart = await this.send(shopper, 'POST', '/carts');
      const id = (cart as { id?: string } | undefined)?.id;
      if (id) {
        shopper.cartId = id;
        shopper.items = 0;
        this.counts.carts.push(id);
      }
      return;
    }
    const cartId = shopper.cartId;
    if (shopper.items < ITEMS_PER_CART) {
      const sku = SKUS[Math.floor(Math.random() * SKUS.length)] as string;
      const put = await this.send(shopper, 'PUT', `/carts/${cartId}/items/${sku}`, {
        quantity: 1,
      });
      if (put) shopper.items += 1;
      else this.dropRefusedCart(shopper);
      return;
    }
    const order = (await this.send(shopper, 'POST', `/carts/${cartId}/checkout`)) as
      { id?: string; cell?: string; items?: { sku: string; quantity: number }[] } | undefined;
    if (order?.id) {
      this.counts.orders.push({
        id: order.id,
        cartId,
        cell: order.cell ?? '',
        items: (order.items ?? []).map(({ sku, quantity }) => ({ sku, quantity })),
      });
      shopper.cartId = undefined;
    } else this.dropRefusedCart(shopper);
  }

  /** A cart the cells refuse (4xx) is left behind; an unanswered request is retried. */
  private dropRefusedCart(shopper: Shopper): void {
    if (shopper.lastStatus >= 400 && shopper.lastStatus < 500) shopper.cartId = undefined;
  }

  private async send(
    shopper: Shopper,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<unknown> {
    const down = this.down;
    const forDownCell = down !== undefined && path.includes(`/${down}-`);
    let status = 0;
    let cloud = 'none';
    let parsed: unknown;
    let detail = '';
    try {
      const token = await this.tokens.customerToken(shopper.id);
      const response = await fetch(`${this.routerUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      cloud = response.headers.get(CELL_HEADER) ?? 'none';
      const text = await response.text();
      detail = text.slice(0, 160);
      parsed = JSON.parse(text);
    } catch (error) {
      detail ||= (error as Error).message;
    }
    const failed = status === 0 || status >= 500 || status === 401 || status === 403;
    shopper.lastStatus = status;
    this.counts.requests += 1;
    if (isCloud(cloud)) this.counts.perCloud[cloud] += 1;
    if (forDownCell) {
      this.counts.downCellRequests += 1;
      if (!failed && status < 400 && cloud !== down) this.counts.servedBySurvivor += 1;
    }
    if (failed) {
      this.counts.failed += 1;
      if (this.counts.failures.length < 10) {
        this.counts.failures.push(`${method} ${path} ${status} (${cloud}): ${detail}`);
      }
    }
    return failed || status >= 400 ? undefined : parsed;
  }
}
