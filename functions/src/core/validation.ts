import { catalog, type CatalogItem } from './catalog.js';
import { badRequest } from './errors.js';

/** Parses a JSON object body; anything else is a 400 naming `body`. */
export function parseJsonObject(body: string | undefined): Record<string, unknown> {
  if (body === undefined || body.trim() === '') {
    throw badRequest('body', 'request body is required: a JSON object');
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw badRequest('body', 'request body is not valid JSON: send a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('body', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function integerField(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(field, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

const customerIdPattern = /^[A-Za-z0-9_.@-]{1,64}$/;

export function customerIdField(value: unknown, field = 'customerId'): string {
  if (typeof value !== 'string' || !customerIdPattern.test(value)) {
    throw badRequest(
      field,
      `${field} must be a string of 1 to 64 letters, digits, '_', '.', '@' or '-'`,
    );
  }
  return value;
}

export function knownSku(value: unknown, field = 'sku'): CatalogItem {
  const item = typeof value === 'string' ? catalog.find(value) : undefined;
  if (!item) {
    const known = catalog.items.map((entry) => entry.sku).join(', ');
    throw badRequest(field, `${field} must be a known SKU (one of ${known})`);
  }
  return item;
}

export const quantityLimits = { min: 1, max: 99 } as const;

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
}

export function orderLines(value: unknown, field = 'items'): OrderLine[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 20) {
    throw badRequest(field, `${field} must be an array of 1 to 20 {"sku", "quantity"} objects`);
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const at = `${field}[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw badRequest(at, `${at} must be an object {"sku", "quantity"}`);
    }
    const line = entry as Record<string, unknown>;
    const item = knownSku(line.sku, `${at}.sku`);
    if (seen.has(item.sku)) {
      throw badRequest(`${at}.sku`, `${at}.sku repeats ${item.sku}: list each SKU once`);
    }
    seen.add(item.sku);
    const quantity = integerField(
      line.quantity,
      `${at}.quantity`,
      quantityLimits.min,
      quantityLimits.max,
    );
    return { sku: item.sku, quantity };
  });
}
