/**
 * A local stand-in for Azure Resource Manager serving Azure Front Door (Standard/Premium) origin
 * groups and origins, over HTTPS (Azure SDKs refuse to send a bearer token over plain HTTP).
 * Drive it with the real @azure/arm-cdn (`new CdnManagementClient(credential, subscriptionId,
 * { endpoint: frontDoor.url, credentialScopes: [...] })`).
 *
 *   GET   /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Cdn/profiles/{p}
 *           /originGroups/{g}                                    AFDOriginGroups_Get
 *   GET   .../originGroups/{g}/origins                           AFDOrigins_ListByOriginGroup
 *   GET   .../originGroups/{g}/origins/{o}                       AFDOrigins_Get
 *   PATCH .../originGroups/{g}/origins/{o}                       AFDOrigins_Update: 202 with
 *           `Azure-AsyncOperation` and `Location`; the change is in force when the operation
 *           ends (after `operationDelayMs`), as on the real service
 *   GET   /subscriptions/{s}/resourcegroups/{rg}/providers/Microsoft.Cdn/operationresults/{id}
 *           the operation status: InProgress, then Succeeded (or Failed)
 *
 *   import { startFrontDoorStandIn } from '<repo>/stand-ins/src/front-door/index.js';
 *
 *   const frontDoor = await startFrontDoorStandIn({
 *     tls: certificate,                       // optional; without it a test certificate is made
 *     subscriptionId: '00000000-0000-0000-0000-000000000001',
 *     resourceGroup: 'rg-global', profile: 'afd-app',
 *     originGroups: [{
 *       name: 'app', additionalLatencyInMilliseconds: 500,
 *       origins: [
 *         { name: 'aws', hostName: 'aws.example.net', weight: 500 },
 *         { name: 'azure', hostName: 'azure.example.net', weight: 500 },
 *       ],
 *     }],
 *     operationDelayMs: 50,                   // how long an update stays InProgress (default 0)
 *     isValidToken: identity.isValidToken,    // optional: accept only the identity stand-in's
 *   });                                       // tokens (default: any Bearer token)
 *   frontDoor.url                              // 'https://127.0.0.1:PORT': the SDK's endpoint
 *   frontDoor.certificate                      // { certPath, cert } to trust (NODE_EXTRA_CA_CERTS)
 *   frontDoor.origins('app')                   // { aws: { weight: 500, enabledState: 'Enabled',
 *                                              //   priority: 1, provisioningState }, ... }
 *   frontDoor.setOrigin('app', 'azure', { enabledState: 'Disabled' })     // out of band
 *   frontDoor.setLatencySensitivity('app', 0)
 *   frontDoor.onUpdate((update) => ...)        // when an update is accepted (PATCH answered)
 *   frontDoor.injectError('updateOrigin', { status: 500 })                // ARM error JSON
 *   frontDoor.injectError('getOrigin', { status: 429, retryAfterSeconds: 0, times: 2 })
 *   frontDoor.failNextOperation({ code: 'InternalServerError', message: '...' })
 *   frontDoor.setOperationDelay(0)
 *   frontDoor.requests / frontDoor.writeRequests() / frontDoor.server
 *   await frontDoor.close()
 *
 * Wire behaviour (as ARM): every request needs `api-version` (400 MissingApiVersionParameter)
 * and a bearer token (401 AuthenticationFailed / InvalidAuthenticationToken, with
 * WWW-Authenticate); paths are case-insensitive; errors are `{"error":{"code","message"}}`;
 * a missing origin is 404 ResourceNotFound with ARM's wording; weight must be an integer
 * 1-1000 and priority 1-5 (400 BadRequest; the message is this stand-in's, not a copy of the
 * service's); enabledState is Enabled or Disabled; read-only properties in a PATCH are
 * ignored. 429 answers carry Retry-After. Responses carry x-ms-request-id and
 * x-ms-correlation-request-id.
 */
import { randomUUID } from 'node:crypto';
import {
  json,
  startStandInServer,
  type InjectedFault,
  type RecordedRequest,
  type StandInRequest,
  type StandInResponse,
  type StandInServer,
} from '../http/server.js';
import { createTestCertificate, type TestCertificate } from '../http/test-certificate.js';

