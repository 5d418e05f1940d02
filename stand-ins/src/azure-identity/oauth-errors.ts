/**
 * Entra's OAuth error answer: 400 with `error`, `error_description` (the AADSTS code, trace and
 * correlation ids, timestamp), `error_codes`, `timestamp`, `trace_id`, `correlation_id`.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http/server.js';

/** Throw it from a handler. */
export function oauthError(error: string, code: number, description: string): HttpError {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return new HttpError(400, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
  });
}
