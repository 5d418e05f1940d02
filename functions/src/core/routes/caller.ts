import type { Principal } from '../auth/principal.js';
import { HttpProblem } from '../errors.js';
import { parseJsonObject } from '../validation.js';

/**
 * The customer an order is placed for is always the caller (the token subject). Clients written
 * against the earlier API still send `customerId`: the caller's own is accepted, another one is
 * refused, never silently replaced.
 */
export function orderingCustomer(body: Record<string, unknown>, caller: Principal): string {
  if (body.customerId !== undefined && body.customerId !== caller.subject) {
    throw new HttpProblem(
      403,
      'customer_mismatch',
      'customerId must be left out or equal the subject of the bearer token: orders are placed only for the caller',
      'customerId',
    );
  }
  return caller.subject;
}

/** A JSON object body, or `{}` when there is none (POST /carts/{id}/checkout needs nothing). */
export function optionalJsonObject(body: string | undefined): Record<string, unknown> {
  return body === undefined || body.trim() === '' ? {} : parseJsonObject(body);
}
