/**
 * What the dashboard shows of replication (issue 16, ADR 23): for each direction, how many of
 * the home cell's carts and orders the other cell holds, the home cell's replication lag and
 * its link to the other cell. Built here, not in the page, so the figures are unit-tested.
 */
import type { Cloud, PerCloud } from '../../../actions/shared/src/clouds.js';
import type { ReplicationReport } from '../../../functions/src/core/replication.js';
import type { PeerLinkReport } from '../../../functions/src/core/health.js';
import type { ReplicaCountsStatus } from '../replica-monitor.js';
import type { CellStatus } from './snapshot.js';

export interface HeldCount {
  /** The holder's count of the home cell's documents; undefined before its first answer. */
  readonly held: number | undefined;
  /** The home cell's count of its own; undefined while it does not answer. */
  readonly of: number | undefined;
}

export interface ReplicationFlow {
  /** The home cell of the documents. */
  readonly from: Cloud;
  /** The cell holding their replicas. */
  readonly to: Cloud;
  readonly carts: HeldCount;
  readonly orders: HeldCount;
  /** The home cell's deliveries to `to` (its /health `replication`); `unknown`: no answer. */
  readonly status: ReplicationReport['status'] | 'unknown';
  readonly lagMs: number | undefined;
  readonly behindMs: number | undefined;
  readonly failedDeliveries: number | undefined;
  /** The home cell's last probe of `to` (its /health `peer`), and how old it is. */
  readonly link: { readonly status: string; readonly ageMs: number | undefined } | undefined;
  /** One line, as the dashboard prints it. */
  readonly summary: string;
}

const NAMES: Record<Cloud, string> = { aws: 'AWS', azure: 'Azure' };

/** Both directions: Azure's documents on AWS, then AWS's on Azure. */
export function replicationFlows(
  cells: PerCloud<CellStatus>,
  counts: PerCloud<ReplicaCountsStatus>,
): ReplicationFlow[] {
  return [flow('azure', 'aws', cells, counts), flow('aws', 'azure', cells, counts)];
}

function flow(
  from: Cloud,
  to: Cloud,
  cells: PerCloud<CellStatus>,
  counts: PerCloud<ReplicaCountsStatus>,
): ReplicationFlow {
  // A count stands only while its cell answers: one from before an outage would claim a
  // state nobody can check now.
  const answered = (cloud: Cloud) =>
    counts[cloud].error === undefined ? counts[cloud].counts?.documents : undefined;
  const held = (kind: 'carts' | 'orders'): HeldCount => ({
    held: answered(to)?.[from]?.[kind],
    of: answered(from)?.[from]?.[kind],
  });
  const health = healthOf(cells[from]);
  const replication = health?.replication;
  const link = health?.peer
    ? { status: health.peer.status, ageMs: 'ageMs' in health.peer ? health.peer.ageMs : undefined }
    : undefined;
  const base = {
    from,
    to,
    carts: held('carts'),
    orders: held('orders'),
    status: replication?.status ?? 'unknown',
    lagMs: replication?.lagMs,
    behindMs: replication?.behindMs,
    failedDeliveries: replication?.failedDeliveries,
    link,
  } as const;
  return { ...base, summary: summarize(base) };
}

/** The /health body of the cell's last check, when it answered one. */
function healthOf(
  cell: CellStatus,
): { replication?: ReplicationReport; peer?: PeerLinkReport } | undefined {
  if (cell.healthStatus === 0 || typeof cell.detail !== 'object' || cell.detail === null)
    return undefined;
  return cell.detail as { replication?: ReplicationReport; peer?: PeerLinkReport };
}

function summarize(view: Omit<ReplicationFlow, 'summary'>): string {
  const { from, to } = view;
  const count = ({ held, of }: HeldCount, whose: string, what: string) =>
    `${held ?? '?'} of ${whose}${of === undefined ? '' : ` ${of}`} ${what}`;
  const holds =
    `${NAMES[to]} holds ${count(view.carts, `${NAMES[from]}'s`, 'carts')}` +
    ` and ${count(view.orders, 'its', 'orders')}`;
  const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
  const lag =
    view.status === 'unknown'
      ? `${NAMES[from]} not answering`
      : view.status === 'behind'
        ? `behind${view.behindMs === undefined ? '' : ` by ≥ ${seconds(view.behindMs)}`}, ${view.failedDeliveries ?? 0} failed deliveries`
        : view.lagMs === undefined
          ? 'nothing replicated yet'
          : `lag ${seconds(view.lagMs)}`;
  const link = view.link
    ? `; ${NAMES[from]} sees ${NAMES[to]} ${view.link.status}${view.link.ageMs === undefined ? '' : ` (${seconds(view.link.ageMs)} ago)`}`
    : '';
  return `${holds}; ${lag}${link}`;
}
