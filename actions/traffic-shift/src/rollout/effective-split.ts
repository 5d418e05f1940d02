/**
 * The split clients see (ADR 16), from what the routers hold: Route 53 splits clients between
 * the clouds' records; a router behind one cloud's record (Front Door, see RouterReading.edge)
 * then re-splits that record's share:
 *
 *   share(c) = dns(c) x [c has no edge router] + sum over edges e of dns(e.behind) x e.carries(c)
 *
 * Without a DNS router the edge router is the entry (its own split). Routers that are all
 * entries of their own (the wave-1 layout) each carry the split they hold: the result is then
 * the DNS router's split. Health is not in it: this is what the weights and states say.
 */
import type { RouterReading } from './router.js';
import { CLOUDS, splitFromWeights, type Cloud, type Split } from './split.js';

export interface ReadRouter {
  readonly id: string;
  readonly reading: RouterReading;
}

export function effectiveSplit(readings: readonly ReadRouter[]): Split | undefined {
  const dns = readings.find((entry) => entry.id === 'route53')?.reading.split;
  const edges = readings.flatMap((entry) => (entry.reading.edge ? [entry.reading.edge] : []));
  if (!dns) return edges.length === 1 ? edges[0]?.carries : readings[0]?.reading.split;
  const fronted = new Set<Cloud>(edges.map((edge) => edge.behind));
  const shares = Object.fromEntries(
    CLOUDS.map((cloud) => [
      cloud,
      (fronted.has(cloud) ? 0 : dns[cloud]) +
        edges.reduce((sum, edge) => sum + (dns[edge.behind] * edge.carries[cloud]) / 100, 0),
    ]),
  ) as Record<Cloud, number>;
  return splitFromWeights(shares);
}

/**
 * The client split at the end of a run: the target once it is in force on every router (each
 * router's writes keep the chain's product equal to the step's split), what the routers held
 * at the start when nothing changed or everything was restored, unknown otherwise.
 */
export function finalClientSplit(report: {
  outcome: string;
  target: Split;
  readings: readonly ReadRouter[];
}): Split | undefined {
  if (report.outcome === 'completed' || report.outcome === 'already-in-force') return report.target;
  if (['dry-run', 'failed-unchanged', 'rolled-back'].includes(report.outcome))
    return effectiveSplit(report.readings);
  return undefined;
}
