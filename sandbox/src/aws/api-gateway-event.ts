import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The API Gateway HTTP API request event, payload format 2.0 (what the Lambda handler gets). */
export interface ApiGatewayV2Event {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

/** What a handler may return under payload 2.0: a full response, or any value to serialize. */
export interface ApiGatewayV2Result {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

export interface IncomingRequestParts {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
  httpVersion: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `21/Apr/2020:15:08:21 +0000`, the CLF time API Gateway puts in requestContext.time. */
export function clfTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/**
 * Content types API Gateway passes through as text; anything else arrives base64-encoded with
 * isBase64Encoded: true (HTTP APIs have no binary media type setting).
 */
function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/javascript'
  );
}

/**
 * Builds the event exactly as an HTTP API does: lowercased header names, repeated headers
 * joined with commas, cookies moved out of the headers into `cookies`, repeated query
 * parameters joined with commas, the body as text or base64.
 */
export function toApiGatewayV2Event(
  request: IncomingRequestParts,
  route: { routeKey: string; pathParameters?: Record<string, string> },
  api: { apiId: string; accountId: string; stage?: string },
  now = new Date(),
): ApiGatewayV2Event {
  const questionMark = request.url.indexOf('?');
  const rawPath = questionMark === -1 ? request.url : request.url.slice(0, questionMark);
  const rawQueryString = questionMark === -1 ? '' : request.url.slice(questionMark + 1);

  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      cookies = (Array.isArray(value) ? value.join('; ') : value).split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[lower] = Array.isArray(value) ? value.join(',') : value;
  }
  const host = headers.host ?? `${api.apiId}.execute-api.localhost`;
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[key] =
        key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value;
    }
  }

  const event: ApiGatewayV2Event = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(route.pathParameters && Object.keys(route.pathParameters).length > 0
      ? { pathParameters: route.pathParameters }
      : {}),
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method,
        path: decodeURIComponent(rawPath),
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(10).toString('base64').replace(/=+$/, '='),
      routeKey: route.routeKey,
      stage: api.stage ?? '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (request.body.length > 0) {
    if (isTextual(headers['content-type'])) {
      event.body = request.body.toString('utf8');
    } else {
      event.body = request.body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

export interface HttpResponseParts {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Maps a payload 2.0 result to the HTTP response, with API Gateway's inference: a result
 * without `statusCode` is a 200 JSON body of the whole value.
 */
export function fromApiGatewayV2Result(result: unknown): HttpResponseParts {
  const isFullResponse = typeof result === 'object' && result !== null && 'statusCode' in result;
  if (!isFullResponse) {
    if (result === undefined || result === null) {
      return { statusCode: 200, headers: {}, body: Buffer.alloc(0) };
    }
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body),
    };
  }
  const response = result as ApiGatewayV2Result;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    headers[name.toLowerCase()] = String(value);
  }
  if (response.cookies && response.cookies.length > 0) headers['set-cookie'] = response.cookies;
  const rawBody = response.body ?? '';
  const body = response.isBase64Encoded ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody);
  return { statusCode: Number(response.statusCode), headers, body };
}
