import { HttpProblem, badRequest } from '../errors.js';
import { jsonResponse, type CoreRequest, type CoreResponse } from '../http-types.js';
import { allocationLimit, type InventoryView } from '../inventory-service.js';
import { forwardedFromHeader } from '../peer-forwarder.js';
import type { Params, Route, RouteHandler } from '../router.js';
import { integerField, knownSku, parseJsonObject } from '../validation.js';
import type { RouteContext } from './route-context.js';

const transferIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function inventoryRoutes(context: RouteContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/inventory\/(?<sku>[^/]+)$/,
      access: 'customer',
      handler: getStock(context),
    },
    {
      method: 'PUT',
      pattern: /^\/inventory\/(?<sku>[^/]+)$/,
      access: 'admin',
      handler: setAllocation(context),
    },
    {
      // Customers reserve only through checkout and POST /orders, which release what a failed
      // order took. These stay for operators, e.g. to give back what a crashed request holds.
      method: 'POST',
      pattern: /^\/inventory\/(?<sku>[^/]+)\/(?<action>reserve|release)$/,
      access: 'admin',
      handler: reserveOrRelease(context),
    },
    {
      method: 'POST',
      pattern: /^\/inventory\/(?<sku>[^/]+)\/transfers$/,
      access: 'admin',
      handler: transferToPeer(context),
    },
    {
      // Takes back a transfer the peer has not received (e.g. it was down): the peer voids the
      // id first, so a late delivery is refused, then the units return here.
      method: 'POST',
      pattern: /^\/inventory\/(?<sku>[^/]+)\/transfers\/(?<transferId>[^/]+)\/return$/,
      access: 'admin',
      handler: returnFromPeer(context),
    },
    {
      // The peer's half of a transfer: an admin's token (checked like any other) and the peer's
      // forwarding header, present only on a call whose signature PeerAuthenticator checked
      // (ADR 17).
      method: 'POST',
      pattern: /^\/inventory\/(?<sku>[^/]+)\/incoming-transfers$/,
      access: 'admin',
      handler: receiveFromPeer(context),
    },
  ];
}

function inventoryResponse(view: InventoryView): CoreResponse {
  return jsonResponse(200, view, view.etag ? { etag: view.etag } : {});
}

function getStock({ inventory }: RouteContext): RouteHandler {
  return async (_request, params) => {
    const item = knownSku(params.sku, 'sku');
    return inventoryResponse(await inventory.get(item.sku));
  };
}

function setAllocation({ inventory }: RouteContext): RouteHandler {
  return async (request, params) => {
    const item = knownSku(params.sku, 'sku');
    const body = parseJsonObject(request.body);
    const allocation = integerField(body.allocation, 'allocation', 0, allocationLimit);
    return inventoryResponse(
      await inventory.setAllocation(item.sku, allocation, request.headers['if-match']),
    );
  };
}

function reserveOrRelease({ inventory }: RouteContext): RouteHandler {
  return async (request, params) => {
    const item = knownSku(params.sku, 'sku');
    const body = parseJsonObject(request.body);
    const quantity = integerField(body.quantity, 'quantity', 1, allocationLimit);
    const view =
      params.action === 'reserve'
        ? await inventory.reserve(item.sku, quantity)
        : await inventory.release(item.sku, quantity);
    return inventoryResponse(view);
  };
}

/**
 * Takes allocation out of this cell, then delivers it to the peer with the admin's token; a
 * retry finishes the move.
 */
