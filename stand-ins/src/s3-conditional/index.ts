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
 *
 * Layout: this file is the router; upstream.ts forwards to the emulator and passes its answer
 * back, conditional-put.ts evaluates the conditions.
 */
import { startStandInServer, type StandInServer } from '../http/server.js';
import {
  conditionalPut,
  isConditionalPut,
  type ConditionalStats,
  type ConditionalWrites,
} from './conditional-put.js';
import { forward, passThrough } from './upstream.js';

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
  readonly stats: ConditionalStats;
  close(): Promise<void>;
}

export async function startS3ConditionalProxy(
  options: S3ConditionalProxyOptions,
): Promise<S3ConditionalProxy> {
  const writes: ConditionalWrites = {
    upstream: new URL(options.upstream),
    inFlight: new Set(),
    stats: { passed: 0, preconditionFailed: 0, conflicts: 0, noSuchKey: 0 },
  };
  const server = await startStandInServer({
    name: 's3-conditional',
    routes: [
      {
        method: '*',
        path: '/*',
        handler: async (request) => {
          if (options.evaluateConditions !== false && isConditionalPut(request)) {
            return conditionalPut(writes, request);
          }
          return passThrough(
            await forward(writes.upstream, request, request.method),
            request.method,
          );
        },
      },
    ],
  });
  return { url: server.url, server, stats: writes.stats, close: () => server.close() };
}