export type EnabledState = 'Enabled' | 'Disabled';

export interface OriginSeed {
  name: string;
  hostName: string;
  /** 1-1000; default 1000. */
  weight?: number;
  /** 1-5; default 1. */
  priority?: number;
  enabledState?: EnabledState;
  httpPort?: number;
  httpsPort?: number;
  originHostHeader?: string;
}

export interface OriginGroupSeed {
  name: string;
  /** The latency sensitivity window; Azure's default is 50 ms, 0 makes weights meaningless. */
  additionalLatencyInMilliseconds?: number;
  origins: OriginSeed[];
}

export interface FrontDoorStandInOptions {
  subscriptionId: string;
  resourceGroup: string;
  profile: string;
  originGroups: OriginGroupSeed[];
  /** PEM key and certificate; when absent a throw-away test certificate is created. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** How long an origin update stays InProgress before it is in force. Default 0. */
  operationDelayMs?: number;
  /** Token check; default accepts any bearer token. */
  isValidToken?: (token: string) => boolean;
}

export interface OriginState {
  weight: number;
  priority: number;
  enabledState: EnabledState;
  hostName: string;
  provisioningState: 'Succeeded' | 'Updating' | 'Failed';
}

export interface OriginUpdate {
  originGroup: string;
  origin: string;
  operationId: string;
  /** The properties the PATCH asked for. */
  changes: Partial<Pick<OriginState, 'weight' | 'priority' | 'enabledState'>>;
  acceptedAt: Date;
}

export type FrontDoorOperation =
  'getOriginGroup' | 'listOrigins' | 'getOrigin' | 'updateOrigin' | 'operationStatus';

export interface InjectedArmError {
  /** HTTP status; 429 gets code TooManyRequests, 5xx InternalServerError unless `code` says. */
  status: number;
  code?: string;
  message?: string;
  times?: number;
  /** Seconds for the Retry-After header (429 and 503); default 0. */
  retryAfterSeconds?: number;
  delayMs?: number;
}

export interface FrontDoorStandIn {
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly server: StandInServer;
  readonly updates: readonly OriginUpdate[];
  /** The certificate served (the one passed in, or the one created). */
  readonly certificate: { cert: string | Buffer; certPath?: string };
  origins(originGroup: string): Record<string, OriginState>;
  setOrigin(
    originGroup: string,
    origin: string,
    state: Partial<Pick<OriginState, 'weight' | 'priority' | 'enabledState'>>,
  ): void;
  setLatencySensitivity(originGroup: string, milliseconds: number): void;
  onUpdate(listener: (update: OriginUpdate) => void): () => void;
  injectError(operation: FrontDoorOperation, error: InjectedArmError): InjectedFault;
  failNextOperation(error: { code: string; message: string }): void;
  setOperationDelay(ms: number): void;
  /** PATCH requests (accepted or not). */
  writeRequests(): RecordedRequest[];
  close(): Promise<void>;
}

interface Origin extends OriginState {
  name: string;
  httpPort: number;
  httpsPort: number;
  originHostHeader: string;
}

interface OriginGroup {
  name: string;
  additionalLatencyInMilliseconds: number;
  origins: Map<string, Origin>;
}

interface Operation {
  id: string;
  startedAt: Date;
  doneAt: number;
  apply: () => void;
  failure?: { code: string; message: string };
  settled: boolean;
}

const PROFILE_PATH =
  '^/subscriptions/(?<subscription>[^/]+)/resourcegroups/(?<group>[^/]+)/providers/microsoft\\.cdn/profiles/(?<profile>[^/]+)';
