/**
 * Shared plumbing for every stand-in HTTP server (GitHub, Route 53, Azure Resource Manager,
 * Event Hubs...). A stand-in is a list of routes; this module serves them on 127.0.0.1 (never
 * another interface), records every request, and injects faults.
 *
 * Usage:
 *
 *   import { startStandInServer, json, HttpError } from '../http/server.js';
 *
 *   const server = await startStandInServer({
 *     name: 'route53',
 *     routes: [
 *       { method: 'GET', path: '/2013-04-01/change/:id', handler: (req) => json(200, { id: req.params.id }) },
 *       { method: 'POST', path: '/things/*', handler: (req) => {
 *           const body = req.json<{ name?: string }>();        // 400 on invalid JSON
 *           if (!body.name) throw new HttpError(422, { message: 'name is required' });
 *           return { status: 201, headers: { 'content-type': 'text/xml' }, body: '<ok/>' };
 *       } },
 *     ],
 *     tls: { key, cert },          // optional: HTTPS (see createTestCertificate())
 *   });
 *   server.url                      // 'http://127.0.0.1:54321' (no trailing slash)
 *   server.requests                 // RecordedRequest[]: method, path, query, headers, body,
 *                                   //   status, startedAt, durationMs, fault
 *   server.injectFault({ method: 'POST', path: '/things/*', status: 503, times: 2 });
 *   server.injectFault({ path: '/slow', delayMs: 2000 });        // delayed, then the real handler
 *   server.injectFault({ path: '/flaky', drop: true });          // connection destroyed, no response
 *   await server.close();           // ends open sockets and pending fault timers
 *
 * Routes: `path` is matched against the URL path (no query), segment by segment. `:name`
 * matches one non-empty segment (percent-decoded into `req.params.name`); a final `*` matches
 * the rest (any number of segments, in `req.params['*']`). The first route whose method and
 * path match wins; method `*` matches any method. No match: `notFound` (default 404 JSON
 * `{"message":"Not Found"}`).
 *
 * Handlers return `{ status, headers?, body? }`: a string or Buffer body is sent as is, any
 * other value as JSON (content-type application/json unless given). A thrown `HttpError`
 * becomes its response; any other throw becomes a 500 whose body names the error (a stand-in
 * bug must be loud in tests, not a hang).
 *
 * Faults are checked before routing, in the order they were injected; the first one whose
 * method and path pattern match (same syntax as routes, or a RegExp on the path) and that has
 * times left is used. `times` defaults to 1 (`Infinity` for always). A fault with `status`
 * answers with that status/headers/body; `drop` destroys the connection; neither: the request
 * reaches its route after `delayMs`. `delayMs` applies to all three.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface StandInRequest {
  method: string;
  /** URL path without the query, as sent (not decoded). */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** Raw body bytes (empty Buffer when there is none). */
  body: Buffer;
  /** Route parameters, percent-decoded. */
  params: Record<string, string>;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON; throws HttpError 400 when it is not JSON. */
  json<T = unknown>(): T;
  /** One header value (the first one when repeated), or undefined. */
  header(name: string): string | undefined;
  raw: IncomingMessage;
}

export interface StandInResponse {
  status: number;
  headers?: Record<string, string | number | string[]>;
  /** string/Buffer sent as is; anything else (except undefined) as JSON. */
  body?: unknown;
}

export type Handler = (request: StandInRequest) => StandInResponse | Promise<StandInResponse>;

export interface Route {
  /** 'GET', 'POST', ... or '*' for any method. */
  method: string;
  /** '/repos/:owner/:repo/issues/:number', '/files/*'. */
  path: string;
  handler: Handler;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  body: string;
  /** Response status; 0 when the connection was dropped or closed before a response. */
  status: number;
  responseBody: string;
  startedAt: Date;
  durationMs: number;
  /** True when an injected fault handled (or delayed) this request. */
  fault: boolean;
}

