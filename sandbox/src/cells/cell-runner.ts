import type { Cloud } from '../../../actions/shared/src/clouds.js';

export interface CellDeployOptions {
  /** Deploy a release whose health check fails (a bad setting), to rehearse a rollback. */
  breakHealth?: boolean;
  /**
   * Restart rather than swap: the cell answers 503 for this long before the new build takes
   * requests (what draining a cell before its deploy protects against). Default 0.
   */
  downtimeMs?: number;
  /**
   * A slower release: every HTTP request this build serves answers this much later (its
   * health check and the other cell's probe of it too), to rehearse the canary's comparison
   * with the other cloud. Default 0. The other cell's /health no longer waits for its probe of
   * this one on every request (ADR 26: at most once per refresh, bounded), so its latency, the
   * canary's baseline, stays its own.
   */
  latencyMs?: number;
}

/** `handler`, answering `latencyMs` later (itself when 0). */
export function slowedBy<Args extends unknown[], Result>(
  handler: (...args: Args) => Promise<Result>,
  latencyMs: number | undefined,
): (...args: Args) => Promise<Result> {
  if (!latencyMs) return handler;
  return async (...args: Args): Promise<Result> => {
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return handler(...args);
  };
}

/** One cloud's cell as the sandbox runs it: a stable URL, and deploys of new builds. */
export interface CellRunner {
  readonly cloud: Cloud;
  readonly url: string;
  readonly version: string | undefined;
  deploy(version: string, options?: CellDeployOptions): Promise<void>;
  /** True while a simulated outage has the cloud down (`npm run outage`). */
  readonly down: boolean;
  /**
   * Takes the cloud down (its HTTP endpoint and its storage reset every connection, its queue
   * trigger stops taking events, which wait on the queue) or brings it back.
   */
  setOutage(down: boolean): void;
  /** Renews the cell's inventory leases now (ADR 25); a timer does it every 2 s while it is up. */
  renewLeases(): Promise<void>;
  stop(): Promise<void>;
}

/** The part of a cell build a warm-up needs (both clouds' cells expose their core app). */
interface WarmableCell {
  app: {
    handleHttp(request: {
      method: string;
      path: string;
      query: URLSearchParams;
      headers: Record<string, string>;
    }): Promise<{ status: number }>;
  };
}

/**
 * Runs one health check on a new build before it takes traffic: its SDK clients connect and
 * load their code on this call rather than on a customer's request (what a slot swap's warm-up
 * or a Lambda version's provisioned concurrency does). The answer is not judged here: the
 * rollout's smoke test does that on the cell's own URL.
 */
export async function warmUp(cell: WarmableCell): Promise<void> {
  try {
    await cell.app.handleHttp({
      method: 'GET',
      path: '/health',
      query: new URLSearchParams(),
      headers: {},
    });
  } catch {
    // a broken build may throw here; its own health check will say so
  }
}
