import { catalog } from './catalog.js';
import { busy, conflict, ifMatchHolds, notFound, preconditionFailed } from './errors.js';
import { newId } from './ids.js';
import { retry, withOptimisticRetry } from './optimistic.js';
import type { OrderDocument, OrderService } from './order-service.js';
import type { DocumentStore, StoredDocument } from './ports.js';
import type { OrderLine } from './validation.js';

export interface CartDocument {
  readonly id: string;
  readonly cell: string;
  readonly items: readonly OrderLine[];
  readonly status: 'open' | 'checked-out';
  readonly orderId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface CartView extends CartDocument {
  readonly totalCents: number;
  readonly etag: string;
}

type CartChange = (items: readonly OrderLine[]) => readonly OrderLine[];

export class CartService {
  constructor(
    private readonly store: DocumentStore,
    private readonly orders: OrderService,
    private readonly cell: string,
    private readonly now: () => Date,
  ) {}

  async create(): Promise<CartView> {
    const timestamp = this.now().toISOString();
    const cart: CartDocument = {
      id: newId(this.cell),
      cell: this.cell,
      items: [],
      status: 'open',
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    const outcome = await this.store.createIfAbsent(cartKey(cart.id), cart);
    if (!outcome.ok) throw new Error(`random cart id ${cart.id} collided`);
    return view(cart, outcome.etag);
  }

  async get(id: string): Promise<CartView> {
    const stored = await this.store.get<CartDocument>(cartKey(id));
    if (!stored) throw notFound(`cart ${id} does not exist`, 'id');
    return view(stored.value, stored.etag);
  }

  /** Sets the quantity of one SKU; the cart is created on its first item. */
  async putItem(id: string, sku: string, quantity: number, ifMatch?: string): Promise<CartView> {
    return this.change(id, ifMatch, true, (items) => {
      const others = items.filter((line) => line.sku !== sku);
      return [...others, { sku, quantity }].sort((a, b) => a.sku.localeCompare(b.sku));
    });
  }

  async removeItem(id: string, sku: string, ifMatch?: string): Promise<CartView> {
    return this.change(id, ifMatch, false, (items) => items.filter((line) => line.sku !== sku));
  }

  /** Places the cart's order (idempotent per cart) and closes the cart. */
  async checkout(
    id: string,
    customerId: string,
  ): Promise<{ order: OrderDocument; created: boolean }> {
    const stored = await this.store.get<CartDocument>(cartKey(id));
    if (!stored) throw notFound(`cart ${id} does not exist`, 'id');
    if (stored.value.status === 'checked-out' && stored.value.orderId) {
      return { order: await this.orders.get(stored.value.orderId), created: false };
    }
    if (stored.value.items.length === 0) {
      throw conflict('cart_empty', `cart ${id} has no items: add one before checking out`, 'items');
    }
    const placed = await this.orders.place({
      idempotencyKey: id,
      customerId,
      items: stored.value.items,
      source: { kind: 'cart', cartId: id },
    });
    await withOptimisticRetry(
      async () => {
        const current = await this.store.get<CartDocument>(cartKey(id));
        if (!current || current.value.status === 'checked-out') return true;
        const closed: CartDocument = {
          ...current.value,
          status: 'checked-out',
          orderId: placed.order.id,
          updatedAt: this.now().toISOString(),
        };
        const outcome = await this.store.replaceIfMatch(cartKey(id), closed, current.etag);
        return outcome.ok ? true : retry;
      },
      () => busy(`cart ${id}`),
    );
    return placed;
  }

  private async change(
    id: string,
    ifMatch: string | undefined,
    createIfMissing: boolean,
    apply: CartChange,
  ): Promise<CartView> {
    const attempt = async (): Promise<CartView | typeof retry> => {
      const stored = await this.store.get<CartDocument>(cartKey(id));
      if (ifMatch !== undefined && !ifMatchHolds(ifMatch, stored?.etag)) throw preconditionFailed();
      if (!stored && !createIfMissing) throw notFound(`cart ${id} does not exist`, 'id');
      if (stored?.value.status === 'checked-out') {
        throw conflict(
          'cart_checked_out',
          `cart ${id} is checked out and can no longer change`,
          'id',
          {
            orderId: stored.value.orderId,
          },
        );
      }
      const next = this.nextCart(id, stored, apply);
      const outcome = stored
        ? await this.store.replaceIfMatch(cartKey(id), next, stored.etag)
        : await this.store.createIfAbsent(cartKey(id), next);
      if (outcome.ok) return view(next, outcome.etag);
      if (ifMatch !== undefined) throw preconditionFailed();
      return retry;
    };
    return withOptimisticRetry(attempt, () => busy(`cart ${id}`));
  }

  private nextCart(
    id: string,
    stored: StoredDocument<CartDocument> | undefined,
    apply: CartChange,
  ): CartDocument {
    const timestamp = this.now().toISOString();
    const base: CartDocument = stored?.value ?? {
      id,
      cell: this.cell,
      items: [],
      status: 'open',
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    return { ...base, items: apply(base.items), updatedAt: timestamp };
  }
}

function view(cart: CartDocument, etag: string): CartView {
  const totalCents = cart.items.reduce(
    (sum, line) => sum + (catalog.find(line.sku)?.priceCents ?? 0) * line.quantity,
    0,
  );
  return { ...cart, totalCents, etag };
}

export function cartKey(id: string): string {
  return `carts/${id}`;
}
