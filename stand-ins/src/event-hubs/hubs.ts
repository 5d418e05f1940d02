/**
 * Event hubs as entities:
 *
 *   GET /<hub>        the event hub description (Atom entry): partition count, status -> 200
 *
 * Every call on a hub is checked here first: an unknown hub is 404, a SAS token that does not
 * grant the claim 401 with the reason (reading the description needs Manage, sending Send).
 */
import type { StandInRequest, StandInResponse } from '../http/server.js';
import { requireSasClaim, serviceBusFailure, type SasRight } from './sas.js';
import type { EventHubsStore, Hub } from './store.js';

/** The hub the `:hub` path parameter names, once the caller holds the claim. */
export function authorizedHub(
  store: EventHubsStore,
  request: StandInRequest,
  claim: SasRight,
): Hub {
  const name = request.params.hub as string;
  const hub = store.hubs.get(name);
  if (!hub) throw serviceBusFailure(404, `event hub ${name} does not exist`);
  requireSasClaim(request.header('authorization'), store.keys, `${store.baseUrl}/${name}`, claim);
  return hub;
}

export function describeHub(store: EventHubsStore, request: StandInRequest): StandInResponse {
  const hub = authorizedHub(store, request, 'Manage');
  return {
    status: 200,
    headers: { 'content-type': 'application/atom+xml;type=entry;charset=utf-8' },
    body:
      `<entry xmlns="http://www.w3.org/2005/Atom"><title type="text">${hub.name}</title>` +
      `<content type="application/xml"><EventHubDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect">` +
      `<MessageRetentionInDays>1</MessageRetentionInDays><Status>Active</Status>` +
      `<PartitionCount>${hub.partitions.length}</PartitionCount></EventHubDescription></content></entry>`,
  };
}
