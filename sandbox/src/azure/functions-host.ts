import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import azureFunctions, { type HttpHandler, type HttpResponseInit } from '@azure/functions';

import { close, listen, readBody } from '../listen.js';
import { Reachability } from '../outage/reachability.js';

// @azure/functions is a CommonJS bundle whose named exports Node's ESM loader cannot see.
const { HttpRequest, HttpResponse, InvocationContext } = azureFunctions;
type HttpResponseInstance = InstanceType<typeof HttpResponse>;

/** A response object from any copy of @azure/functions (a cell's bundle carries its own). */
function isHttpResponse(value: unknown): value is HttpResponseInstance {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HttpResponseInstance).arrayBuffer === 'function' &&
    typeof (value as HttpResponseInstance).status === 'number' &&
    (value as HttpResponseInstance).headers instanceof Headers
  );
}

/** One `app.http(name, { methods, route, handler })` registration. */
export interface HttpFunction {
  name: string;
  methods?: string[];
  /** Route template relative to the route prefix; defaults to the function name. */
  route?: string;
  handler: HttpHandler;
}

interface CompiledFunction {
  fn: HttpFunction;
  methods: Set<string>;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
}

/**
 * Compiles an Azure Functions route template (`carts/{id}/items/{sku}`, `{id:int}`,
 * `{id?}`, `{*rest}`) into a matcher. Constraints other than the catch-all are accepted but
 * not enforced, as they only narrow matching.
 */
export function compileRoute(
  prefix: string,
  template: string,
): { pattern: RegExp; names: string[]; literalSegments: number } {
  const names: string[] = [];
  let literalSegments = 0;
  const segments = [...prefix.split('/'), ...template.split('/')].filter(Boolean);
  let source = '^';
  for (const segment of segments) {
    const param = /^\{(\*)?([A-Za-z_][\w]*)(?::[^}?]+)?(\?)?\}$/.exec(segment);
    if (!param) {
      literalSegments++;
      source += `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      continue;
    }
    names.push(param[2] ?? '');
    if (param[1]) source += '(?:/(.*))?';
    else if (param[3]) source += '(?:/([^/]+))?';
    else source += '/([^/]+)';
  }
  return { pattern: new RegExp(`${source}/?$`, 'i'), names, literalSegments };
}

/**
 * A local Azure Functions host for HTTP triggers: each request becomes a real HttpRequest and
 * InvocationContext from @azure/functions, and the handler's HttpResponseInit (or
 * HttpResponse) is written back through the library's own HttpResponse, so body, jsonBody
 * and headers are serialized exactly as the worker does.
 */
export class FunctionsHost {
  private readonly server: Server;
  private functions: CompiledFunction[] | undefined;
  private currentVersion: string | undefined;
  private port = 0;
  /** Cut during a simulated outage of the cloud (`npm run outage`). */
  readonly reachability = new Reachability();

  constructor(private readonly options: { routePrefix?: string } = {}) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
        console.error(`azure cell: ${(error as Error).message}`);
      });
    });
    this.reachability.attach(this.server);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get version(): string | undefined {
    return this.currentVersion;
  }

  /** Swaps in a new set of functions (a deployment slot swap: one step, no gap). */
  deploy(version: string, functions: HttpFunction[]): void {
    const prefix = this.options.routePrefix ?? 'api';
    const compiled = functions.map((fn) => ({
      fn,
      methods: new Set(
        (fn.methods ?? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).map((m) =>
          m.toUpperCase(),
        ),
      ),
      ...compileRoute(prefix, fn.route ?? fn.name),
    }));
    // Literal segments beat parameters, as in ASP.NET routing.
    compiled.sort((a, b) => b.literalSegments - a.literalSegments);
    this.functions = compiled;
    this.currentVersion = version;
  }

  undeploy(): void {
    this.functions = undefined;
  }

  async listen(port: number, hint: string): Promise<number> {
    this.port = await listen(this.server, port, 'Azure cell (Functions host)', hint);
    return this.port;
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const functions = this.functions;
    if (!functions) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('Function host is not running.');
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    for (const candidate of functions) {
      const match = candidate.pattern.exec(url.pathname);
      if (!match) continue;
      if (!candidate.methods.has(method)) continue;
      const params: Record<string, string> = {};
      candidate.names.forEach((name, i) => {
        const value = match[i + 1];
        if (value !== undefined) params[name] = decodeURIComponent(value);
      });
      await this.invoke(candidate.fn, req, url, body, params, res);
      return;
    }
    // The Functions host answers an empty 404 both when no route matches and when the route
    // exists for other methods (it has no 405).
    res.writeHead(404);
    res.end();
  }

  private async invoke(
    fn: HttpFunction,
    req: IncomingMessage,
    url: URL,
    body: Buffer,
    params: Record<string, string>,
    res: ServerResponse,
  ): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    const request = new HttpRequest({
      method: req.method ?? 'GET',
      url: url.toString(),
      headers,
      query,
      params,
      ...(body.length > 0 ? { body: { bytes: new Uint8Array(body) } } : {}),
    });
    const invocationId = randomUUID();
    const context = new InvocationContext({
      invocationId,
      functionName: fn.name,
      logHandler: (level, ...args) => {
        if (level === 'error' || level === 'warning')
          console.error(`azure cell: ${fn.name}: ${args.map(String).join(' ')}`);
      },
    });
    let result: HttpResponseInit | HttpResponseInstance | undefined;
    try {
      result = (await fn.handler(request, context)) ?? undefined;
    } catch (error) {
      console.error(`azure cell: ${fn.name} failed: ${(error as Error).message}`);
      res.writeHead(500, { 'x-ms-invocation-id': invocationId });
      res.end();
      return;
    }
    const response = isHttpResponse(result) ? result : new HttpResponse(result ?? {});
    const out: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    const cookies = response.cookies.map(
      (c) =>
        `${c.name}=${c.value}${c.path ? `; Path=${c.path}` : ''}${c.httpOnly ? '; HttpOnly' : ''}`,
    );
    if (cookies.length > 0) out['set-cookie'] = cookies;
    out['x-ms-invocation-id'] = invocationId;
    const payload = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, out);
    res.end(payload);
  }
}