const PATTERNS: Record<Exclude<FrontDoorOperation, never>, { method: string; path: RegExp }> = {
  getOriginGroup: {
    method: 'GET',
    path: new RegExp(`${PROFILE_PATH}/origingroups/(?<originGroup>[^/]+)$`, 'i'),
  },
  listOrigins: {
    method: 'GET',
    path: new RegExp(`${PROFILE_PATH}/origingroups/(?<originGroup>[^/]+)/origins$`, 'i'),
  },
  getOrigin: {
    method: 'GET',
    path: new RegExp(
      `${PROFILE_PATH}/origingroups/(?<originGroup>[^/]+)/origins/(?<origin>[^/]+)$`,
      'i',
    ),
  },
  updateOrigin: {
    method: 'PATCH',
    path: new RegExp(
      `${PROFILE_PATH}/origingroups/(?<originGroup>[^/]+)/origins/(?<origin>[^/]+)$`,
      'i',
    ),
  },
  operationStatus: {
    method: 'GET',
    path: /^\/subscriptions\/(?<subscription>[^/]+)\/resourcegroups\/(?<group>[^/]+)\/providers\/microsoft\.cdn\/operationresults\/(?<operation>[^/]+)$/i,
  },
};

function armHeaders(): Record<string, string> {
  const id = randomUUID();
  return {
    'x-ms-request-id': id,
    'x-ms-correlation-request-id': id,
    'cache-control': 'no-cache',
  };
}

function armError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): StandInResponse {
  return json(status, { error: { code, message } }, { ...armHeaders(), ...headers });
}

