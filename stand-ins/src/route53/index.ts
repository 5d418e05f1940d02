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
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  startStandInServer,
  type InjectedFault,
  type RecordedRequest,
  type StandInRequest,
  type StandInResponse,
  type StandInServer,
} from '../http/server.js';
import {
  Route53ValidationError,
  applyChangeBatch,
  compareRecordSets,
  normalizeName,
  type Change,
  type RecordSet,
} from './record-sets.js';
import { changeInfoXml, document, errorXml, parseChangeBatch, recordSetXml } from './wire.js';

export type { AliasTarget, Change, RecordSet } from './record-sets.js';

export interface HostedZoneSeed {
  /** Hosted zone ID without the '/hostedzone/' prefix ('Z0TRAFFIC'). */
  id: string;
  /** Zone apex ('example.com'). */
  name: string;
  /** Record sets; names may omit the trailing dot. */
  recordSets?: RecordSet[];
}

export interface Route53StandInOptions {
  zones: HostedZoneSeed[];
  /** How long a change stays PENDING before GetChange reports INSYNC. Default 0. */
  insyncDelayMs?: number;
}

export interface AcceptedChangeBatch {
  id: string;
  zoneId: string;
  comment?: string;
  changes: Change[];
  submittedAt: Date;
}

export type Route53Operation = 'ChangeResourceRecordSets' | 'ListResourceRecordSets' | 'GetChange';
export type Route53ErrorCode =
  'Throttling' | 'PriorRequestNotComplete' | 'InternalFailure' | 'ServiceUnavailable';

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

const OPERATION_ROUTES: Record<Route53Operation, { method: string; path: string }> = {
  ChangeResourceRecordSets: { method: 'POST', path: '/2013-04-01/hostedzone/:id/rrset' },
  ListResourceRecordSets: { method: 'GET', path: '/2013-04-01/hostedzone/:id/rrset' },
  GetChange: { method: 'GET', path: '/2013-04-01/change/:id' },
};

const ERROR_RESPONSES: Record<
  Route53ErrorCode,
  { status: number; type: 'Sender' | 'Receiver'; message: string }
> = {
  Throttling: { status: 400, type: 'Sender', message: 'Rate exceeded' },
  PriorRequestNotComplete: {
    status: 400,
    type: 'Sender',
    message: 'The request was rejected because Route 53 was still processing a prior request.',
  },
  InternalFailure: {
    status: 500,
    type: 'Receiver',
    message: 'An internal error occurred. Try your request again.',
  },
  ServiceUnavailable: {
    status: 503,
    type: 'Receiver',
    message: 'The service is unavailable. Try your request again.',
  },
};

interface Zone {
  id: string;
  name: string;
  recordSets: RecordSet[];
}

interface StoredChange {
  info: AcceptedChangeBatch;
  insyncAt: number;
}

function xml(status: number, body: string): StandInResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
    body,
  };
}

function errorResponse(
  status: number,
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
): StandInResponse {
  return xml(status, errorXml(type, code, message, randomUUID()));
}

