/**
 * A local stand-in for the Amazon Route 53 control plane (REST-XML, API 2013-04-01), enough for
 * weighted traffic shifting: ChangeResourceRecordSets, ListResourceRecordSets (with
 * name/type/identifier pagination) and GetChange (PENDING, then INSYNC after a delay). Drive it
 * with the real @aws-sdk/client-route-53 (`endpoint: standIn.url`, any static credentials).
 *
 *   import { startRoute53StandIn } from '<repo>/stand-ins/src/route53/index.js';
 *
 *   const route53 = await startRoute53StandIn({
 *     zones: [{
 *       id: 'Z0TRAFFIC', name: 'example.com',
 *       recordSets: [
 *         { name: 'app.example.com', type: 'CNAME', setIdentifier: 'aws', weight: 50, ttl: 60,
 *           resourceRecords: ['aws.example.net'] },
 *         { name: 'app.example.com', type: 'CNAME', setIdentifier: 'azure', weight: 50, ttl: 60,
 *           resourceRecords: ['azure.example.net'] },
 *       ],
 *     }],
 *     insyncDelayMs: 50,                 // PENDING for 50 ms after each change batch (default 0)
 *   });
 *   route53.url                          // 'http://127.0.0.1:PORT': the SDK's `endpoint`
 *   route53.weights('Z0TRAFFIC', 'app.example.com', 'CNAME')   // { aws: 50, azure: 50 }
 *   route53.recordSets('Z0TRAFFIC')     // every record set, in ListResourceRecordSets order
 *   route53.setWeights('Z0TRAFFIC', 'app.example.com', 'CNAME', { aws: 0, azure: 1 })  // out of band
 *   route53.changes                      // accepted change batches: id, zoneId, changes, submittedAt
 *   route53.onChange((batch) => ...)     // after each accepted batch; returns an unsubscribe
 *   route53.injectError('ChangeResourceRecordSets', 'Throttling', { times: 2 })
 *   route53.injectError('GetChange', 'InternalFailure')       // HTTP 500
 *   route53.setInsyncDelay(0)
 *   route53.requests                     // the shared request log (method, path, query, body...)
 *   route53.writeRequests()              // the ChangeResourceRecordSets requests only
 *   await route53.close()
 *
 * Wire behaviour (as Route 53): a change batch is answered PENDING, GetChange says INSYNC once
 * `insyncDelayMs` has passed; each zone gets an SOA and an NS record at its apex; names are
 * stored lower case with the trailing dot; a batch is validated against a working copy and
 * applied all or nothing; `InvalidChangeBatch` messages are bracketed and comma-joined as Route
 * 53 sends them (for example "[Tried to create resource record set [name='a.example.com.',
 * type='A', set-identifier='aws'] but it already exists]"); field-level problems (a weight
 * outside 0-255, a weighted record without SetIdentifier, a missing TTL) are `InvalidInput`
 * with the AWS validation wording; an unknown zone is 404 `NoSuchHostedZone`; an unknown change
 * 404 `NoSuchChange`. Requests without an AWS Signature V4 `Authorization` header get 403
 * `MissingAuthenticationTokenException` (signatures are not verified). Injected errors use
 * Route 53's codes and statuses: `Throttling` 400 "Rate exceeded", `PriorRequestNotComplete`
 * 400, `InternalFailure` 500, `ServiceUnavailable` 503 (the SDK retries all four unless told
 * not to).
 *
 * Layout: this file is the router. State lives in one plain store (store.ts) shared by the
 * resource modules: list-record-sets.ts and change-batches.ts; record-sets.ts is the zone
 * model (ordering, batch validation), wire.ts the XML and the operations' paths, faults.ts the
 * injected errors.
 */
import {
  startStandInServer,
  type InjectedFault,
  type RecordedRequest,
  type StandInServer,
} from '../http/server.js';
import { changeResourceRecordSets, getChange } from './change-batches.js';
import { injectRoute53Error, type Route53ErrorCode } from './faults.js';
import { listResourceRecordSets } from './list-record-sets.js';
import { applyChangeBatch, weightChanges, weightsOf, type RecordSet } from './record-sets.js';
import {
  createRoute53Store,
  zoneOrThrow,
  type AcceptedChangeBatch,
  type HostedZoneSeed,
  type Route53Store,
} from './store.js';
import { OPERATION_ROUTES, route53Error, type Route53Operation } from './wire.js';

