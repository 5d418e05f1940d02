/**
 * PutObject with `If-None-Match: *` or `If-Match`, evaluated as S3 documents it, per key and
 * atomically (see index.ts for the outcomes). The key's current state comes from a HEAD to the
 * emulator; while one conditional write on a key is in flight, another is 409
 * ConditionalRequestConflict. Errors are S3's XML ErrorResponse.
 */
import { randomUUID } from 'node:crypto';
import type { StandInRequest, StandInResponse } from '../http/server.js';
import { forward, passThrough } from './upstream.js';

export interface ConditionalStats {
  passed: number;
  preconditionFailed: number;
  conflicts: number;
  noSuchKey: number;
}

export interface ConditionalWrites {
  readonly upstream: URL;
  /** Keys (request paths) with a conditional write in flight. */
  readonly inFlight: Set<string>;
  readonly stats: ConditionalStats;
}

const CONDITIONS = ['if-none-match', 'if-match'];

export function isConditionalPut(request: StandInRequest): boolean {
  return (
    request.method === 'PUT' &&
    request.header('x-amz-copy-source') === undefined &&
    (request.header('if-none-match') !== undefined || request.header('if-match') !== undefined)
  );
}

export async function conditionalPut(
  writes: ConditionalWrites,
  request: StandInRequest,
): Promise<StandInResponse> {
  const resource = request.path;
  if (writes.inFlight.has(resource)) {
    writes.stats.conflicts += 1;
    return s3Error(
      409,
      'ConditionalRequestConflict',
      'A conflicting conditional operation is currently in progress against this resource. Please try again.',
      resource,
    );
  }
  writes.inFlight.add(resource);
  try {
    const refusal = await checkConditions(writes, request);
    if (refusal) return refusal;
    writes.stats.passed += 1;
    return passThrough(await forward(writes.upstream, request, 'PUT', CONDITIONS), 'PUT');
  } finally {
    writes.inFlight.delete(resource);
  }
}

/** The answer that refuses the write, or undefined when its conditions hold. */
async function checkConditions(
  writes: ConditionalWrites,
  request: StandInRequest,
): Promise<StandInResponse | undefined> {
  const ifNoneMatch = request.header('if-none-match');
  const ifMatch = request.header('if-match');
  const resource = request.path;
  const head = await forward(writes.upstream, request, 'HEAD', CONDITIONS);
  const exists = head.status === 200;
  const currentEtag = typeof head.headers.etag === 'string' ? head.headers.etag : undefined;
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') {
      return s3Error(501, 'NotImplemented', 'If-None-Match on PutObject accepts only *', resource);
    }
    if (exists) {
      writes.stats.preconditionFailed += 1;
      return preconditionFailed('If-None-Match', resource);
    }
  }
  if (ifMatch === undefined) return undefined;
  if (!exists) {
    writes.stats.noSuchKey += 1;
    return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', resource);
  }
  if (!etagMatches(ifMatch, currentEtag)) {
    writes.stats.preconditionFailed += 1;
    return preconditionFailed('If-Match', resource);
  }
  return undefined;
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
