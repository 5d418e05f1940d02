/**
 * S3 conditional writes in front of an S3 emulator that lacks them.
 *
 * fauxqs (the project's SQS/SNS/S3 emulator, v1.9.2) stores objects and returns ETags but
 * ignores `If-None-Match` and `If-Match` on PutObject. This stand-in is a reverse proxy in
 * front of it: every request is passed through unchanged, except PutObject with a condition,
 * which it evaluates as S3 documents it, per key and atomically:
 *
 * - `If-None-Match: *` and the key exists           -> 412 PreconditionFailed
 * - `If-Match: <etag>` and the stored ETag differs  -> 412 PreconditionFailed
 * - `If-Match` and the key does not exist           -> 404 NoSuchKey
 * - another conditional write on the same key is
 *   still in flight                                 -> 409 ConditionalRequestConflict
 *   ("A conflicting conditional operation is currently in progress against this resource.")
 * - otherwise the PUT goes to the emulator (without the condition headers) and its answer,
 *   ETag included, is returned.
 *
 * Path-style addressing only (`/<bucket>/<key>`): point the S3 client at this URL with
 * `forcePathStyle: true`. Reads, lists and unconditional writes reach the emulator untouched.
 *
 *   const proxy = await startS3ConditionalProxy({ upstream: fauxqs.address });
 *   new S3Client({ endpoint: proxy.url, forcePathStyle: true, ... });
 *   proxy.server.injectFault({ method: 'PUT', path: '/bucket/*', status: 503 });
 *   await proxy.close();
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  startStandInServer,
  type StandInRequest,
  type StandInResponse,
  type StandInServer,
} from '../http/server.js';

export interface S3ConditionalProxyOptions {
  /** Base URL of the S3 emulator, e.g. fauxqs's `server.address`. */
  upstream: string;
  /**
   * false: pass every request through untouched, conditions included. The proxy is then only
   * a place to inject faults (`server.injectFault`) in front of any HTTP emulator.
   */
  evaluateConditions?: boolean;
}

export interface S3ConditionalProxy {
  readonly url: string;
  readonly server: StandInServer;
  /** Counts of conditional outcomes, for tests that assert the conflict paths ran. */
  readonly stats: {
    passed: number;
    preconditionFailed: number;
    conflicts: number;
    noSuchKey: number;
  };
  close(): Promise<void>;
}

interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host']);

export async function startS3ConditionalProxy(
  options: S3ConditionalProxyOptions,
): Promise<S3ConditionalProxy> {
  const upstream = new URL(options.upstream);
  const inFlight = new Set<string>();
  const stats = { passed: 0, preconditionFailed: 0, conflicts: 0, noSuchKey: 0 };

  const forward = (
    request: StandInRequest,
    method: string,
    dropHeaders: readonly string[] = [],
    body: Buffer = request.body,
  ): Promise<UpstreamResponse> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value === undefined || hopByHop.has(name) || dropHeaders.includes(name)) continue;
        headers[name] = value;
      }
      headers.host = upstream.host;
      if (method === 'HEAD') delete headers['content-length'];
      const query = request.query.toString();
      const upstreamRequest = httpRequest(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method,
          path: `${request.path}${query ? `?${query}` : ''}`,
          headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', reject);
        },
      );
      upstreamRequest.on('error', reject);
      upstreamRequest.end(method === 'HEAD' || method === 'GET' ? undefined : body);
    });

  const passThrough = (response: UpstreamResponse, method: string): StandInResponse => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || hopByHop.has(name)) continue;
      // The body is re-sent with its own length, but a HEAD answer must keep the object's.
      if (name === 'content-length' && method !== 'HEAD') continue;
      headers[name] = value;
    }
    return {
      status: response.status,
      headers,
      body: method === 'HEAD' ? undefined : response.body,
    };
  };

  const conditionalPut = async (request: StandInRequest): Promise<StandInResponse> => {
    const ifNoneMatch = request.header('if-none-match');
    const ifMatch = request.header('if-match');
    const resource = request.path;
    if (inFlight.has(resource)) {
      stats.conflicts += 1;
      return s3Error(
        409,
        'ConditionalRequestConflict',
        'A conflicting conditional operation is currently in progress against this resource. Please try again.',
        resource,
      );
    }
    inFlight.add(resource);
    try {
      const head = await forward(request, 'HEAD', ['if-none-match', 'if-match']);
      const exists = head.status === 200;
      const currentEtag = typeof head.headers.etag === 'string' ? head.headers.etag : undefined;
      if (ifNoneMatch !== undefined) {
        if (ifNoneMatch.trim() !== '*') {
          return s3Error(
            501,
            'NotImplemented',
            'If-None-Match on PutObject accepts only *',
            resource,
          );
        }
        if (exists) {
          stats.preconditionFailed += 1;
          return preconditionFailed('If-None-Match', resource);
        }
      }
      if (ifMatch !== undefined) {
        if (!exists) {
          stats.noSuchKey += 1;
          return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', resource);
        }
        if (!etagMatches(ifMatch, currentEtag)) {
          stats.preconditionFailed += 1;
          return preconditionFailed('If-Match', resource);
        }
      }
      stats.passed += 1;
      return passThrough(await forward(request, 'PUT', ['if-none-match', 'if-match']), 'PUT');
    } finally {
      inFlight.delete(resource);
    }
  };

  const server = await startStandInServer({
    name: 's3-conditional',
    routes: [
      {
        method: '*',
        path: '/*',
        handler: async (request) => {
          const conditional =
            options.evaluateConditions !== false &&
            request.method === 'PUT' &&
            request.header('x-amz-copy-source') === undefined &&
            (request.header('if-none-match') !== undefined ||
              request.header('if-match') !== undefined);
          if (conditional) return conditionalPut(request);
          return passThrough(await forward(request, request.method), request.method);
        },
      },
    ],
  });

  return {
    url: server.url,
    server,
    stats,
    close: () => server.close(),
  };
}

function etagMatches(condition: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  if (condition.trim() === '*') return true;
  const normalize = (value: string) => value.trim().replace(/^W\//, '');
  return condition.split(',').some((candidate) => normalize(candidate) === normalize(current));
}

function preconditionFailed(condition: string, resource: string): StandInResponse {
  return s3Error(
    412,
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold',
    resource,
    `<Condition>${condition}</Condition>`,
  );
}

function s3Error(
  status: number,
  code: string,
  message: string,
  resource: string,
  extra = '',
): StandInResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
      `${extra}<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`,
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