/** Poll again at once when the operation ends within a second, else after one second. */
function retryAfter(doneAt: number): string {
  return doneAt - Date.now() >= 1000 ? '1' : '0';
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest',
  404: 'ResourceNotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export async function startFrontDoorStandIn(
  options: FrontDoorStandInOptions,
): Promise<FrontDoorStandIn> {
  let created: TestCertificate | undefined;
  const tls = options.tls ?? (created = await createTestCertificate());
  const groups = new Map<string, OriginGroup>();
  for (const seed of options.originGroups) {
    groups.set(seed.name.toLowerCase(), {
      name: seed.name,
      additionalLatencyInMilliseconds: seed.additionalLatencyInMilliseconds ?? 50,
      origins: new Map(
        seed.origins.map((origin) => [
          origin.name.toLowerCase(),
          {
            name: origin.name,
            hostName: origin.hostName,
            weight: origin.weight ?? 1000,
            priority: origin.priority ?? 1,
            enabledState: origin.enabledState ?? 'Enabled',
            provisioningState: 'Succeeded',
            httpPort: origin.httpPort ?? 80,
            httpsPort: origin.httpsPort ?? 443,
            originHostHeader: origin.originHostHeader ?? origin.hostName,
          },
        ]),
      ),
    });
  }
  const operations = new Map<string, Operation>();
  const updates: OriginUpdate[] = [];
  const listeners = new Set<(update: OriginUpdate) => void>();
  let operationDelayMs = options.operationDelayMs ?? 0;
  let nextFailure: { code: string; message: string } | undefined;
  let base = '';

  const settle = () => {
    const now = Date.now();
    for (const operation of operations.values()) {
      if (!operation.settled && now >= operation.doneAt) {
        operation.settled = true;
        operation.apply();
      }
    }
  };

  const profileMatches = (groupsMatch: Record<string, string | undefined>) =>
    groupsMatch.subscription?.toLowerCase() === options.subscriptionId.toLowerCase() &&
    groupsMatch.group?.toLowerCase() === options.resourceGroup.toLowerCase() &&
    groupsMatch.profile?.toLowerCase() === options.profile.toLowerCase();

  const resourceId = (group: OriginGroup, origin?: Origin) =>
    `/subscriptions/${options.subscriptionId}/resourcegroups/${options.resourceGroup}/providers/Microsoft.Cdn/profiles/${options.profile}/origingroups/${group.name}${
      origin ? `/origins/${origin.name}` : ''
    }`;

  const originBody = (group: OriginGroup, origin: Origin) => ({
    id: resourceId(group, origin),
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
  });

  const groupBody = (group: OriginGroup) => ({
    id: resourceId(group),
    type: 'Microsoft.Cdn/profiles/origingroups',
    name: group.name,
    properties: {
      loadBalancingSettings: {
        sampleSize: 4,
        successfulSamplesRequired: 3,
        additionalLatencyInMilliseconds: group.additionalLatencyInMilliseconds,
      },
      healthProbeSettings: {
        probePath: '/health',
        probeRequestType: 'HEAD',
        probeProtocol: 'Https',
        probeIntervalInSeconds: 100,
      },
      trafficRestorationTimeToHealedOrNewEndpointsInMinutes: null,
      sessionAffinityState: 'Disabled',
      provisioningState: 'Succeeded',
      deploymentStatus: 'NotStarted',
    },
  });

  const notFound = (kind: string, name: string) =>
    armError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.Cdn/profiles/${options.profile}/${kind}/${name}' under resource group '${options.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );

  const checkRequest = (request: StandInRequest): StandInResponse | undefined => {
    if (!request.query.get('api-version')) {
      return armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const authorization = request.header('authorization');
    const challenge = {
      'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/${randomUUID()}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`,
    };
    if (!authorization) {
      return armError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        challenge,
      );
    }
    const token = /^Bearer (.+)$/i.exec(authorization)?.[1];
    if (!token || (options.isValidToken && !options.isValidToken(token))) {
      return armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', challenge);
    }
    return undefined;
  };

  const findGroup = (match: Record<string, string | undefined>) => {
    if (!profileMatches(match)) {
      return armError(
        404,
        'ParentResourceNotFound',
        `Can not perform requested operation on nested resource. Parent resource '${match.profile ?? ''}' not found.`,
      );
    }
    return (
      groups.get((match.originGroup ?? '').toLowerCase()) ??
      notFound('origingroups', match.originGroup ?? '')
    );
  };

  const validationError = (message: string) => armError(400, 'BadRequest', message);

  const updateOrigin = (
    request: StandInRequest,
    group: OriginGroup,
    origin: Origin,
  ): StandInResponse => {
    const body = request.json<{ properties?: Record<string, unknown> }>();
    const properties = body?.properties ?? {};
    const changes: OriginUpdate['changes'] = {};
    if ('weight' in properties && properties.weight !== null) {
      const weight = properties.weight;
      if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 1 || weight > 1000) {
        return validationError(
          `Property 'weight' is invalid: ${JSON.stringify(weight)}. Weight must be an integer between 1 and 1000.`,
        );
      }
      changes.weight = weight;
    }
    if ('priority' in properties && properties.priority !== null) {
      const priority = properties.priority;
      if (
        typeof priority !== 'number' ||
        !Number.isInteger(priority) ||
        priority < 1 ||
        priority > 5
      ) {
        return validationError(
          `Property 'priority' is invalid: ${JSON.stringify(priority)}. Priority must be an integer between 1 and 5.`,
        );
      }
      changes.priority = priority;
    }
    if ('enabledState' in properties && properties.enabledState !== null) {
      const state = properties.enabledState;
      if (state !== 'Enabled' && state !== 'Disabled') {
        return validationError(
          `Property 'enabledState' is invalid: ${JSON.stringify(state)}. Allowed values: Enabled, Disabled.`,
        );
      }
      changes.enabledState = state;
    }
    const operation: Operation = {
      id: randomUUID(),
      startedAt: new Date(),
      doneAt: Date.now() + operationDelayMs,
      failure: nextFailure,
      settled: false,
      apply: () => {
        if (operation.failure) {
          origin.provisioningState = 'Failed';
          return;
        }
        Object.assign(origin, changes);
        origin.provisioningState = 'Succeeded';
      },
    };
    nextFailure = undefined;
    origin.provisioningState = 'Updating';
    operations.set(operation.id, operation);
    const update: OriginUpdate = {
      originGroup: group.name,
      origin: origin.name,
      operationId: operation.id,
      changes,
      acceptedAt: operation.startedAt,
    };
    updates.push(update);
    for (const listener of listeners) listener(update);
    const apiVersion = request.query.get('api-version') ?? '';
    const status = `${base}/subscriptions/${options.subscriptionId}/resourcegroups/${options.resourceGroup}/providers/Microsoft.Cdn/operationresults/${operation.id}?api-version=${apiVersion}`;
    settle();
    return json(202, originBody(group, origin), {
      ...armHeaders(),
      'azure-asyncoperation': status,
      'retry-after': retryAfter(operation.doneAt),
      'x-ms-ratelimit-remaining-subscription-writes': '1199',
    });
  };

  const dispatch = (request: StandInRequest): StandInResponse => {
    const denied = checkRequest(request);
    if (denied) return denied;
    settle();
    const path = request.path.replace(/\/+$/, '');
    for (const [operation, pattern] of Object.entries(PATTERNS) as [
      FrontDoorOperation,
      (typeof PATTERNS)[FrontDoorOperation],
    ][]) {
      if (pattern.method !== request.method) continue;
      const match = pattern.path.exec(path)?.groups;
      if (!match) continue;
      if (operation === 'operationStatus') {
        const found = operations.get(match.operation ?? '');
        if (!found) return notFound('operationresults', match.operation ?? '');
        const done = found.settled;
        return json(
          200,
          {
            id: `/subscriptions/${options.subscriptionId}/resourcegroups/${options.resourceGroup}/providers/Microsoft.Cdn/operationresults/${found.id}`,
            name: found.id,
            status: done ? (found.failure ? 'Failed' : 'Succeeded') : 'InProgress',
            startTime: found.startedAt.toISOString(),
            ...(done ? { endTime: new Date(found.doneAt).toISOString() } : {}),
            ...(done && found.failure ? { error: found.failure } : {}),
          },
          { ...armHeaders(), ...(done ? {} : { 'retry-after': retryAfter(found.doneAt) }) },
        );
      }
      const group = findGroup(match);
      if ('status' in group) return group;
      if (operation === 'getOriginGroup') return json(200, groupBody(group), armHeaders());
      if (operation === 'listOrigins') {
        return json(
          200,
          { value: [...group.origins.values()].map((origin) => originBody(group, origin)) },
          armHeaders(),
        );
      }
      const origin = group.origins.get((match.origin ?? '').toLowerCase());
      if (!origin) return notFound(`origingroups/${group.name}/origins`, match.origin ?? '');
      if (operation === 'getOrigin') return json(200, originBody(group, origin), armHeaders());
      return updateOrigin(request, group, origin);
    }
    return armError(
      404,
      'InvalidResourceType',
      `The resource type could not be found in the namespace 'Microsoft.Cdn' for api version '${request.query.get('api-version') ?? ''}'.`,
    );
  };

  const server = await startStandInServer({
    name: 'front-door',
    tls,
    routes: [{ method: '*', path: '/*', handler: dispatch }],
  });
  base = server.url;

  const groupOrThrow = (name: string) => {
    const group = groups.get(name.toLowerCase());
    if (!group) throw new Error(`front-door stand-in: no origin group ${name}`);
    return group;
  };

  return {
    url: server.url,
    requests: server.requests,
    server,
    updates,
    certificate: created ? { cert: created.cert, certPath: created.certPath } : { cert: tls.cert },
    origins(originGroup) {
      settle();
      return Object.fromEntries(
        [...groupOrThrow(originGroup).origins.values()].map((origin) => [
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
    },
    setOrigin(originGroup, originName, state) {
      const origin = groupOrThrow(originGroup).origins.get(originName.toLowerCase());
      if (!origin) throw new Error(`front-door stand-in: no origin ${originName}`);
      Object.assign(origin, state);
    },
    setLatencySensitivity(originGroup, milliseconds) {
      groupOrThrow(originGroup).additionalLatencyInMilliseconds = milliseconds;
    },
    onUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    injectError(operation, error) {
      const pattern = PATTERNS[operation];
      const headers: Record<string, string> = {
        ...armHeaders(),
        'content-type': 'application/json; charset=utf-8',
      };
      if (error.status === 429 || error.status === 503) {
        headers['retry-after'] = String(error.retryAfterSeconds ?? 0);
      }
      const code = error.code ?? DEFAULT_CODES[error.status] ?? 'InternalServerError';
      return server.injectFault({
        method: pattern.method,
        path: pattern.path,
        times: error.times ?? 1,
        delayMs: error.delayMs,
        status: error.status,
        headers,
        body: {
          error: {
            code,
            message:
              error.message ??
              (error.status === 429
                ? 'The request is being throttled as the limit has been reached for operation type - Write.'
                : `An error has occurred while processing the request (${code}).`),
          },
        },
      });
    },
    failNextOperation(error) {
      nextFailure = error;
    },
    setOperationDelay(ms) {
      operationDelayMs = ms;
    },
    writeRequests: () => server.requests.filter((request) => request.method === 'PATCH'),
    async close() {
      await server.close();
      await created?.remove();
    },
  };
}
