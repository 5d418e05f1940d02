/**
 * Errors the Route 53 stand-in injects, with Route 53's codes and statuses:
 *
 *   route53.injectError('ChangeResourceRecordSets', 'Throttling', { times: 2 })   400 "Rate exceeded"
 *   route53.injectError('GetChange', 'InternalFailure')                          500
 *
 * `Throttling` and `PriorRequestNotComplete` are 400 Sender errors, `InternalFailure` 500 and
 * `ServiceUnavailable` 503 Receiver errors; the SDK retries all four unless told not to.
 */
import { randomUUID } from 'node:crypto';
import type { InjectedFault, StandInServer } from '../http/server.js';
import { OPERATION_ROUTES, errorXml, xmlHeaders, type Route53Operation } from './wire.js';

export type Route53ErrorCode =
  'Throttling' | 'PriorRequestNotComplete' | 'InternalFailure' | 'ServiceUnavailable';

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

export function injectRoute53Error(
  server: StandInServer,
  operation: Route53Operation,
  code: Route53ErrorCode,
  options: { times?: number; delayMs?: number } = {},
): InjectedFault {
  const route = OPERATION_ROUTES[operation];
  const response = ERROR_RESPONSES[code];
  return server.injectFault({
    method: route.method,
    path: route.path,
    times: options.times ?? 1,
    delayMs: options.delayMs,
    status: response.status,
    headers: xmlHeaders(),
    body: errorXml(response.type, code, response.message, randomUUID()),
  });
}