export interface Fault {
  /** Method to match; default any. */
  method?: string;
  /** Route-style pattern ('/repos/:o/:r/issues/*') or a RegExp tested on the path. */
  path: string | RegExp;
  /** How many requests this fault applies to; default 1. Use Infinity for every request. */
  times?: number;
  status?: number;
  headers?: Record<string, string | number | string[]>;
  body?: unknown;
  delayMs?: number;
  /** Destroy the connection without a response (the client sees ECONNRESET / socket hang up). */
  drop?: boolean;
}

export interface InjectedFault {
  readonly fault: Fault;
  /** Requests this fault has handled so far. */
  readonly hits: number;
  readonly remaining: number;
  remove(): void;
}

export interface StandInServerOptions {
  routes: Route[];
  /** Used in error messages only. */
  name?: string;
  /** PEM key and certificate: serve HTTPS instead of HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  notFound?: Handler;
  /** Largest accepted request body; larger gets 413. Default 32 MiB. */
  maxBodyBytes?: number;
}

export interface StandInServer {
  /** 'http://127.0.0.1:PORT' or 'https://127.0.0.1:PORT', no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request served so far, oldest first. */
  readonly requests: RecordedRequest[];
  addRoute(route: Route): void;
  injectFault(fault: Fault): InjectedFault;
  clearFaults(): void;
  clearRequests(): void;
  close(): Promise<void>;
}

