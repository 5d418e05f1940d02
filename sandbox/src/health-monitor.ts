import { CLOUDS, type Cloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import type { CellStatus } from './dashboard/snapshot.js';

/**
 * Calls each cell's `GET /health` on its own URL once a second, as the Route 53 health
 * checks and the Front Door probes do, and keeps the last answer for the dashboard.
 */
export class HealthMonitor {
  private readonly status: PerCloud<CellStatus>;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly cells: PerCloud<string>,
    private readonly intervalMs = 1000,
  ) {
    this.status = {
      aws: blank('aws', cells.aws),
      azure: blank('azure', cells.azure),
    };
  }

  start(): void {
    this.running = true;
    const tick = async (): Promise<void> => {
      await Promise.all(CLOUDS.map((cloud) => this.check(cloud)));
      if (this.running) this.timer = setTimeout(() => void tick(), this.intervalMs);
    };
    void tick();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
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
