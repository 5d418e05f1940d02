/**
 * Notification hubs as entities, and the checks every call on one passes first:
 *
 *   GET /<hub>?api-version=2015-01    the hub description (Atom entry) -> 200
 *
 * An unknown hub is 404; a SAS token that does not grant the claim 401 with the reason
 * (reading the description needs Manage, sending Send); no api-version 400.
 */
import type { StandInRequest, StandInResponse } from '../http/server.js';
import {
  requireSasClaim,
  serviceBusFailure,
  type SasRight,
  type SasRule,
} from '../event-hubs/sas.js';

export interface SentNotification {
  readonly id: string;
  readonly hub: string;
  readonly format: string;
  readonly tags?: string;
  readonly contentType?: string;
  readonly body: string;
  readonly receivedAt: string;
}

/** The stand-in's state: what each hub was asked to push. */
export interface NotificationHubsStore {
  readonly keys: Readonly<Record<string, SasRule>>;
  readonly sent: Map<string, SentNotification[]>;
  /** The server's origin, the audience SAS tokens are checked against; set once it listens. */
  baseUrl: string;
}

/** The name of the hub the `:hub` path parameter names, once the call passes the checks. */
export function authorizedHub(
  store: NotificationHubsStore,
  request: StandInRequest,
  claim: SasRight,
): string {
  const hub = request.params.hub as string;
  if (!store.sent.has(hub)) throw serviceBusFailure(404, `notification hub ${hub} does not exist`);
  requireSasClaim(request.header('authorization'), store.keys, `${store.baseUrl}/${hub}`, claim);
  if (!request.query.get('api-version')) {
    throw serviceBusFailure(400, 'the api-version query parameter is required');
  }
  return hub;
}

export function describeHub(
  store: NotificationHubsStore,
  request: StandInRequest,
): StandInResponse {
  const hub = authorizedHub(store, request, 'Manage');
  return {
    status: 200,
    headers: { 'content-type': 'application/atom+xml;type=entry;charset=utf-8' },
    body:
      `<entry xmlns="http://www.w3.org/2005/Atom"><title type="text">${hub}</title>` +
      `<content type="application/xml"><NotificationHubDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect"/></content></entry>`,
  };
}
