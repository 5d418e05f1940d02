import { HttpProblem } from '../errors.js';
import { jsonResponse } from '../http-types.js';
import { parseId } from '../ids.js';
import { forwardedFromHeader } from '../peer-forwarder.js';
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
