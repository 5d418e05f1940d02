import type { Cloud, PerCloud } from '../../actions/shared/src/clouds.js';
import type { CellStatus } from './dashboard/snapshot.js';
import { CellPoller } from './cell-poller.js';
import type { RoutingHealth } from './router/chain.js';

/**
 * How the routers judge health from the checks (ADR 16), with the sandbox's one-second interval
 * (Route 53: 10 or 30 s; Front Door: 30 s by default). Route 53 changes a health check's status
 * after FAILURE_THRESHOLD consecutive results the other way (the global module's default 3);
 * Front Door calls an origin healthy while at least SUCCESSFUL_SAMPLES of its last SAMPLE_SIZE
 * probes passed (the module's 3 of 4).
 */
export const ROUTE53_FAILURE_THRESHOLD = 3;
export const FRONT_DOOR_SAMPLE_SIZE = 4;
export const FRONT_DOOR_SUCCESSFUL_SAMPLES = 3;

/** One cell's check results as each router reads them. */
class CheckHistory {
  private readonly samples: boolean[] = [];
  private route53Healthy = true;
  private streak = 0;

  add(ok: boolean): void {
    this.samples.push(ok);
    if (this.samples.length > FRONT_DOOR_SAMPLE_SIZE) this.samples.shift();
    this.streak = ok === this.route53Healthy ? 0 : this.streak + 1;
    if (this.streak >= ROUTE53_FAILURE_THRESHOLD) {
      this.route53Healthy = ok;
      this.streak = 0;
    }
  }

  route53(): boolean {
    return this.route53Healthy;
  }

  frontDoor(): boolean {
    const failures = this.samples.filter((ok) => !ok).length;
    return failures <= FRONT_DOOR_SAMPLE_SIZE - FRONT_DOOR_SUCCESSFUL_SAMPLES;
  }
}

/**
 * Calls each cell's `GET /health` on its own URL once a second, as the Route 53 health
 * checks and the Front Door probes do, keeps the last answer for the dashboard, and tells the
 * edge router what each router makes of the results.
 */
export class HealthMonitor extends CellPoller {
  private readonly status: PerCloud<CellStatus>;
  private readonly history: PerCloud<CheckHistory> = {
    aws: new CheckHistory(),
    azure: new CheckHistory(),
  };
  constructor(
    private readonly cells: PerCloud<string>,
    intervalMs = 1000,
  ) {
    super(intervalMs);
    this.status = {
      aws: blank('aws', cells.aws),
      azure: blank('azure', cells.azure),
    };
  }

  /** What Route 53's health checks and Front Door's probes say of each cell now. */
  routingHealth(): RoutingHealth {
    return {
      route53: { aws: this.history.aws.route53(), azure: this.history.azure.route53() },
      frontDoor: { aws: this.history.aws.frontDoor(), azure: this.history.azure.frontDoor() },
    };
  }

  snapshot(): PerCloud<CellStatus> {
    return { aws: { ...this.status.aws }, azure: { ...this.status.azure } };
  }

  /** Checks one cell now (after a restart, so the dashboard does not wait a tick). */
  async check(cloud: Cloud): Promise<CellStatus> {
    const status = this.status[cloud];
    try {
      const response = await fetch(`${this.cells[cloud]}/health`, {
        signal: AbortSignal.timeout(2000),
      });
      const text = await response.text();
      let detail: unknown = text;
      try {
        detail = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      status.healthStatus = response.status;
      status.healthy = response.status === 200;
      status.detail = detail;
      const version = (detail as { version?: unknown } | null)?.version;
      if (typeof version === 'string') status.version = version;
    } catch (error) {
      status.healthStatus = 0;
      status.healthy = false;
      status.detail = (error as Error).message;
    }
    this.history[cloud].add(status.healthy);
    status.checkedAt = new Date().toISOString();
    return { ...status };
  }
}

function blank(cloud: Cloud, url: string): CellStatus {
  return {
    cloud,
    url,
    version: undefined,
    healthy: false,
    healthStatus: 0,
    checkedAt: undefined,
    detail: undefined,
  };
}
