import { CLOUDS, type Cloud, type PerCloud } from '../../../actions/shared/src/clouds.js';

/**
 * Which clients the edge router stands for (ADR 16): `chain` is the public host name (Route 53,
 * then Front Door for Azure's record); `frontdoor` a client whose resolver still holds the Front
 * Door answer; `route53` the wave-1 layout, Route 53 straight to each cell's own name.
 */
export type RouterMode = 'chain' | 'route53' | 'frontdoor';

export const ROUTER_MODES: readonly RouterMode[] = ['chain', 'route53', 'frontdoor'];

export function isRouterMode(value: string): value is RouterMode {
  return (ROUTER_MODES as readonly string[]).includes(value);
}

export interface FrontDoorOrigin {
  weight: number;
  enabled: boolean;
  /** 1-5, lower first; the backup origin has 2. Default 1. */
  priority?: number;
}

/** What the two control planes hold right now. */
export interface RoutingWeights {
  route53: PerCloud<number>;
  frontDoor: PerCloud<FrontDoorOrigin>;
}

/**
 * The share each cloud gets under one router's rules. Route 53: weight 0 on every record of
 * the set means an equal split. Front Door: a disabled origin gets nothing; with every origin
 * disabled there is nowhere to send traffic (all zero).
 */
export function effectiveWeights(
  weights: RoutingWeights,
  mode: Exclude<RouterMode, 'chain'>,
): PerCloud<number> {
  if (mode === 'route53') {
    const { aws, azure } = weights.route53;
    return aws + azure === 0 ? { aws: 1, azure: 1 } : { aws, azure };
  }
  const share = (origin: FrontDoorOrigin): number =>
    origin.enabled ? Math.max(0, origin.weight) : 0;
  return { aws: share(weights.frontDoor.aws), azure: share(weights.frontDoor.azure) };
}

/** The split in whole percent (for the dashboard and the command line). */
export function percentages(weights: PerCloud<number>): PerCloud<number> {
  const total = weights.aws + weights.azure;
  if (total === 0) return { aws: 0, azure: 0 };
  const aws = Math.round((weights.aws / total) * 100);
  return { aws, azure: 100 - aws };
}

/** Weighted random choice per request, as both Route 53 and Front Door do. */
export function pickCloud(
  weights: PerCloud<number>,
  random: () => number = Math.random,
): Cloud | undefined {
  const total = weights.aws + weights.azure;
  if (total <= 0) return undefined;
  let point = random() * total;
  for (const cloud of CLOUDS) {
    point -= weights[cloud];
    if (point < 0) return cloud;
  }
  return CLOUDS.findLast((cloud) => weights[cloud] > 0);
}