export type { AliasTarget, Change, RecordSet } from './record-sets.js';
export type { AcceptedChangeBatch, HostedZoneSeed } from './store.js';
export type { Route53ErrorCode } from './faults.js';
export type { Route53Operation } from './wire.js';

export interface Route53StandInOptions {
  zones: HostedZoneSeed[];
  /** How long a change stays PENDING before GetChange reports INSYNC. Default 0. */
  insyncDelayMs?: number;
}

export interface Route53StandIn {
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly changes: readonly AcceptedChangeBatch[];
  /** The underlying server, for faults the helpers below do not cover (delays, drops). */
  readonly server: StandInServer;
  recordSets(zoneId: string): RecordSet[];
  /** Weights of the weighted records of one name and type, by set identifier. */
  weights(zoneId: string, name: string, type: string): Record<string, number>;
  /** Changes weights out of band (as a person in the console would); no change batch logged. */
  setWeights(zoneId: string, name: string, type: string, weights: Record<string, number>): void;
  onChange(listener: (batch: AcceptedChangeBatch) => void): () => void;
  injectError(
    operation: Route53Operation,
    code: Route53ErrorCode,
    options?: { times?: number; delayMs?: number },
  ): InjectedFault;
  setInsyncDelay(ms: number): void;
  /** ChangeResourceRecordSets requests (accepted or not). */
  writeRequests(): RecordedRequest[];
  close(): Promise<void>;
}

export async function startRoute53StandIn(options: Route53StandInOptions): Promise<Route53StandIn> {
  const store = createRoute53Store(options.zones, options.insyncDelayMs ?? 0);
  const server = await startStandInServer({
    name: 'route53',
    routes: [
      {
        ...OPERATION_ROUTES.ChangeResourceRecordSets,
        handler: (request) => changeResourceRecordSets(store, request),
      },
      {
        method: 'POST',
        path: '/2013-04-01/hostedzone/:id/rrset/',
        handler: (request) => changeResourceRecordSets(store, request),
      },
      {
        ...OPERATION_ROUTES.ListResourceRecordSets,
        handler: (request) => listResourceRecordSets(store, request),
      },
      { ...OPERATION_ROUTES.GetChange, handler: (request) => getChange(store, request) },
    ],
    notFound: () => {
      throw route53Error(404, 'Sender', 'UnknownOperationException', 'Unknown operation');
    },
  });
  return {
    url: server.url,
    requests: server.requests,
    changes: store.accepted,
    server,
    ...seedAndRead(store),
    injectError: (operation, code, faultOptions) =>
      injectRoute53Error(server, operation, code, faultOptions),
    writeRequests: () =>
      server.requests.filter(
        (request) => request.method === 'POST' && /\/rrset\/?$/.test(request.path),
      ),
    close: () => server.close(),
  };
}

type SeedAndRead = Pick<
  Route53StandIn,
  'recordSets' | 'weights' | 'setWeights' | 'onChange' | 'setInsyncDelay'
>;

/** The helpers tests and the sandbox use to read and change the zones out of band. */
function seedAndRead(store: Route53Store): SeedAndRead {
  return {
    recordSets: (zoneId) => zoneOrThrow(store, zoneId).recordSets.map((set) => ({ ...set })),
    weights: (zoneId, name, type) => weightsOf(zoneOrThrow(store, zoneId).recordSets, name, type),
    setWeights(zoneId, name, type, weights) {
      const zone = zoneOrThrow(store, zoneId);
      const changes = weightChanges(zone.recordSets, name, type, weights);
      zone.recordSets = applyChangeBatch(zone.name, zone.recordSets, changes);
    },
    onChange(listener) {
      store.listeners.add(listener);
      return () => store.listeners.delete(listener);
    },
    setInsyncDelay(ms) {
      store.insyncDelayMs = ms;
    },
  };
}
