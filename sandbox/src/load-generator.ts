import { randomUUID } from 'node:crypto';

import { CLOUDS, isCloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import { CELL_HEADER } from './router/edge-router.js';
import type { TokenSource } from './tokens.js';

export type LoadFlow = 'browse' | 'checkout' | 'health';

export interface LoadFailure {
  at: string;
  method: string;
  path: string;
  status: number;
  cloud: string;
  detail: string;
}

export interface LoadReport {
  requests: number;
  failed: number;
  /** Units not started because maxInFlight were still open (the sandbox could not keep up). */
  skipped: number;
  perCloud: PerCloud<{ requests: number; failed: number }>;
  /** The first failures (at most 20), to say what went wrong. */
  failures: LoadFailure[];
  latencyMs: { p50: number; p99: number };
}

const SKUS = ['TSHIRT-S', 'TSHIRT-M', 'TSHIRT-L', 'MUG', 'STICKERS', 'HOODIE'];

/** Shoppers the load plays, each with its own token (the issuer is asked once per shopper). */
const SHOPPERS = 20;

/**
 * Steady traffic through the edge router at a fixed rate: each tick starts one unit of work
 * (`health`: GET /health; `browse`: a stock read of a random SKU; `checkout`: cart, one item
 * of a random SKU, checkout, order read), counted per cell by the router's cell header. Every
 * unit but `health` runs as one of the shoppers, with a bearer token from the sandbox's issuer.
 * A failure is any 5xx, a 401 or 403 (the shopper holds a valid token for their own carts, so
 * a refusal means authentication broke somewhere), or a request that got no answer; other 4xx
 * answers are the client's own mistakes and the flows make none.
 *
 * `browse` (the default, and the rehearsal's background load) is what shoppers send, never
 * GET /health: that is the smoke tests' and probes' deep check, with a 2 s budget per dependency,
 * and on a starved machine (a CI runner running other suites) it rightly answers 503 while
 * every shopper's request still succeeds; counted as load, it read as failed user requests.
 */
export class LoadGenerator {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly latencies: number[] = [];
  private readonly report: LoadReport = {
    requests: 0,
    failed: 0,
    skipped: 0,
    perCloud: { aws: { requests: 0, failed: 0 }, azure: { requests: 0, failed: 0 } },
    failures: [],
    latencyMs: { p50: 0, p99: 0 },
  };

  constructor(
    private readonly routerUrl: string,
    private readonly options: {
      rps: number;
      flow: LoadFlow;
      /** Where the shoppers' tokens come from (the sandbox's issuer). */
      tokens: TokenSource;
      timeoutMs?: number;
      /** Units of work in flight at most; a tick beyond it is skipped (default 200). */
      maxInFlight?: number;
    },
  ) {}

  /** One run's shoppers: a random prefix, so two runs never share a customer. */
  private readonly shoppers = Array.from(
    { length: SHOPPERS },
    (_, index) => `load-${randomUUID().slice(0, 6)}-${index}`,
  );

  start(): void {
    const interval = 1000 / this.options.rps;
    let next = Date.now();
    const tick = (): void => {
      const now = Date.now();
      while (next <= now) {
        next += interval;
        if (this.inFlight.size >= (this.options.maxInFlight ?? 200)) {
          // The sandbox cannot keep up: piling on more open requests would only melt it down
          // (and the generator with it). Counted, and printed, apart from failures.
          this.report.skipped++;
          continue;
        }
        const work = this.unit().finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      }
      this.timer = setTimeout(tick, Math.max(0, next - Date.now()));
    };
    tick();
  }

  /** Stops starting work, waits for what is in flight, and returns the totals. */
  async stop(): Promise<LoadReport> {
    clearTimeout(this.timer);
    await Promise.all([...this.inFlight]);
    return this.snapshot();
  }

  snapshot(): LoadReport {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number): number =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return structuredClone({ ...this.report, latencyMs: { p50: at(0.5), p99: at(0.99) } });
  }

  private async unit(): Promise<void> {
    const shopper = this.shoppers[Math.floor(Math.random() * this.shoppers.length)] as string;
    switch (this.options.flow) {
      case 'health':
        await this.send('GET', '/health');
        return;
      case 'browse': {
        const sku = SKUS[Math.floor(Math.random() * SKUS.length)] as string;
        await this.send('GET', `/inventory/${sku}`, undefined, shopper);
        return;
      }
      case 'checkout': {
        const cart = await this.send('POST', '/carts', undefined, shopper);
        const id = (cart as { id?: string } | undefined)?.id;
        if (!id) return;
        // A random SKU: every checkout reserves stock of its SKU with optimistic concurrency,
        // and one SKU for all would make every reservation fight over one document.
        const sku = SKUS[Math.floor(Math.random() * SKUS.length)] ?? 'MUG';
        const put = await this.send('PUT', `/carts/${id}/items/${sku}`, { quantity: 1 }, shopper);
        if (!put) return;
        // The order is the shopper's: the token says who, the body needs nothing.
        const order = await this.send('POST', `/carts/${id}/checkout`, undefined, shopper);
        const orderId = (order as { id?: string } | undefined)?.id;
        if (orderId) await this.send('GET', `/orders/${orderId}`, undefined, shopper);
        return;
      }
    }
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    shopper?: string,
  ): Promise<unknown> {
    const started = performance.now();
    let status = 0;
    let cloud = 'none';
    let detail: string;
    let parsed: unknown;
    try {
      const token = shopper ? await this.options.tokens.customerToken(shopper) : undefined;
      const response = await fetch(`${this.routerUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      status = response.status;
      cloud = response.headers.get(CELL_HEADER) ?? 'none';
      const text = await response.text();
      detail = text.slice(0, 200);
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    } catch (error) {
      detail = (error as Error).message;
    }
    this.latencies.push(performance.now() - started);
    if (this.latencies.length > 100_000) this.latencies.splice(0, 50_000);
    const failed = status === 0 || status >= 500 || status === 401 || status === 403;
    this.report.requests++;
    if (failed) this.report.failed++;
    if (isCloud(cloud)) {
      this.report.perCloud[cloud].requests++;
      if (failed) this.report.perCloud[cloud].failed++;
    }
    if (failed && this.report.failures.length < 20) {
      this.report.failures.push({
        at: new Date().toISOString(),
        method,
        path,
        status,
        cloud,
        detail,
      });
    }
    return failed || status >= 400 ? undefined : parsed;
  }
}

export function formatCounts(report: LoadReport): string {
  return (
    CLOUDS.map((cloud) => `${cloud} ${report.perCloud[cloud].requests}`).join('  ') +
    `  failed ${report.failed}`
  );
}
