import { catalog } from './catalog.js';
import { busy, conflict, ifMatchHolds, notFound, preconditionFailed } from './errors.js';
import { homeCellOf, newId } from './ids.js';
import { retry, withOptimisticRetry } from './optimistic.js';
import type { OrderDocument, OrderService } from './order-service.js';
import type { DocumentStore, StoredDocument } from './ports.js';
import { lineVersionsOf } from './replica-merge.js';
import type { OrderLine } from './validation.js';

/** One SKU line's last change (ADR 23): quantity 0 records a removal, so a merge keeps it. */
export interface LineVersion {
  readonly quantity: number;
  readonly at: string;
  /** The cell that made the change; breaks a tie in `at`. */
  readonly by: string;
}

export interface CartDocument {
  readonly id: string;
  readonly cell: string;
  /** The token subject that made the cart; only they see it and check it out. */
  readonly customerId: string;
  readonly items: readonly OrderLine[];
  /** Per-SKU versions of `items`, for merging copies of the cart across cells. */
  readonly lines?: Readonly<Record<string, LineVersion>>;
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

/**
 * A cart belongs to the token subject that made it. Another customer's cart answers exactly as
 * a missing one (404), never 403, so its id cannot be confirmed; the one trace left is that a
 * PUT cannot create a cart under an id someone else already holds (ids from POST /carts are 72
 * random bits; see ADR 14).
 */
export class CartService {
  constructor(
    private readonly store: DocumentStore,
    private readonly orders: OrderService,
    private readonly cell: string,
    private readonly now: () => Date,
  ) {}

  async create(customerId: string): Promise<CartView> {
    const timestamp = this.now().toISOString();
    const cart: CartDocument = {
      id: newId(this.cell),
      cell: this.cell,
      customerId,
      items: [],
      lines: {},
      status: 'open',
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    const outcome = await this.store.createIfAbsent(cartKey(cart.id), cart);
    if (!outcome.ok) throw new Error(`random cart id ${cart.id} collided`);
    return view(cart, outcome.etag);
  }

  async get(id: string, customerId: string): Promise<CartView> {
    const stored = owned(await this.store.get<CartDocument>(cartKey(id)), customerId);
    if (!stored) throw notFound(`cart ${id} does not exist`, 'id');
    return view(stored.value, stored.etag);
  }

  /** Sets the quantity of one SKU; the cart is created on its first item. */
  async putItem(
    id: string,
    customerId: string,
    sku: string,
    quantity: number,
    ifMatch?: string,
  ): Promise<CartView> {
    return this.change({ id, customerId }, ifMatch, true, (items) => {
      const others = items.filter((line) => line.sku !== sku);
      return [...others, { sku, quantity }].sort((a, b) => a.sku.localeCompare(b.sku));
    });
  }

  async removeItem(
    id: string,
    customerId: string,
    sku: string,
    ifMatch?: string,
  ): Promise<CartView> {
    return this.change({ id, customerId }, ifMatch, false, (items) =>
      items.filter((line) => line.sku !== sku),
    );
  }

  /** Places the cart's order (idempotent per cart) and closes the cart. */
  async checkout(
    id: string,
    customerId: string,
  ): Promise<{ order: OrderDocument; created: boolean }> {
    const key = cartKey(id);
    const stored = owned(await this.store.get<CartDocument>(key), customerId);
    if (!stored) throw notFound(`cart ${id} does not exist`, 'id');
    if (stored.value.status === 'checked-out' && stored.value.orderId) {
      return { order: await this.orders.get(stored.value.orderId, customerId), created: false };
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
        const current = await this.store.get<CartDocument>(key);
        if (!current || current.value.status === 'checked-out') return true;
        const closed: CartDocument = {
          ...current.value,
          status: 'checked-out',
          orderId: placed.order.id,
          updatedAt: this.now().toISOString(),
        };
        const outcome = await this.store.replaceIfMatch(key, closed, current.etag);
        return outcome.ok ? true : retry;
      },
      () => busy(`cart ${id}`),
    );
    return placed;
  }

  private async change(
    cart: { readonly id: string; readonly customerId: string },
    ifMatch: string | undefined,
    createIfMissing: boolean,
    apply: CartChange,
  ): Promise<CartView> {
    const { id } = cart;
    const key = cartKey(id);
    const attempt = async (): Promise<CartView | typeof retry> => {
      const found = await this.store.get<CartDocument>(key);
      const stored = owned(found, cart.customerId);
      if (found && !stored) throw notFound(`cart ${id} does not exist`, 'id');
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
      const next = this.nextCart(cart, stored, apply);
      const outcome = stored
        ? await this.store.replaceIfMatch(key, next, stored.etag)
        : await this.store.createIfAbsent(key, next);
      if (outcome.ok) return view(next, outcome.etag);
      if (ifMatch !== undefined) throw preconditionFailed();
      return retry;
    };
    return withOptimisticRetry(attempt, () => busy(`cart ${id}`));
  }

  private nextCart(
    { id, customerId }: { readonly id: string; readonly customerId: string },
    stored: StoredDocument<CartDocument> | undefined,
    apply: CartChange,
  ): CartDocument {
    const timestamp = this.now().toISOString();
    const base: CartDocument = stored?.value ?? {
      id,
      // The id's cell, also when a survivor creates a down peer's cart on its first item.
      cell: homeCellOf(id),
      customerId,
      items: [],
      lines: {},
      status: 'open',
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    const items = apply(base.items);
    return {
      ...base,
      items,
      lines: stampLines(base, items, timestamp, this.cell),
      updatedAt: timestamp,
    };
  }
}

/** The cart's line versions after a change: each SKU whose quantity changed gets `at` and `by`. */
function stampLines(
  before: CartDocument,
  items: readonly OrderLine[],
  at: string,
  by: string,
): Record<string, LineVersion> {
  const lines: Record<string, LineVersion> = { ...lineVersionsOf(before) };
  const quantities = new Map(items.map((line) => [line.sku, line.quantity]));
  for (const sku of new Set([...Object.keys(lines), ...quantities.keys()])) {
    const quantity = quantities.get(sku) ?? 0;
    if (lines[sku]?.quantity !== quantity) lines[sku] = { quantity, at, by };
  }
  return lines;
}

function view(document: CartDocument, etag: string): CartView {
  // The line versions are the cells' bookkeeping, not part of the API.
  const { lines: _lines, ...cart } = document;
  const totalCents = cart.items.reduce(
    (sum, line) => sum + (catalog.find(line.sku)?.priceCents ?? 0) * line.quantity,
    0,
  );
  return { ...cart, totalCents, etag };
}

/** The stored cart when `customerId` owns it (carts from before owners were recorded: nobody). */
function owned(
  stored: StoredDocument<CartDocument> | undefined,
  customerId: string,
): StoredDocument<CartDocument> | undefined {
  return stored?.value.customerId === customerId ? stored : undefined;
}

export function cartKey(id: string): string {
  return `carts/${id}`;
}
