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
 *   server.injectFault({ path: '/lost', dropAnswer: true });     // route runs, then connection destroyed
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
 * answers with that status/headers/body; `drop` destroys the connection; `dropAnswer` lets the
 * route run and then destroys the connection instead of answering (a committed write whose
 * answer is lost); none of them: the request reaches its route after `delayMs`. `delayMs`
 * applies to all four.
 *
 * Layout: this file serves and answers; paths.ts compiles the patterns, faults.ts keeps the
 * fault table.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createFaultTable, type Fault, type FaultTable, type InjectedFault } from './faults.js';
import { compilePathPattern, methodMatches, type PathMatcher } from './paths.js';

export type { Fault, InjectedFault } from './faults.js';
export { compilePathPattern } from './paths.js';

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

interface CompiledRoute {
  route: Route;
  matcher: PathMatcher;
}

/** What one server's request handling shares. */
interface ServerState {
  readonly name: string;
  readonly maxBodyBytes: number;
  readonly routes: CompiledRoute[];
  readonly notFound: Handler;
  readonly faults: FaultTable;
  readonly requests: RecordedRequest[];
  /** Pending fault delays, cleared on close. */
  readonly timers: Set<NodeJS.Timeout>;
  closing: boolean;
}

export async function startStandInServer(options: StandInServerOptions): Promise<StandInServer> {
  const state: ServerState = {
    name: options.name ?? 'stand-in',
    maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024,
    routes: options.routes.map(compileRoute),
    notFound: options.notFound ?? (() => json(404, { message: 'Not Found' })),
    faults: createFaultTable(),
    requests: [],
    timers: new Set(),
    closing: false,
  };
  const server = createServer(state, options.tls);
  const sockets = trackSockets(server);
  const port = await listenOnLoopback(server);
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests: state.requests,
    addRoute: (route) => state.routes.push(compileRoute(route)),
    injectFault: (fault) => state.faults.inject(fault),
    clearFaults: () => state.faults.clear(),
    clearRequests() {
      state.requests.length = 0;
    },
    async close() {
      state.closing = true;
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function compileRoute(route: Route): CompiledRoute {
  return { route, matcher: compilePathPattern(route.path) };
}

function createServer(state: ServerState, tls: StandInServerOptions['tls']): Server {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(state, req, res).catch((error: unknown) => {
      // Only reachable through a bug in this module: answer rather than leave the client hanging.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${state.name} stand-in: ${String(error)}`);
      }
    });
  };
  return tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener)
    : createHttpServer(listener);
}

/** The open sockets, so that close() can end keep-alive connections at once. */
function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Record, read the body, apply a fault if one matches, route, answer. */
async function handle(
  state: ServerState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const record = recordRequest(state, req, res, method, url);
  const body = await readBodyOrAnswer(state, req, res, record);
  if (body === undefined) return;
  record.body = body.toString('utf8');
  const fault = state.faults.take(method, url.pathname);
  if (fault) {
    record.fault = true;
    if (await answerWithFault(state, fault, req, res, record)) return;
  }
  const response = await routeRequest(state, req, method, url, body);
  if (state.closing) return;
  if (fault?.dropAnswer) {
    record.responseBody = `${state.name} stand-in: answer ${response.status} dropped by a fault`;
    req.socket.destroy();
    return;
  }
  send(res, record, response);
}

function recordRequest(
  state: ServerState,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  url: URL,
): RecordedRequest {
  const startedAt = new Date();
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
  state.requests.push(record);
  res.on('close', () => {
    record.durationMs = Date.now() - startedAt.getTime();
  });
  return record;
}

/** The request body; undefined when it was refused (413) or the connection failed. */
async function readBodyOrAnswer(
  state: ServerState,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
): Promise<Buffer | undefined> {
  try {
    return await readBody(req, state.maxBodyBytes);
  } catch (error) {
    if (error instanceof HttpError) {
      send(res, record, { status: error.status, headers: error.headers, body: error.body });
    } else {
      req.socket.destroy();
    }
    return undefined;
  }
}

/** Delays, drops or answers as the fault says; false when the request goes on to its route. */
async function answerWithFault(
  state: ServerState,
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
): Promise<boolean> {
  if (fault.delayMs) await sleep(state, fault.delayMs);
  if (state.closing) return true;
  if (fault.drop) {
    req.socket.destroy();
    return true;
  }
  if (fault.status === undefined) return false;
  send(res, record, toResponse(fault.status, fault.body, fault.headers));
  return true;
}

function sleep(state: ServerState, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      resolve();
    }, ms);
    state.timers.add(timer);
  });
}

/** The first matching route's answer (or notFound's); a thrown HttpError becomes its answer. */
async function routeRequest(
  state: ServerState,
  req: IncomingMessage,
  method: string,
  url: URL,
  body: Buffer,
): Promise<StandInResponse> {
  let params: Record<string, string> | undefined;
  const match = state.routes.find(({ route, matcher }) => {
    if (!methodMatches(route.method, method)) return false;
    params = matcher(url.pathname);
    return params !== undefined;
  });
  const request = standInRequest(req, method, url, body, params ?? {});
  try {
    return await (match ? match.route.handler(request) : state.notFound(request));
  } catch (error) {
    if (error instanceof HttpError) return toResponse(error.status, error.body, error.headers);
    return json(500, {
      message: `${state.name} stand-in failed on ${method} ${url.pathname}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    });
  }
}

function standInRequest(
  req: IncomingMessage,
  method: string,
  url: URL,
  body: Buffer,
  params: Record<string, string>,
): StandInRequest {
  return {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
    params,
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
