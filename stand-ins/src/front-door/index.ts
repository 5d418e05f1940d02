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
 *
 * Layout: this file is the router. State lives in one plain store (store.ts) shared by the
 * resource modules: origin-groups.ts, origins.ts, async-operations.ts (the operationresults
 * an update is polled through); arm.ts holds ARM's wire conventions and the operation paths,
 * faults.ts the injected errors.
 */
import {
  startStandInServer,
  type InjectedFault,
  type RecordedRequest,
  type StandInRequest,
  type StandInResponse,
  type StandInServer,
} from '../http/server.js';
import { createTestCertificate, type TestCertificate } from '../http/test-certificate.js';
import {
  ARM_PATHS,
  checkArmRequest,
  invalidResourceType,
  type FrontDoorOperation,
  type PathMatch,
} from './arm.js';
import { operationStatus, settleOperations } from './async-operations.js';
import { injectArmError, type InjectedArmError } from './faults.js';
import { getOriginGroup } from './origin-groups.js';
import { getOrigin, listOrigins, originStates, updateOrigin } from './origins.js';
import {
  createFrontDoorStore,
  groupOrThrow,
  originOrThrow,
  type FrontDoorStore,
  type OriginGroupSeed,
  type OriginState,
  type OriginUpdate,
} from './store.js';

export type { FrontDoorOperation } from './arm.js';
export type { InjectedArmError } from './faults.js';
export type {
  EnabledState,
  OriginGroupSeed,
  OriginSeed,
  OriginState,
  OriginUpdate,
} from './store.js';

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

type OperationHandler = (
  store: FrontDoorStore,
  match: PathMatch,
  request: StandInRequest,
) => StandInResponse;

const HANDLERS: Record<FrontDoorOperation, OperationHandler> = {
  getOriginGroup,
  listOrigins,
  getOrigin,
  updateOrigin,
  operationStatus,
};

export async function startFrontDoorStandIn(
  options: FrontDoorStandInOptions,
): Promise<FrontDoorStandIn> {
  let created: TestCertificate | undefined;
  const tls = options.tls ?? (created = await createTestCertificate());
  const { subscriptionId, resourceGroup, profile } = options;
  const store = createFrontDoorStore(
    { subscriptionId, resourceGroup, profile },
    options.originGroups,
    options.operationDelayMs ?? 0,
  );
  const server = await startStandInServer({
    name: 'front-door',
    tls,
    routes: [
      {
        method: '*',
        path: '/*',
        handler: (request) => route(store, request, options.isValidToken),
      },
    ],
  });
  store.baseUrl = server.url;
  return {
    url: server.url,
    requests: server.requests,
    server,
    updates: store.updates,
    certificate: created ? { cert: created.cert, certPath: created.certPath } : { cert: tls.cert },
    ...seedAndRead(store),
    injectError: (operation, error) => injectArmError(server, operation, error),
    writeRequests: () => server.requests.filter((request) => request.method === 'PATCH'),
    async close() {
      await server.close();
      await created?.remove();
    },
  };
}

/** Checks the request as ARM does, then hands it to the first operation whose path matches. */
function route(
  store: FrontDoorStore,
  request: StandInRequest,
  isValidToken: FrontDoorStandInOptions['isValidToken'],
): StandInResponse {
  checkArmRequest(request, isValidToken);
  settleOperations(store);
  const path = request.path.replace(/\/+$/, '');
  for (const [operation, pattern] of Object.entries(ARM_PATHS)) {
    if (pattern.method !== request.method) continue;
    const match = pattern.path.exec(path)?.groups;
    if (match) return HANDLERS[operation as FrontDoorOperation](store, match, request);
  }
  throw invalidResourceType(request);
}

type SeedAndRead = Pick<
  FrontDoorStandIn,
  | 'origins'
  | 'setOrigin'
  | 'setLatencySensitivity'
  | 'onUpdate'
  | 'failNextOperation'
  | 'setOperationDelay'
>;

/** The helpers tests and the sandbox use to read and change the profile out of band. */
function seedAndRead(store: FrontDoorStore): SeedAndRead {
  return {
    origins: (originGroup) => originStates(store, groupOrThrow(store, originGroup)),
    setOrigin(originGroup, origin, state) {
      Object.assign(originOrThrow(store, originGroup, origin), state);
    },
    setLatencySensitivity(originGroup, milliseconds) {
      groupOrThrow(store, originGroup).additionalLatencyInMilliseconds = milliseconds;
    },
    onUpdate(listener) {
      store.updateListeners.add(listener);
      return () => store.updateListeners.delete(listener);
    },
    failNextOperation(error) {
      store.nextFailure = error;
    },
    setOperationDelay(ms) {
      store.operationDelayMs = ms;
    },
  };
}
