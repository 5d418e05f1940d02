/**
 * ARM errors the Front Door stand-in injects on one operation, as ARM sends them:
 *
 *   frontDoor.injectError('updateOrigin', { status: 500 })                 InternalServerError
 *   frontDoor.injectError('getOrigin', { status: 429, retryAfterSeconds: 0, times: 2 })
 *   frontDoor.failNextOperation({ code, message })   the next update is accepted, then Failed
 *
 * 429 and 503 carry Retry-After; the code defaults by status (429 TooManyRequests, 5xx
 * InternalServerError and its kin) unless given.
 */
import type { InjectedFault, StandInServer } from '../http/server.js';
import { ARM_PATHS, DEFAULT_ERROR_CODES, armHeaders, type FrontDoorOperation } from './arm.js';

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

export function injectArmError(
  server: StandInServer,
  operation: FrontDoorOperation,
  error: InjectedArmError,
): InjectedFault {
  const pattern = ARM_PATHS[operation];
  const headers: Record<string, string> = {
    ...armHeaders(),
    'content-type': 'application/json; charset=utf-8',
  };
  if (error.status === 429 || error.status === 503) {
    headers['retry-after'] = String(error.retryAfterSeconds ?? 0);
  }
  const code = error.code ?? DEFAULT_ERROR_CODES[error.status] ?? 'InternalServerError';
  return server.injectFault({
    method: pattern.method,
    path: pattern.path,
    times: error.times ?? 1,
    delayMs: error.delayMs,
    status: error.status,
    headers,
    body: { error: { code, message: error.message ?? defaultMessage(error.status, code) } },
  });
}

function defaultMessage(status: number, code: string): string {
  return status === 429
    ? 'The request is being throttled as the limit has been reached for operation type - Write.'
    : `An error has occurred while processing the request (${code}).`;
}
