/**
 * Origins of an origin group:
 *
 *   GET   .../originGroups/{g}/origins                 AFDOrigins_ListByOriginGroup
 *   GET   .../originGroups/{g}/origins/{o}             AFDOrigins_Get
 *   PATCH .../originGroups/{g}/origins/{o}             AFDOrigins_Update: 202 with
 *         `Azure-AsyncOperation`; in force when the operation ends (async-operations.ts)
 *
 * A PATCH may change weight (an integer 1-1000), priority (1-5) and enabledState (Enabled or
 * Disabled); anything else outside those is 400 BadRequest (the message is this stand-in's,
 * not a copy of the service's); read-only properties are ignored. An unknown origin is 404
 * ResourceNotFound. Every accepted update is logged (`updates`) and told to `onUpdate`
 * listeners; `setOrigin` changes an origin out of band, `origins(group)` reads them.
 */
import { json, type StandInRequest, type StandInResponse } from '../http/server.js';
import { armError, armHeaders, resourceNotFound, retryAfter, type PathMatch } from './arm.js';
import { operationUrl, settleOperations, startOperation } from './async-operations.js';
import { originGroupOf } from './origin-groups.js';
import {
  resourceId,
  type FrontDoorStore,
  type Origin,
  type OriginChanges,
  type OriginGroup,
  type OriginUpdate,
} from './store.js';

export function listOrigins(store: FrontDoorStore, match: PathMatch): StandInResponse {
  const group = originGroupOf(store, match);
  const value = [...group.origins.values()].map((origin) => originBody(store, group, origin));
  return json(200, { value }, armHeaders());
}

export function getOrigin(store: FrontDoorStore, match: PathMatch): StandInResponse {
  const group = originGroupOf(store, match);
  return json(200, originBody(store, group, originOf(store, group, match)), armHeaders());
}

export function updateOrigin(
  store: FrontDoorStore,
  match: PathMatch,
  request: StandInRequest,
): StandInResponse {
  const group = originGroupOf(store, match);
  const origin = originOf(store, group, match);
  const changes = readOriginChanges(request);
  const operation = startOperation(store, (failure) => {
    if (!failure) Object.assign(origin, changes);
    origin.provisioningState = failure ? 'Failed' : 'Succeeded';
  });
  origin.provisioningState = 'Updating';
  announce(store, {
    originGroup: group.name,
    origin: origin.name,
    operationId: operation.id,
    changes,
    acceptedAt: operation.startedAt,
  });
  settleOperations(store);
  return json(202, originBody(store, group, origin), {
    ...armHeaders(),
    'azure-asyncoperation': operationUrl(store, operation, request.query.get('api-version') ?? ''),
    'retry-after': retryAfter(operation.doneAt),
    'x-ms-ratelimit-remaining-subscription-writes': '1199',
  });
}

/** The origins of a group as the `origins(group)` helper reports them. */
export function originStates(store: FrontDoorStore, group: OriginGroup) {
  settleOperations(store);
  return Object.fromEntries(
    [...group.origins.values()].map((origin) => [
      origin.name,
      {
        weight: origin.weight,
        priority: origin.priority,
        enabledState: origin.enabledState,
        hostName: origin.hostName,
        provisioningState: origin.provisioningState,
      },
    ]),
  );
}

function originOf(store: FrontDoorStore, group: OriginGroup, match: PathMatch): Origin {
  const origin = group.origins.get((match.origin ?? '').toLowerCase());
  if (!origin) {
    throw resourceNotFound(store.scope, `origingroups/${group.name}/origins`, match.origin ?? '');
  }
  return origin;
}

function announce(store: FrontDoorStore, update: OriginUpdate): void {
  store.updates.push(update);
  for (const listener of store.updateListeners) listener(update);
}

/** The properties a PATCH changes, each validated; 400 BadRequest names the first bad one. */
function readOriginChanges(request: StandInRequest): OriginChanges {
  const body = request.json<{ properties?: Record<string, unknown> }>();
  const properties = body?.properties ?? {};
  const changes: OriginChanges = {};
  const present = (name: string) => name in properties && properties[name] !== null;
  if (present('weight')) changes.weight = integerProperty(properties, 'weight', 'Weight', 1000);
  if (present('priority')) {
    changes.priority = integerProperty(properties, 'priority', 'Priority', 5);
  }
  if (present('enabledState')) {
    const state = properties.enabledState;
    if (state !== 'Enabled' && state !== 'Disabled') {
      throw badRequest(
        `Property 'enabledState' is invalid: ${JSON.stringify(state)}. Allowed values: Enabled, Disabled.`,
      );
    }
    changes.enabledState = state;
  }
  return changes;
}

function integerProperty(
  properties: Record<string, unknown>,
  name: string,
  label: string,
  max: number,
): number {
  const value = properties[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw badRequest(
      `Property '${name}' is invalid: ${JSON.stringify(value)}. ${label} must be an integer between 1 and ${max}.`,
    );
  }
  return value;
}

const badRequest = (message: string) => armError(400, 'BadRequest', message);

function originBody(store: FrontDoorStore, group: OriginGroup, origin: Origin) {
  return {
    id: resourceId(store.scope, group, origin),
    type: 'Microsoft.Cdn/profiles/origingroups/origins',
    name: origin.name,
    properties: {
      originGroupName: group.name,
      hostName: origin.hostName,
      httpPort: origin.httpPort,
      httpsPort: origin.httpsPort,
      originHostHeader: origin.originHostHeader,
      priority: origin.priority,
      weight: origin.weight,
      enabledState: origin.enabledState,
      enforceCertificateNameCheck: true,
      sharedPrivateLinkResource: null,
      provisioningState: origin.provisioningState,
      deploymentStatus: 'NotStarted',
    },
  };
}
