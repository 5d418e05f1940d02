/**
 * How two copies of one cart or order become one (ADR 23). Each merge is commutative,
 * associative and idempotent, so both cells reach the same document whatever order the
 * copies arrive in, and merging a copy twice changes nothing.
 */
import type { CartDocument, LineVersion } from './cart-service.js';
import type { OrderDocument } from './order-service.js';

/** JSON with sorted keys: two equal documents give the same text whichever cell built them. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function sameDocument(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The later of two line versions: by time, then by cell name (a total order, no ties). */
function later(a: LineVersion | undefined, b: LineVersion | undefined): LineVersion | undefined {
  if (!a) return b;
  if (!b) return a;
  if (a.at !== b.at) return a.at > b.at ? a : b;
  if (a.by !== b.by) return a.by > b.by ? a : b;
  return a.quantity >= b.quantity ? a : b;
}

/** A cart's line versions; a cart written before they existed counts its lines as of updatedAt. */
export function lineVersionsOf(cart: CartDocument): Record<string, LineVersion> {
  if (cart.lines) return cart.lines;
  return Object.fromEntries(
    cart.items.map((line) => [
      line.sku,
      { quantity: line.quantity, at: cart.updatedAt, by: cart.cell },
    ]),
  );
}

/**
 * Carts: every SKU's line is a last-writer-wins register (a removal is a version with quantity
 * 0), so an edit made on either side survives unless the same line was changed later on the
 * other. Checked out wins over open; of two different orders for one cart (checked out on both
 * sides before either heard of the other) the cart names the smaller id and both orders stay.
 */
export function mergeCarts(a: CartDocument, b: CartDocument): CartDocument {
  const left = lineVersionsOf(a);
  const right = lineVersionsOf(b);
  const lines: Record<string, LineVersion> = {};
  for (const sku of new Set([...Object.keys(left), ...Object.keys(right)])) {
    const winner = later(left[sku], right[sku]);
    if (winner) lines[sku] = winner;
  }
  const items = Object.entries(lines)
    .filter(([, line]) => line.quantity > 0)
    .map(([sku, line]) => ({ sku, quantity: line.quantity }))
    .sort((x, y) => x.sku.localeCompare(y.sku));
  const orderIds = [a.orderId, b.orderId].filter((id): id is string => Boolean(id)).sort();
  const checkedOut = a.status === 'checked-out' || b.status === 'checked-out';
  return {
    id: a.id,
    cell: a.cell < b.cell ? a.cell : b.cell,
    customerId: a.customerId,
    items,
    lines,
    status: checkedOut ? 'checked-out' : 'open',
    ...(orderIds[0] ? { orderId: orderIds[0] } : {}),
    createdAt: a.createdAt < b.createdAt ? a.createdAt : b.createdAt,
    updatedAt: a.updatedAt > b.updatedAt ? a.updatedAt : b.updatedAt,
  };
}

/**
 * Orders: placed once, by one cell, so only their progress differs between copies: confirmed
 * wins over placed, processed events are the union, published once either side published.
 */
export function mergeOrders(a: OrderDocument, b: OrderDocument): OrderDocument {
  const base = canonicalJson(a) <= canonicalJson(b) ? a : b;
  const confirmed = a.status === 'confirmed' || b.status === 'confirmed';
  return {
    ...base,
    status: confirmed ? 'confirmed' : 'placed',
    eventPublished: a.eventPublished || b.eventPublished,
    processedEventIds: [...new Set([...a.processedEventIds, ...b.processedEventIds])].sort(),
    updatedAt: a.updatedAt > b.updatedAt ? a.updatedAt : b.updatedAt,
  };
}

/** Merges two copies of the document at `key` (`carts/…` or `orders/…`). */
export function mergeReplica(key: string, a: unknown, b: unknown): unknown {
  if (key.startsWith('carts/')) return mergeCarts(a as CartDocument, b as CartDocument);
  return mergeOrders(a as OrderDocument, b as OrderDocument);
}
