import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { close, listen, readBody } from '../listen.js';
import { refuseCrossSiteWrite, refuseForeignHost, type Refusal } from './request-origin.js';
import type { SandboxSnapshot } from './snapshot.js';

/** A control request from the dashboard or from a script (the deploy rehearsal, npm run shift). */
export type ControlHandler = (
  path: string,
  body: unknown,
) => Promise<{ status: number; body: unknown } | undefined>;

function pageSource(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    join(here, 'dashboard.html'),
    join(here, '..', 'src', 'dashboard', 'dashboard.html'),
  ]) {
    try {
      return readFileSync(candidate, 'utf8');
    } catch {
      // next candidate: the bundle lives in sandbox/build/, the page in sandbox/src/dashboard/
    }
  }
  throw new Error('dashboard.html not found next to the sandbox sources');
}

/**
 * The dashboard: one static page, a server-sent event stream of snapshots (`/events`), the
 * same snapshot as JSON (`GET /api/state`), and the control API (`POST /api/...`).
 */
export class DashboardServer {
  private readonly server: Server;
  private readonly page = pageSource();
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private port = 0;

  constructor(
    private readonly snapshot: () => SandboxSnapshot,
    private readonly control: ControlHandler,
    private readonly intervalMs = 500,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (error as Error).message }));
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(port: number, hint: string): Promise<number> {
    this.port = await listen(this.server, port, 'dashboard', hint);
    this.timer = setInterval(() => this.broadcast(), this.intervalMs);
    return this.port;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    await close(this.server);
  }

  private broadcast(): void {
    if (this.streams.size === 0) return;
    const data = `data: ${JSON.stringify(this.snapshot())}\n\n`;
    for (const stream of this.streams) stream.write(data);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const foreign = refuseForeignHost(req, this.port);
    if (foreign) {
      refuse(res, foreign);
      return;
    }
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(this.page);
      return;
    }
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(`data: ${JSON.stringify(this.snapshot())}\n\n`);
      this.streams.add(res);
      req.on('close', () => this.streams.delete(res));
      return;
    }
    if (req.method === 'GET' && path === '/api/state') {
      sendJson(res, 200, this.snapshot());
      return;
    }
    if (req.method === 'POST' && path.startsWith('/api/')) {
      const crossSite = refuseCrossSiteWrite(req, this.port);
      if (crossSite) {
        refuse(res, crossSite);
        return;
      }
      const raw = (await readBody(req)).toString('utf8');
      let body: unknown = {};
      if (raw.trim()) {
        try {
          body = JSON.parse(raw);
        } catch {
          sendJson(res, 400, { error: 'the request body is not JSON' });
          return;
        }
      }
      const answer = await this.control(path, body);
      if (answer) {
        sendJson(res, answer.status, answer.body);
        return;
      }
    }
    sendJson(res, 404, { error: `no such page: ${req.method} ${path}` });
  }
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  sendJson(res, refusal.status, { error: refusal.error });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
