import { randomUUID } from 'node:crypto';

import { CLOUDS, isCloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import { catalog } from '../../functions/src/core/catalog.js';
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

/**
 * A SKU the shop sells, at random: every checkout reserves stock of its SKU with optimistic
 * concurrency, and one SKU for all would make every reservation fight over one document.
 */
export function randomSku(): string {
  const { items } = catalog;
  return items[Math.floor(Math.random() * items.length)]?.sku ?? 'MUG';
}

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
  private readonly pacer: Pacer;
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
  ) {
    this.pacer = new Pacer(options.rps, () => {
      if (this.pacer.inFlight >= (options.maxInFlight ?? 200)) {
        // The sandbox cannot keep up: piling on more open requests would only melt it down
        // (and the generator with it). Counted, and printed, apart from failures.
        this.report.skipped++;
        return undefined;
      }
      return this.unit();
    });
  }

  /** One run's shoppers: a random prefix, so two runs never share a customer. */
  private readonly shoppers = Array.from(
    { length: SHOPPERS },
    (_, index) => `load-${randomUUID().slice(0, 6)}-${index}`,
  );

  start(): void {
    this.pacer.start();
  }

  /** Stops starting work, waits for what is in flight, and returns the totals. */
  async stop(): Promise<LoadReport> {
    await this.pacer.stop();
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
        await this.send('GET', `/inventory/${randomSku()}`, undefined, shopper);
        return;
      }
      case 'checkout': {
        const cart = await this.send('POST', '/carts', undefined, shopper);
        const id = (cart as { id?: string } | undefined)?.id;
        if (!id) return;
        const sku = randomSku();
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
    const answer = await sendThroughRouter(this.routerUrl, this.options.tokens, {
      method,
      path,
      ...(body === undefined ? {} : { body }),
      ...(shopper ? { shopper } : {}),
      timeoutMs: this.options.timeoutMs ?? 10_000,
    });
    this.latencies.push(performance.now() - started);
    if (this.latencies.length > 100_000) this.latencies.splice(0, 50_000);
    const { status, cloud, failed, detail } = answer;
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
    return answer.body;
  }
}

/**
 * Starts one unit of work `rps` times a second on a fixed schedule (a late timer catches up).
 * `startUnit` returns undefined when it declines a tick (the caller counts it as skipped).
 */
export class Pacer {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly rps: number,
    private readonly startUnit: () => Promise<void> | undefined,
  ) {}

  /** Units started and not yet finished. */
  get inFlight(): number {
    return this.running.size;
  }

  start(): void {
    const interval = 1000 / this.rps;
    let next = Date.now();
    const tick = (): void => {
      const now = Date.now();
      while (next <= now) {
        next += interval;
        const unit = this.startUnit();
        if (!unit) continue;
        const work = unit.finally(() => this.running.delete(work));
        this.running.add(work);
      }
      this.timer = setTimeout(tick, Math.max(0, next - Date.now()));
    };
    tick();
  }

  /** Stops starting units and waits for those in flight. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await Promise.all([...this.running]);
  }
}

export interface RouterRequest {
  method: string;
  path: string;
  body?: unknown;
  /** Sent with this shopper's bearer token (none: no authorization header). */
  shopper?: string;
  timeoutMs: number;
}

/** One request through the edge router, as the loads count it. */
export interface RouterAnswer {
  /** 0 when no answer came. */
  status: number;
  /** The cell that answered (the router's cell header), or 'none'. */
  cloud: string;
  /**
   * Any 5xx, a 401 or 403 (the shopper holds a valid token for their own carts, so a refusal
   * means authentication broke somewhere), or no answer; other 4xx are the client's mistakes.
   */
  failed: boolean;
  /** The JSON body of a successful answer (below 400 and parsed), else undefined. */
  body: unknown;
  /** The start of the body, or why there was no answer. */
  detail: string;
}

export async function sendThroughRouter(
  routerUrl: string,
  tokens: TokenSource,
  request: RouterRequest,
): Promise<RouterAnswer> {
  const { method, path, body, shopper } = request;
  let status = 0;
  let cloud = 'none';
  let detail: string;
  let parsed: unknown;
  try {
    const token = shopper ? await tokens.customerToken(shopper) : undefined;
    const response = await fetch(`${routerUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(request.timeoutMs),
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
  const failed = status === 0 || status >= 500 || status === 401 || status === 403;
  return { status, cloud, failed, body: failed || status >= 400 ? undefined : parsed, detail };
}

export function formatCounts(report: LoadReport): string {
  return (
    CLOUDS.map((cloud) => `${cloud} ${report.perCloud[cloud].requests}`).join('  ') +
    `  failed ${report.failed}`
  );
}