function changeId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return `C${[...randomBytes(13)].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

function seedZone(seed: HostedZoneSeed): Zone {
  const name = normalizeName(seed.name);
  const apex: RecordSet[] = [
    {
      name,
      type: 'SOA',
      ttl: 900,
      resourceRecords: [
        `ns-1.awsdns-00.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`,
      ],
    },
    {
      name,
      type: 'NS',
      ttl: 172800,
      resourceRecords: ['ns-1.awsdns-00.com.', 'ns-2.awsdns-00.net.'],
    },
  ];
  const seeded = (seed.recordSets ?? []).map((set) => ({
    ...set,
    name: normalizeName(set.name),
    type: set.type.toUpperCase(),
  }));
  return {
    id: seed.id,
    name,
    recordSets: applyChangeBatch(
      name,
      apex,
      seeded.map((recordSet) => ({ action: 'CREATE', recordSet })),
    ),
  };
}

export async function startRoute53StandIn(options: Route53StandInOptions): Promise<Route53StandIn> {
  const zones = new Map(options.zones.map((seed) => [seed.id, seedZone(seed)]));
  const stored = new Map<string, StoredChange>();
  const accepted: AcceptedChangeBatch[] = [];
  const listeners = new Set<(batch: AcceptedChangeBatch) => void>();
  let insyncDelayMs = options.insyncDelayMs ?? 0;

  const requireAuth = (request: StandInRequest): StandInResponse | undefined => {
    const authorization = request.header('authorization') ?? '';
    if (!authorization.startsWith('AWS4-HMAC-SHA256 ')) {
      return errorResponse(
        403,
        'Sender',
        'MissingAuthenticationTokenException',
        'Missing Authentication Token',
      );
    }
    return undefined;
  };

  const findZone = (id: string): Zone | StandInResponse => {
    const zone = zones.get(id.replace(/^\/?hostedzone\//, ''));
    return (
      zone ??
      errorResponse(404, 'Sender', 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`)
    );
  };

  const changeRecordSets = (request: StandInRequest): StandInResponse => {
    const denied = requireAuth(request);
    if (denied) return denied;
    const zone = findZone(request.params.id ?? '');
    if ('status' in zone) return zone;
    try {
      const { comment, changes } = parseChangeBatch(request.text());
      zone.recordSets = applyChangeBatch(zone.name, zone.recordSets, changes);
      const info: AcceptedChangeBatch = {
        id: changeId(),
        zoneId: zone.id,
        comment,
        changes,
        submittedAt: new Date(),
      };
      stored.set(info.id, { info, insyncAt: Date.now() + insyncDelayMs });
      accepted.push(info);
      for (const listener of listeners) listener(info);
      return xml(
        200,
        document(
          'ChangeResourceRecordSetsResponse',
          changeInfoXml({
            id: info.id,
            // Route 53 always answers PENDING; GetChange reports INSYNC once the delay has passed.
            status: 'PENDING',
            submittedAt: info.submittedAt,
            comment,
          }),
        ),
      );
    } catch (error) {
      if (error instanceof Route53ValidationError) {
        return errorResponse(400, 'Sender', error.code, error.message);
      }
      throw error;
    }
  };

  const listRecordSets = (request: StandInRequest): StandInResponse => {
    const denied = requireAuth(request);
    if (denied) return denied;
    const zone = findZone(request.params.id ?? '');
    if ('status' in zone) return zone;
    const name = request.query.get('name');
    const type = request.query.get('type');
    const identifier = request.query.get('identifier');
    const maxItemsText = request.query.get('maxitems') ?? '300';
    const maxItems = Math.min(Number(maxItemsText), 300);
    if (!Number.isInteger(maxItems) || maxItems < 1) {
      return errorResponse(
        400,
        'Sender',
        'InvalidInput',
        `Invalid value for maxitems: ${maxItemsText}`,
      );
    }
    if (type && !name) {
      return errorResponse(
        400,
        'Sender',
        'InvalidInput',
        'The input is not valid: type requires name',
      );
    }
    if (identifier && !type) {
      return errorResponse(
        400,
        'Sender',
        'InvalidInput',
        'The input is not valid: identifier requires name and type',
      );
    }
    const start = name
      ? {
          name: normalizeName(name),
          type: type?.toUpperCase() ?? '',
          setIdentifier: identifier ?? undefined,
        }
      : undefined;
    const from = start
      ? zone.recordSets.filter((set) => compareRecordSets(set, start) >= 0)
      : zone.recordSets;
    const page = from.slice(0, maxItems);
    const next = from[maxItems];
    const body =
      `<ResourceRecordSets>${page.map(recordSetXml).join('')}</ResourceRecordSets>` +
      `<IsTruncated>${next ? 'true' : 'false'}</IsTruncated>` +
      (next
        ? `<NextRecordName>${next.name}</NextRecordName><NextRecordType>${next.type}</NextRecordType>` +
          (next.setIdentifier !== undefined
            ? `<NextRecordIdentifier>${next.setIdentifier}</NextRecordIdentifier>`
            : '')
        : '') +
      `<MaxItems>${maxItems}</MaxItems>`;
    return xml(200, document('ListResourceRecordSetsResponse', body));
  };

  const getChange = (request: StandInRequest): StandInResponse => {
    const denied = requireAuth(request);
    if (denied) return denied;
    const id = (request.params.id ?? '').replace(/^\/?change\//, '');
    const change = stored.get(id);
    if (!change) {
      return errorResponse(
        404,
        'Sender',
        'NoSuchChange',
        `A change with the specified change ID does not exist.`,
      );
    }
    return xml(
      200,
      document(
        'GetChangeResponse',
        changeInfoXml({
          id,
          status: Date.now() >= change.insyncAt ? 'INSYNC' : 'PENDING',
          submittedAt: change.info.submittedAt,
          comment: change.info.comment,
        }),
      ),
    );
  };

  const server = await startStandInServer({
    name: 'route53',
    routes: [
      { ...OPERATION_ROUTES.ChangeResourceRecordSets, handler: changeRecordSets },
      { method: 'POST', path: '/2013-04-01/hostedzone/:id/rrset/', handler: changeRecordSets },
      { ...OPERATION_ROUTES.ListResourceRecordSets, handler: listRecordSets },
      { ...OPERATION_ROUTES.GetChange, handler: getChange },
    ],
    notFound: () => errorResponse(404, 'Sender', 'UnknownOperationException', 'Unknown operation'),
  });

  const zoneOrThrow = (zoneId: string): Zone => {
    const zone = zones.get(zoneId);
    if (!zone) throw new Error(`route53 stand-in: no hosted zone ${zoneId}`);
    return zone;
  };

  return {
    url: server.url,
    requests: server.requests,
    changes: accepted,
    server,
    recordSets: (zoneId) => zoneOrThrow(zoneId).recordSets.map((set) => ({ ...set })),
    weights(zoneId, name, type) {
      const normalized = normalizeName(name);
      const result: Record<string, number> = {};
      for (const set of zoneOrThrow(zoneId).recordSets) {
        if (
          set.name === normalized &&
          set.type === type.toUpperCase() &&
          set.weight !== undefined
        ) {
          result[set.setIdentifier ?? ''] = set.weight;
        }
      }
      return result;
    },
    setWeights(zoneId, name, type, weights) {
      const zone = zoneOrThrow(zoneId);
      const normalized = normalizeName(name);
      const changes: Change[] = Object.entries(weights).map(([setIdentifier, weight]) => {
        const existing = zone.recordSets.find(
          (set) =>
            set.name === normalized &&
            set.type === type.toUpperCase() &&
            set.setIdentifier === setIdentifier,
        );
        if (!existing) {
          throw new Error(`route53 stand-in: no record ${normalized} ${type} ${setIdentifier}`);
        }
        return { action: 'UPSERT', recordSet: { ...existing, weight } };
      });
      zone.recordSets = applyChangeBatch(zone.name, zone.recordSets, changes);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    injectError(operation, code, faultOptions = {}) {
      const route = OPERATION_ROUTES[operation];
      const response = ERROR_RESPONSES[code];
      return server.injectFault({
        method: route.method,
        path: route.path,
        times: faultOptions.times ?? 1,
        delayMs: faultOptions.delayMs,
        status: response.status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
        body: errorXml(response.type, code, response.message, randomUUID()),
      });
    },
    setInsyncDelay(ms) {
      insyncDelayMs = ms;
    },
    writeRequests: () =>
      server.requests.filter(
        (request) => request.method === 'POST' && /\/rrset\/?$/.test(request.path),
      ),
    close: () => server.close(),
  };
}
