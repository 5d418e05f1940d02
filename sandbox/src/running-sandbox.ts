/** A started sandbox: what its callers (the CLI, the control API, tests) can ask of it. */
import { CLOUDS, type Cloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import type { CellDeployOptions, CellRunner } from './cells/cell-runner.js';
import type { ControlPlanes } from './control-planes.js';
import type { SandboxControls } from './control-api.js';
import type { CellStatus, SandboxSnapshot } from './dashboard/snapshot.js';
import { SandboxError } from './errors.js';
import type { HealthMonitor } from './health-monitor.js';
import type { ReplicaMonitor } from './replica-monitor.js';
import { replicationFlows } from './dashboard/replication-view.js';
import type { RolloutLog } from './rollout-log.js';
import type { EdgeRouter } from './router/edge-router.js';
import type { CountersSnapshot, RequestCounters } from './router/request-counters.js';
import { chainShares, frontDoorShares, route53Shares } from './router/chain.js';
import type { RouterMode } from './router/weights.js';
import {
  runTrafficShift,
  type SandboxTargets,
  type ShiftRequest,
  type ShiftResult,
} from './shift-runner.js';

export interface Sandbox {
  /** `<name>: <url>` in print order: router, dashboard, aws, azure, route53, frontdoor, ... */
  readonly urls: Record<string, string>;
  readonly stateFile: string;
  /** Milliseconds from the call to ready (every server up, cells deployed, data seeded). */
  readonly startupMs: number;
  snapshot(): SandboxSnapshot;
  counters(): CountersSnapshot;
  resetCounters(): void;
  /** "Deploys" a new build to one cell: the functions are rebuilt from source and swapped in. */
  restartCell(cloud: Cloud, version: string, options?: CellDeployOptions): Promise<void>;
  /** Takes one cloud down (an outage) or brings it back; resolves once its URL says so. */
  setOutage(cloud: Cloud, down: boolean): Promise<CellStatus>;
  setRouterMode(mode: RouterMode): void;
  /** Runs the real traffic-shift action against this sandbox. */
  shift(request: ShiftRequest, onLine?: (line: string) => void): Promise<ShiftResult>;
  stop(): Promise<void>;
}

/** The running pieces a sandbox is made of. */
export interface SandboxParts {
  router: EdgeRouter;
  counters: RequestCounters;
  rollout: RolloutLog;
  planes: ControlPlanes;
  cells: PerCloud<CellRunner>;
  monitor: HealthMonitor;
  /** Each cell's GET /replicas, every two seconds. */
  replicas: ReplicaMonitor;
  urls: Record<string, string>;
  stateFile: string;
  startupMs: number;
  /** Stops every piece, in reverse start order. */
  stop(): Promise<void>;
}

export class RunningSandbox implements Sandbox, SandboxControls {
  readonly urls: Record<string, string>;
  readonly stateFile: string;
  readonly startupMs: number;
  private shifting: Promise<ShiftResult> | undefined;

  constructor(private readonly parts: SandboxParts) {
    this.urls = parts.urls;
    this.stateFile = parts.stateFile;
    this.startupMs = parts.startupMs;
  }

  snapshot(): SandboxSnapshot {
    const { planes, router, counters, monitor, replicas, rollout } = this.parts;
    const weights = planes.readWeights();
    const health = monitor.routingHealth();
    const shares =
      router.mode === 'chain'
        ? chainShares(weights, health)
        : router.mode === 'route53'
          ? route53Shares(weights.route53, health.route53)
          : frontDoorShares(weights.frontDoor, health.frontDoor);
    const cells = { aws: this.cellStatus('aws'), azure: this.cellStatus('azure') };
    return {
      at: new Date().toISOString(),
      routerMode: router.mode,
      weights,
      health,
      split: wholePercent(shares),
      counters: counters.snapshot(),
      history: counters.history(),
      cells,
      replication: replicationFlows(cells, replicas.snapshot()),
      rollout: rollout.latest(),
      urls: this.urls,
    };
  }

  counters(): CountersSnapshot {
    return this.parts.counters.snapshot();
  }

  resetCounters(): CountersSnapshot {
    this.parts.counters.reset();
    return this.parts.counters.snapshot();
  }

  /** The health monitor's last check of the cell, and whether an outage has it down. */
  cellStatus(cloud: Cloud): CellStatus {
    return { ...this.parts.monitor.snapshot()[cloud], outage: this.parts.cells[cloud].down };
  }

  async setOutage(cloud: Cloud, down: boolean): Promise<CellStatus> {
    const runner = this.parts.cells[cloud];
    if (runner.down !== down) {
      runner.setOutage(down);
      this.note(
        'outage',
        down
          ? `${cloud}: cloud down (its endpoint and storage reset every connection)`
          : `${cloud}: cloud back`,
      );
      // Back: both cells renew their inventory leases now rather than on the timers' next tick
      // (ADR 25): the returning cell gives up what the survivor took over, and its second
      // renewal acknowledges it, so the survivor counts those units as its own. In the
      // background: the outage switch returns once the cell answers, as before.
      if (!down) void this.reconcileLeases(cloud);
    }
    await this.parts.monitor.check(cloud);
    return this.cellStatus(cloud);
  }

  private async reconcileLeases(back: Cloud): Promise<void> {
    const peer = this.parts.cells[CLOUDS.find((other) => other !== back) as Cloud];
    const returning = this.parts.cells[back];
    await returning.renewLeases();
    await peer.renewLeases();
    await returning.renewLeases();
  }

  note(source: string, text: string): void {
    this.parts.rollout.add(source, text);
  }

  async restartCell(cloud: Cloud, version: string, options: CellDeployOptions = {}): Promise<void> {
    const broken = options.breakHealth ? ' (a release whose health check fails)' : '';
    const slow = options.latencyMs ? ` (answering ${options.latencyMs} ms slower)` : '';
    this.note('cell', `${cloud}: deploying ${version}${broken}${slow}`);
    await this.parts.cells[cloud].deploy(version, options);
    const status = await this.parts.monitor.check(cloud);
    const health = status.healthy ? 'healthy' : `unhealthy (health ${status.healthStatus})`;
    this.note('cell', `${cloud}: running ${version}, ${health}`);
  }

  setRouterMode(mode: RouterMode): void {
    this.parts.router.mode = mode;
    const who = {
      chain: 'the public host name (Route 53, then Front Door for Azure)',
      route53: 'Route 53 straight to the cells',
      frontdoor: 'clients that reached Front Door',
    }[mode];
    this.note('sandbox', `edge router now routes as ${who}`);
  }

  async shift(request: ShiftRequest, onLine?: (line: string) => void): Promise<ShiftResult> {
    if (this.shifting) {
      throw new SandboxError(
        "a traffic shift is already running: one at a time, as the workflow's concurrency group allows",
      );
    }
    this.note('shift', `traffic-shift to ${request.target} started`);
    this.shifting = runTrafficShift(request, this.shiftTargets(), (line) => {
      this.note('shift', line);
      onLine?.(line);
    });
    try {
      const result = await this.shifting;
      this.note(
        'shift',
        result.exitCode === 0
          ? `traffic-shift to ${request.target} done`
          : `traffic-shift to ${request.target} failed (exit ${result.exitCode})`,
      );
      return result;
    } finally {
      this.shifting = undefined;
    }
  }

  stop(): Promise<void> {
    return this.parts.stop();
  }

  private shiftTargets(): SandboxTargets {
    const { planes, cells } = this.parts;
    const urls = Object.fromEntries(CLOUDS.map((cloud) => [cloud, cells[cloud].url]));
    return {
      shiftInputs: planes.shiftInputs(),
      shiftEnv: planes.shiftEnv(),
      cells: urls as PerCloud<string>,
    };
  }
}

/** Shares (summing to 1, or all 0) as whole percentages summing to 100 (or 0/0). */
function wholePercent(shares: PerCloud<number>): PerCloud<number> {
  const total = shares.aws + shares.azure;
  if (total <= 0) return { aws: 0, azure: 0 };
  const aws = Math.round((shares.aws / total) * 100);
  return { aws, azure: 100 - aws };
}