function transferToPeer({ cell, peerCell, inventory, forwarder }: RouteContext): RouteHandler {
  return async (request, params, caller) => {
    const { item, transferId, quantity } = readTransfer(request, params, 'toCell', peerCell);
    const from = await inventory.transferOut(item.sku, transferId, peerCell, quantity);
    const pending = (reason: string) =>
      new HttpProblem(
        502,
        'transfer_pending',
        `${quantity} of ${item.sku} left cell ${cell} but ${reason}; retry the same request to deliver them`,
        undefined,
        { transferId, peerCell },
      );
    let delivered: CoreResponse;
    try {
      delivered = await forwarder.forward({
        method: 'POST',
        path: `/inventory/${encodeURIComponent(item.sku)}/incoming-transfers`,
        query: new URLSearchParams(),
        headers: { 'content-type': 'application/json', authorization: caller.authorization },
        body: JSON.stringify({ transferId, fromCell: cell, quantity }),
      });
    } catch (error) {
      throw error instanceof HttpProblem ? pending(error.message) : error;
    }
    if (delivered.status !== 200) throw pending(`cell ${peerCell} answered ${delivered.status}`);
    const to = parseJsonOrText(delivered.body);
    return jsonResponse(200, { transferId, sku: item.sku, quantity, from, to });
  };
}

/** The peer's half of a transfer: accepted only from the peer cell itself (and an admin). */
function receiveFromPeer({ peerCell, inventory }: RouteContext): RouteHandler {
  return async (request, params) => {
    if (request.headers[forwardedFromHeader] !== peerCell) {
      throw new HttpProblem(
        403,
        'not_from_peer',
        `incoming transfers are accepted only from cell ${peerCell}; use POST /inventory/{sku}/transfers on that cell`,
        forwardedFromHeader,
      );
    }
    const { item, transferId, quantity } = readTransfer(request, params, 'fromCell', peerCell);
    if (parseJsonObject(request.body).void === true) {
      return inventoryResponse(
        await inventory.voidIncoming(item.sku, transferId, peerCell, quantity),
      );
    }
    return inventoryResponse(await inventory.transferIn(item.sku, transferId, peerCell, quantity));
  };
}

/**
 * Asks the peer to void the transfer, then returns its units here. 409 transfer_delivered when
 * the peer already has them; 502 transfer_pending while the peer cannot be reached (retry).
 */
function returnFromPeer({ cell, peerCell, inventory, forwarder }: RouteContext): RouteHandler {
  return async (_request, params, caller) => {
    const item = knownSku(params.sku, 'sku');
    const transferId = transferIdField(params.transferId);
    const record = await inventory.outgoing(item.sku, transferId);
    let voided: CoreResponse;
    try {
      voided = await forwarder.forward({
        method: 'POST',
        path: `/inventory/${encodeURIComponent(item.sku)}/incoming-transfers`,
        query: new URLSearchParams(),
        headers: { 'content-type': 'application/json', authorization: caller.authorization },
        body: JSON.stringify({ transferId, fromCell: cell, quantity: record.quantity, void: true }),
      });
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      throw new HttpProblem(
        502,
        'transfer_pending',
        `cell ${peerCell} must void transfer ${transferId} before its units return, but ${error.message}; retry once it is back`,
        undefined,
        { transferId, peerCell },
      );
    }
    if (voided.status !== 200) {
      return { ...voided, headers: { ...voided.headers, 'x-cell': cell } };
    }
    const view = await inventory.returnOutgoing(item.sku, transferId);
    return jsonResponse(200, { transferId, sku: item.sku, returned: record.quantity, from: view });
  };
}

/** A transfer's SKU, id and quantity; `cellField` must name the peer cell. */
function readTransfer(
  request: CoreRequest,
  params: Params,
  cellField: 'toCell' | 'fromCell',
  peerCell: string,
) {
  const item = knownSku(params.sku, 'sku');
  const body = parseJsonObject(request.body);
  const transferId = transferIdField(body.transferId);
  if (body[cellField] !== peerCell) {
    throw badRequest(cellField, `${cellField} must be '${peerCell}', the peer cell`);
  }
  const quantity = integerField(body.quantity, 'quantity', 1, allocationLimit);
  return { item, transferId, quantity };
}

function transferIdField(value: unknown): string {
  if (typeof value !== 'string' || !transferIdPattern.test(value)) {
    throw badRequest(
      'transferId',
      'transferId must be 1 to 64 letters, digits, _ or -, chosen by the caller and reused on a retry',
    );
  }
  return value;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
