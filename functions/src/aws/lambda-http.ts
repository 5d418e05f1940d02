import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { CoreRequest, CoreResponse } from '../core/http-types.js';

/**
 * API Gateway HTTP API, payload format 2.0: header names arrive lower-cased, repeated headers
 * comma-joined, binary or non-UTF-8 bodies base64-encoded (`isBase64Encoded`), and `rawPath`
 * carries the stage name unless the stage is `$default`.
 */
export function coreRequestFromApiGateway(event: APIGatewayProxyEventV2): CoreRequest {
  const stage = event.requestContext.stage;
  let path = event.rawPath || '/';
  if (stage && stage !== '$default' && (path === `/${stage}` || path.startsWith(`/${stage}/`))) {
    path = path.slice(stage.length + 1) || '/';
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  let body: string | undefined;
  if (event.body !== undefined && event.body !== null) {
    body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  }
  return {
    method: event.requestContext.http.method,
    path,
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers,
    ...(body === undefined ? {} : { body }),
  };
}

export function apiGatewayResult(response: CoreResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: response.headers,
    body: response.body,
    isBase64Encoded: false,
  };
}
