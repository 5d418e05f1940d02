/**
 * The public host name's routing chain (ADR 16), as the clouds decide it per client request:
 * Route 53 picks a record by weight among healthy records (zero-weight records only when every
 * weighted one is unhealthy; every record when all are unhealthy); the AWS record is the AWS
 * cell, the Azure record is Front Door, which picks among its enabled, healthy origins of the
 * best priority by weight (every enabled origin when all fail their probes). The sandbox
 * resolves per request, as if every client had its own resolver with an expired cache.
 */
import { CLOUDS, type Cloud, type PerCloud } from '../../../actions/shared/src/clouds.js';
import type { FrontDoorOrigin, RoutingWeights } from './weights.js';

/** The cloud whose Route 53 record points at Front Door (the global module's front_door_cell). */
export const FRONT_DOOR_CELL: Cloud = 'azure';

/** What each router believes of each cell's health right now. */
export interface RoutingHealth {
  /** The Route 53 health check of the cell's own name. */
  route53: PerCloud<boolean>;
  /** Front Door's probes of the cell's origin. */
  frontDoor: PerCloud<boolean>;
}

export const ALL_HEALTHY: RoutingHealth = {
  route53: { aws: true, azure: true },
  frontDoor: { aws: true, azure: true },
};

/** Where a request went: the cell, and whether it passed through Front Door. */
export interface Route {
  cloud: Cloud;
  viaFrontDoor: boolean;
}

/** Route 53's record shares (probabilities summing to 1) under its health rules. */
export function route53Shares(
  weights: PerCloud<number>,
  healthy: PerCloud<boolean>,
): PerCloud<number> {
  const weighted = CLOUDS.filter((cloud) => weights[cloud] > 0 && healthy[cloud]);
  const zero = CLOUDS.filter((cloud) => weights[cloud] === 0 && healthy[cloud]);
  let candidates: Cloud[];
  if (weighted.length > 0) candidates = weighted;
  else if (zero.length > 0) candidates = zero;
  else candidates = [...CLOUDS]; // every record unhealthy: Route 53 answers as if all were healthy
  const total = candidates.reduce((sum, cloud) => sum + weights[cloud], 0);
  return Object.fromEntries(
    CLOUDS.map((cloud) => {
      if (!candidates.includes(cloud)) return [cloud, 0];
      // All-zero candidates are answered in equal shares.
      return [cloud, total > 0 ? weights[cloud] / total : 1 / candidates.length];
    }),
  ) as PerCloud<number>;
}

/** Front Door's origin shares; all zero when every origin is disabled (it answers 503). */
export function frontDoorShares(
  origins: PerCloud<FrontDoorOrigin>,
  healthy: PerCloud<boolean>,
): PerCloud<number> {
  const enabled = CLOUDS.filter((cloud) => origins[cloud].enabled);
  const available = enabled.filter((cloud) => healthy[cloud]);
  // Complete probe failure: Front Door spreads over every enabled origin.
  const pool = available.length > 0 ? available : enabled;
  const best = Math.min(...pool.map((cloud) => origins[cloud].priority ?? 1));
  const chosen = pool.filter((cloud) => (origins[cloud].priority ?? 1) === best);
  const total = chosen.reduce((sum, cloud) => sum + origins[cloud].weight, 0);
  return Object.fromEntries(
    CLOUDS.map((cloud) => [
      cloud,
      chosen.includes(cloud) && total > 0 ? origins[cloud].weight / total : 0,
    ]),
  ) as PerCloud<number>;
}

/**
 * The share of client requests each cloud gets through the whole chain:
 * share(c) = R53(c) x [c is not the Front Door cell] + R53(Front Door cell) x FD(c).
 */
export function chainShares(weights: RoutingWeights, health: RoutingHealth): PerCloud<number> {
  const dns = route53Shares(weights.route53, health.route53);
  const edge = frontDoorShares(weights.frontDoor, health.frontDoor);
  return Object.fromEntries(
    CLOUDS.map((cloud) => [
      cloud,
      (cloud === FRONT_DOOR_CELL ? 0 : dns[cloud]) + dns[FRONT_DOOR_CELL] * edge[cloud],
    ]),
  ) as PerCloud<number>;
}

/** A weighted random choice over shares; undefined when every share is 0. */
export function pick(
  shares: PerCloud<number>,
  random: () => number = Math.random,
): Cloud | undefined {
  let point = random();
  for (const cloud of CLOUDS) {
    if (shares[cloud] <= 0) continue;
    point -= shares[cloud];
    if (point < 0) return cloud;
  }
  return CLOUDS.findLast((cloud) => shares[cloud] > 0);
}

/** One client request through the chain: a DNS answer, then (for Azure's record) Front Door. */
export function routeThroughChain(
  weights: RoutingWeights,
  health: RoutingHealth,
  random: () => number = Math.random,
): Route | undefined {
  const record = pick(route53Shares(weights.route53, health.route53), random);
  if (!record) return undefined;
  if (record !== FRONT_DOOR_CELL) return { cloud: record, viaFrontDoor: false };
  const origin = pick(frontDoorShares(weights.frontDoor, health.frontDoor), random);
  return origin ? { cloud: origin, viaFrontDoor: true } : undefined;
}
