import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { httpApiEvent } from './lambda-events.js';

/**
 * Builds API Gateway HTTP API (payload 2.0) events from the project's `GET /` event
 * (lambda-events.ts): header names lower-cased as API Gateway delivers them, bodies optionally
 * base64-encoded, the stage in rawPath unless it is `$default`.
 */
export function apiGatewayEvent(
  method: string,
  pathWithQuery: string,
  options: {
    headers?: Record<string, string>;
    body?: string;
    base64?: boolean;
    stage?: string;
  } = {},
): APIGatewayProxyEventV2 {
  const template = httpApiEvent();
  const [path, rawQueryString = ''] = pathWithQuery.split('?') as [string, string?];
  const stage = options.stage ?? '$default';
  const rawPath = stage === '$default' ? path : `/${stage}${path}`;
  const headers = { ...template.headers } as Record<string, string>;
  for (const [name, value] of Object.entries(options.headers ?? {}))
    headers[name.toLowerCase()] = value;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(options.body));
  } else {
    delete headers['content-length'];
  }
  const event: APIGatewayProxyEventV2 = {
    ...template,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      ...template.requestContext,
      http: { ...template.requestContext.http, method, path: rawPath },
      requestId: randomUUID(),
      stage,
      timeEpoch: Date.now(),
    },
    isBase64Encoded: options.base64 === true,
  };
  if (options.body !== undefined) {
    event.body = options.base64
      ? Buffer.from(options.body, 'utf8').toString('base64')
      : options.body;
  }
  return event;
}
