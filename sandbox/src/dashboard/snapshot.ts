import type { Cloud, PerCloud } from '../../../actions/shared/src/clouds.js';
import type { CountersSnapshot, SecondCounts } from '../router/request-counters.js';
import type { RoutingHealth } from '../router/chain.js';
import type { RouterMode, RoutingWeights } from '../router/weights.js';
import type { ReplicationFlow } from './replication-view.js';

export interface CellStatus {
  cloud: Cloud;
  url: string;
  /** The version the cell runs (what its /health reports, or the deployed build). */
  version: string | undefined;
  healthy: boolean;
  /** HTTP status of the last health check, 0 when it did not answer. */
  healthStatus: number;
  checkedAt: string | undefined;
  /** What the last health check said (its JSON body, or the error). */
  detail: unknown;
  /** True while a simulated outage has the cloud down (`npm run outage`). */
  outage?: boolean;
}

export interface RolloutEntry {
  at: string;
  /** Where it came from: 'route53', 'frontdoor' (a weight change seen), 'shift' (the action's log), 'cell'. */
  source: string;
  text: string;
}

/** Everything the dashboard shows, sent as one server-sent event per tick. */
export interface SandboxSnapshot {
  at: string;
  routerMode: RouterMode;
  weights: RoutingWeights;
  /** What Route 53's health checks and Front Door's probes say of each cell now. */
  health: RoutingHealth;
  /** The client split the routers give now (weights and health, through the chain), in percent. */
  split: PerCloud<number>;
  counters: CountersSnapshot;
  /** Requests per cloud in each of the last two minutes' seconds, oldest first (the chart). */
  history: SecondCounts[];
  cells: PerCloud<CellStatus>;
  /** Each cell's documents held by the other, with the home cell's lag and peer link. */
  replication: ReplicationFlow[];
  rollout: RolloutEntry[];
  urls: Record<string, string>;
}