/** A response that carries its status: throw it from a handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown = { message: `HTTP ${status}` },
    readonly headers: Record<string, string | number | string[]> = {},
  ) {
    super(
      typeof body === 'object' && body !== null && 'message' in body
        ? String((body as { message: unknown }).message)
        : `HTTP ${status}`,
    );
    this.name = 'HttpError';
  }
}

/** A JSON response. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string | number | string[]> = {},
): StandInResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body,
  };
}

type PathMatcher = (path: string) => Record<string, string> | undefined;

/** Compiles a route pattern; exported for stand-ins that dispatch on paths themselves. */
export function compilePathPattern(pattern: string | RegExp): PathMatcher {
  if (pattern instanceof RegExp) {
    return (path) => {
      const match = pattern.exec(path);
      return match ? { ...match.groups } : undefined;
    };
  }
  const parts = splitPath(pattern);
  const wildcard = parts.at(-1) === '*';
  const fixed = wildcard ? parts.slice(0, -1) : parts;
  return (path) => {
    const segments = splitPath(path);
    if (wildcard ? segments.length < fixed.length : segments.length !== fixed.length) {
      return undefined;
    }
    const params: Record<string, string> = {};
    for (const [index, part] of fixed.entries()) {
      const segment = segments[index] as string;
      if (part.startsWith(':')) {
        if (segment === '') return undefined;
        params[part.slice(1)] = safeDecode(segment);
      } else if (part !== segment) {
        return undefined;
      }
    }
    if (wildcard) params['*'] = segments.slice(fixed.length).map(safeDecode).join('/');
    return params;
  };
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function methodMatches(expected: string | undefined, actual: string): boolean {
  return expected === undefined || expected === '*' || expected.toUpperCase() === actual;
}

interface FaultState {
  fault: Fault;
  matcher: PathMatcher;
  hits: number;
  remaining: number;
}

interface CompiledRoute {
  route: Route;
  matcher: PathMatcher;
}

export async function startStandInServer(options: StandInServerOptions): Promise<StandInServer> {
  const name = options.name ?? 'stand-in';
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const routes: CompiledRoute[] = options.routes.map((route) => ({
    route,
    matcher: compilePathPattern(route.path),
  }));
  const faults: FaultState[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const notFound: Handler = options.notFound ?? (() => json(404, { message: 'Not Found' }));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = new Date();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: queryRecord(url.searchParams),
      headers: req.headers,
      body: '',
      status: 0,
      responseBody: '',
      startedAt,
      durationMs: 0,
      fault: false,
    };
    requests.push(record);
    const finish = () => {
      record.durationMs = Date.now() - startedAt.getTime();
    };
    res.on('close', finish);

    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof HttpError) {
        send(res, record, { status: error.status, headers: error.headers, body: error.body });
      } else {
        req.socket.destroy();
      }
      return;
    }
    record.body = body.toString('utf8');

    const fault = takeFault(method, url.pathname);
    if (fault) {
      record.fault = true;
      if (fault.delayMs) await sleep(fault.delayMs);
      if (closing) return;
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        send(res, record, toResponse(fault.status, fault.body, fault.headers));
        return;
      }
    }

    let params: Record<string, string> | undefined;
    const match = routes.find(({ route, matcher }) => {
      if (!methodMatches(route.method, method)) return false;
      params = matcher(url.pathname);
      return params !== undefined;
    });
    const request: StandInRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      params: params ?? {},
      text: () => body.toString('utf8'),
      json: <T>() => {
        try {
          return JSON.parse(body.toString('utf8')) as T;
        } catch {
          throw new HttpError(400, { message: 'Problems parsing JSON' });
        }
      },
      header: (headerName) => {
        const value = req.headers[headerName.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      },
      raw: req,
    };
    let response: StandInResponse;
    try {
      response = await (match ? match.route.handler(request) : notFound(request));
    } catch (error) {
      response =
        error instanceof HttpError
          ? toResponse(error.status, error.body, error.headers)
          : json(500, {
              message: `${name} stand-in failed on ${method} ${url.pathname}: ${
                error instanceof Error ? error.message : String(error)
              }`,
            });
    }
    if (!closing) send(res, record, response);
  }

  function takeFault(method: string, path: string): Fault | undefined {
    for (const state of faults) {
      if (state.remaining <= 0) continue;
      if (!methodMatches(state.fault.method, method)) continue;
      if (!state.matcher(path)) continue;
      state.remaining -= 1;
      state.hits += 1;
      return state.fault;
    }
    return undefined;
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      // Only reachable through a bug in this module: answer rather than leave the client hanging.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${name} stand-in: ${String(error)}`);
      }
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : createHttpServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    url,
    port,
    requests,
    addRoute(route) {
      routes.push({ route, matcher: compilePathPattern(route.path) });
    },
    injectFault(fault) {
      const times = fault.times ?? 1;
      if (!(times > 0))
        throw new Error(`injectFault: times must be a positive number, got ${times}`);
      const state: FaultState = {
        fault,
        matcher: compilePathPattern(fault.path),
        hits: 0,
        remaining: times,
      };
      faults.push(state);
      return {
        fault,
        get hits() {
          return state.hits;
        },
        get remaining() {
          return state.remaining;
        },
        remove() {
          const index = faults.indexOf(state);
          if (index >= 0) faults.splice(index, 1);
        },
      };
    },
    clearFaults() {
      faults.length = 0;
    },
    clearRequests() {
      requests.length = 0;
    },
    async close() {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function toResponse(
  status: number,
  body: unknown,
  headers: Record<string, string | number | string[]> = {},
): StandInResponse {
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
    return { status, headers, body };
  }
  return json(status, body, headers);
}

function send(res: ServerResponse, record: RecordedRequest, response: StandInResponse): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number | string[]> = { ...response.headers };
  let payload: Buffer | undefined;
  if (response.body === undefined || response.body === null) {
    payload = undefined;
  } else if (Buffer.isBuffer(response.body)) {
    payload = response.body;
  } else if (typeof response.body === 'string') {
    payload = Buffer.from(response.body, 'utf8');
  } else {
    payload = Buffer.from(JSON.stringify(response.body), 'utf8');
    if (!Object.keys(headers).some((key) => key.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json; charset=utf-8';
    }
  }
  if (payload) headers['content-length'] = payload.length;
  record.status = response.status;
  record.responseBody = payload ? payload.toString('utf8') : '';
  res.writeHead(response.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        reject(new HttpError(413, { message: `request body exceeds ${maxBytes} bytes` }));
      } else {
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', reject);
  });
}

function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else result[key] = [existing, value];
  }
  return result;
}
