import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

import type { Cloud, PerCloud } from '../../../actions/shared/src/clouds.js';
import { close, listen } from '../listen.js';
import type { RequestCounters } from './request-counters.js';
import {
  ALL_HEALTHY,
  frontDoorShares,
  pick,
  route53Shares,
  routeThroughChain,
  type Route,
  type RoutingHealth,
} from './chain.js';
import type { RouterMode, RoutingWeights } from './weights.js';

/** Response header naming the cell that served a request (what the load generator counts). */
export const CELL_HEADER = 'x-multicloud-cell';

export interface EdgeRouterOptions {
  cells: PerCloud<string>;
  /** Reads the weights the control planes hold at this instant (called per request). */
  readWeights: () => RoutingWeights;
  /** What Route 53's health checks and Front Door's probes say now; default all healthy. */
  readHealth?: () => RoutingHealth;
  mode: RouterMode;
  counters: RequestCounters;
}

/**
 * The edge: one port, each request sent to a cell chosen by weighted random over the weights
 * the Route 53 (default) or Front Door stand-in holds right now. It forwards the request
 * as-is (streaming both ways) over kept-alive connections, so its overhead stays small.
 */
export class EdgeRouter {
  private readonly server: Server;
  // An idle kept-alive socket is dropped after 4 s, before the cells' servers close it at
  // their 5 s keep-alive timeout: reusing one the server is closing fails with "socket hang
  // up" / ECONNRESET (seen when a drained cell gets traffic again during a rollout).
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });
  private port = 0;
  private readonly targets = new Map<Cloud, { host: string; port: number }>();
  mode: RouterMode;

  constructor(private readonly options: EdgeRouterOptions) {
    this.mode = options.mode;
    this.server = createServer((req, res) => this.forward(req, res));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(port: number, hint: string): Promise<number> {
    this.port = await listen(this.server, port, 'edge router', hint);
    return this.port;
  }

  async close(): Promise<void> {
    await close(this.server);
    this.agent.destroy();
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const { counters } = this.options;
    const route = this.route();
    const cloud = route?.cloud;
    const viaFrontDoor = route?.viaFrontDoor ?? false;
    if (!cloud) {
      counters.recordUnrouted();
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: `no cloud has any weight on ${this.mode}: every Front Door origin is disabled`,
        }),
      );
      return;
    }
    const target = this.target(cloud);
    let settled = false;
    const settle = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      counters.record(cloud, ok);
      if (viaFrontDoor) counters.recordViaFrontDoor(cloud);
    };
    const upstream = httpRequest(
      {
        host: target.host,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: forwardedHeaders(req),
        agent: this.agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, [CELL_HEADER]: cloud });
        answer.pipe(res);
        answer.on('end', () => settle((answer.statusCode ?? 502) < 500));
        answer.on('error', () => settle(false));
      },
    );
    upstream.on('error', (error) => {
      settle(false);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json', [CELL_HEADER]: cloud });
        res.end(JSON.stringify({ error: `the ${cloud} cell did not answer: ${error.message}` }));
      } else {
        res.destroy();
      }
    });
    // Most requests have no body: end at once rather than setting up a pipe.
    if (
      req.headers['content-length'] === undefined &&
      req.headers['transfer-encoding'] === undefined
    ) {
      req.resume();
      upstream.end();
    } else {
      req.pipe(upstream);
    }
  }

  /** The cell one request goes to, as the clients this router stands for would be sent. */
  private route(): Route | undefined {
    const weights = this.options.readWeights();
    const health = this.options.readHealth?.() ?? ALL_HEALTHY;
    if (this.mode === 'chain') return routeThroughChain(weights, health);
    const cloud = pick(
      this.mode === 'route53'
        ? route53Shares(weights.route53, health.route53)
        : frontDoorShares(weights.frontDoor, health.frontDoor),
    );
    return cloud ? { cloud, viaFrontDoor: this.mode === 'frontdoor' } : undefined;
  }

  /** Cell URLs parsed once (they are fixed once the cells listen). */
  private target(cloud: Cloud): { host: string; port: number } {
    let target = this.targets.get(cloud);
    if (!target) {
      const url = new URL(this.options.cells[cloud]);
      target = { host: url.hostname, port: Number(url.port) };
      this.targets.set(cloud, target);
    }
    return target;
  }
}

function forwardedHeaders(req: IncomingMessage): IncomingMessage['headers'] {
  const headers = { ...req.headers };
  const client = req.socket.remoteAddress ?? '127.0.0.1';
  headers['x-forwarded-for'] = client.startsWith('::ffff:') ? client.slice(7) : client;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  return headers;
}
