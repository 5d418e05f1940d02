import { HttpProblem, badRequest } from '../errors.js';
import { jsonResponse } from '../http-types.js';
import type { LeaseReport } from '../inventory-lease.js';
import { allocationLimit, type InventoryService } from '../inventory-service.js';
import { forwardedFromHeader } from '../peer-forwarder.js';
import type { Route } from '../router.js';
import { catalog } from '../catalog.js';
import { integerField, knownSku, parseJsonObject } from '../validation.js';

/** The path of a lease renewal, the peer's signed call (ADR 25). */
export const leaseRenewalPath = '/inventory-leases';

const takeoverIdPattern = /^(t[0-9]{1,12})?$/;

/**
 * `POST /inventory-leases`: the peer renews its leases on its own allocation, one report per
 * SKU, and gets a grant for each. Only the peer may call it: the peer header counts only when
 * signed (ADR 17, checked before any route); without it the answer is 403 and nothing changes.
 */
export function leaseRoutes(peerCell: string, inventory: InventoryService): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/inventory-leases$/,
      access: 'public',
      handler: async (request) => {
        if (request.headers[forwardedFromHeader] !== peerCell) {
          throw new HttpProblem(
            403,
            'peer_only',
            `only cell ${peerCell}, with a signed call, may renew inventory leases`,
          );
        }
        const reports = leaseReports(parseJsonObject(request.body).leases);
        const grants = [];
        for (const report of reports) grants.push(await inventory.grantLease(report));
        return jsonResponse(200, { grants });
      },
    },
  ];
}

/** Validates the whole body before anything is granted. */
function leaseReports(value: unknown): LeaseReport[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > catalog.items.length) {
    throw badRequest('leases', `leases must be an array of 1 to ${catalog.items.length} reports`);
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const at = `leases[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw badRequest(at, `${at} must be an object`);
    }
    const report = entry as Record<string, unknown>;
    const { sku } = knownSku(report.sku, `${at}.sku`);
    if (seen.has(sku)) throw badRequest(`${at}.sku`, `${at}.sku repeats ${sku}`);
    seen.add(sku);
    const handedOver = report.handedOver;
    if (typeof handedOver !== 'string' || !takeoverIdPattern.test(handedOver)) {
      throw badRequest(`${at}.handedOver`, `${at}.handedOver must be '' or a takeover id t<seq>`);
    }
    return {
      sku,
      allocation: integerField(report.allocation, `${at}.allocation`, 0, allocationLimit),
      reserved: integerField(report.reserved, `${at}.reserved`, 0, allocationLimit),
      heldSeq: integerField(report.heldSeq, `${at}.heldSeq`, 0, Number.MAX_SAFE_INTEGER),
      heldFloor: integerField(report.heldFloor, `${at}.heldFloor`, 0, allocationLimit),
      handedOver,
    };
  });
}
