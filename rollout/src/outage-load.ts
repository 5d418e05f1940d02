/**
 * The load of an outage rehearsal: shoppers who each fill a cart and check it out, one request
 * per tick at a fixed rate through the edge router, counting for themselves what the summary
 * reports: every request (and for which cell's customer it was, and which cell answered), every
 * order acknowledged, and the carts and orders they made, so the replicas can be audited.
 */
import { randomUUID } from 'node:crypto';

import { isCloud, type Cloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import { Pacer, randomSku, sendThroughRouter } from '../../sandbox/src/load-generator.js';
import type { TokenSource } from '../../sandbox/src/tokens.js';

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
  private readonly pacer: Pacer;
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
    rps: number,
    private readonly tokens: TokenSource,
  ) {
    this.pacer = new Pacer(rps, () => {
      const shopper = this.shoppers.find((candidate) => !candidate.busy);
      if (!shopper) {
        this.counts.skipped += 1;
        return undefined;
      }
      // The least recently served idle shopper goes next.
      this.shoppers.push(...this.shoppers.splice(this.shoppers.indexOf(shopper), 1));
      shopper.busy = true;
      return this.step(shopper).finally(() => {
        shopper.busy = false;
      });
    });
  }

  start(): void {
    this.pacer.start();
  }

  async stop(): Promise<OutageLoadCounts> {
    await this.pacer.stop();
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
      const put = await this.send(shopper, 'PUT', `/carts/${cartId}/items/${randomSku()}`, {
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
    const answer = await sendThroughRouter(this.routerUrl, this.tokens, {
      method,
      path,
      ...(body === undefined ? {} : { body }),
      shopper: shopper.id,
      timeoutMs: 30_000,
    });
    const { status, cloud, failed } = answer;
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
        this.counts.failures.push(`${method} ${path} ${status} (${cloud}): ${answer.detail}`);
      }
    }
    return answer.body;
  }
}
