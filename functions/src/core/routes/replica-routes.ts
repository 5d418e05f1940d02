import { HttpProblem } from '../errors.js';
import { jsonResponse } from '../http-types.js';
import { parseId } from '../ids.js';
import { forwardedFromHeader } from '../peer-forwarder.js';
import type { DocumentStore } from '../ports.js';
import { checkReplica, type Replicator } from '../replication.js';
import type { Route } from '../router.js';
import { parseJsonObject } from '../validation.js';

/**
 * `PUT /replicas/{carts|orders}/{id}`: the peer's copy of a document, merged into this cell's
 * (ADR 23). Only the peer may call it: the peer header counts only when signed (ADR 17,
 * checked before any route), and without it the answer is 403 with nothing written.
 */
export function replicaRoutes(cell: string, peerCell: string, replicator: Replicator): Route[] {
  return [
    {
      method: 'PUT',
      pattern: /^\/replicas\/(?<kind>carts|orders)\/(?<id>[^/]+)$/,
      access: 'public',
      handler: async (request, params) => {
        if (request.headers[forwardedFromHeader] !== peerCell) {
          throw new HttpProblem(
            403,
            'peer_only',
            `only cell ${peerCell}, with a signed call, may send replicas`,
          );
        }
        const id = parseId(params.id as string, 'id', [cell, peerCell]).id;
        const key = `${params.kind as string}/${id}`;
        const body = parseJsonObject(request.body);
        checkReplica(key, body);
        return jsonResponse(200, { key, result: await replicator.apply(key, body) });
      },
    },
  ];
}

/** What one cell's store holds, by the home cell of the documents (the prefix of their ids). */
export interface ReplicaCounts {
  readonly cell: string;
  readonly countedAt: string;
  /** `{aws: {carts, orders}, azure: {...}}`: this cell's own documents and the peer's replicas. */
  readonly documents: Record<string, { readonly carts: number; readonly orders: number }>;
}

/**
 * `GET /replicas` (admin): how many carts and orders this cell's store holds, by home cell,
 * counted from the store's listing by key prefix (`carts/azure-`), so it is what the store
 * really holds, whichever instance asks, and survives restarts (a counter kept by the replica
 * route would be per instance and lost with it). A listing costs one request per 1,000 keys
 * (S3) or 5,000 (Blob): for operators and the dashboard, never for health checks.
 */
export function replicaCountRoute(
  cell: string,
  peerCell: string,
  documents: DocumentStore,
  now: () => Date,
): Route {
  return {
    method: 'GET',
    pattern: /^\/replicas$/,
    access: 'admin',
    handler: async () => {
      const countedAt = now().toISOString();
      const countsOf = async (home: string) => {
        const [carts, orders] = await Promise.all([
          documents.count(`carts/${home}-`),
          documents.count(`orders/${home}-`),
        ]);
        return { carts, orders };
      };
      const [own, peers] = await Promise.all([countsOf(cell), countsOf(peerCell)]);
      const body: ReplicaCounts = {
        cell,
        countedAt,
        documents: { [cell]: own, [peerCell]: peers },
      };
      return jsonResponse(200, body);
    },
  };
}
