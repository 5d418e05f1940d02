import { describe, expect, it } from '@jest/globals';

import type { PerCloud } from '../../actions/shared/src/clouds.js';
import { replicationFlows } from '../src/dashboard/replication-view.js';
import type { CellStatus } from '../src/dashboard/snapshot.js';
import type { ReplicaCountsStatus } from '../src/replica-monitor.js';

const answered = (
  cloud: 'aws' | 'azure',
  replication: Record<string, unknown>,
  peer: Record<string, unknown>,
): CellStatus => ({
  cloud,
  url: `http://127.0.0.1/${cloud}`,
  version: '1.0.0',
  healthy: true,
  healthStatus: 200,
  checkedAt: '2026-12-05T10:00:00.000Z',
  detail: { status: 'ok', replication, peer },
});

const down = (cloud: 'aws' | 'azure'): CellStatus => ({
  cloud,
  url: `http://127.0.0.1/${cloud}`,
  version: '1.0.0',
  healthy: false,
  healthStatus: 0,
  checkedAt: '2026-12-05T10:00:00.000Z',
  detail: 'fetch failed',
});

const counted = (
  documents: Record<string, { carts: number; orders: number }>,
  error?: string,
): ReplicaCountsStatus => ({
  counts: { cell: 'x', countedAt: '2026-12-05T10:00:00.000Z', documents },
  error,
  checkedAt: '2026-12-05T10:00:00.000Z',
});

describe('the dashboard replication figures', () => {
  const counts: PerCloud<ReplicaCountsStatus> = {
    aws: counted({ aws: { carts: 4, orders: 2 }, azure: { carts: 7, orders: 3 } }),
    azure: counted({ azure: { carts: 9, orders: 3 }, aws: { carts: 4, orders: 1 } }),
  };

  it('each direction: what the holder holds of the home cell, the home lag and its link', () => {
    const cells = {
      aws: answered(
        'aws',
        { status: 'ok', lagMs: 153, deliveries: 6, failedDeliveries: 0 },
        { cell: 'azure', status: 'up', ageMs: 1200, stale: false },
      ),
      azure: answered(
        'azure',
        { status: 'ok', lagMs: 87, deliveries: 12, failedDeliveries: 0 },
        { cell: 'aws', status: 'up', ageMs: 300, stale: false },
      ),
    };
    const [azureOnAws, awsOnAzure] = replicationFlows(cells, counts);
    expect(azureOnAws).toMatchObject({
      from: 'azure',
      to: 'aws',
      carts: { held: 7, of: 9 },
      orders: { held: 3, of: 3 },
      status: 'ok',
      lagMs: 87,
      link: { status: 'up', ageMs: 300 },
      summary:
        "AWS holds 7 of Azure's 9 carts and 3 of its 3 orders; lag 87 ms; Azure sees AWS up (300 ms ago)",
    });
    expect(awsOnAzure).toMatchObject({
      carts: { held: 4, of: 4 },
      orders: { held: 1, of: 2 },
      lagMs: 153,
      summary:
        "Azure holds 4 of AWS's 4 carts and 1 of its 2 orders; lag 153 ms; AWS sees Azure up (1.2 s ago)",
    });
  });

  it('Azure down: its replicas on AWS still count, its own totals and lag are unknown; AWS is behind', () => {
    const cells = {
      aws: answered(
        'aws',
        { status: 'behind', lagMs: 153, behindMs: 12_400, failedDeliveries: 5 },
        { cell: 'azure', status: 'unreachable', ageMs: 2100, stale: false },
      ),
      azure: down('azure'),
    };
    const outage = { ...counts, azure: { ...counts.azure, error: 'fetch failed' } };
    const [azureOnAws, awsOnAzure] = replicationFlows(cells, outage);
    expect(azureOnAws).toMatchObject({
      carts: { held: 7, of: undefined },
      status: 'unknown',
      link: undefined,
      summary: "AWS holds 7 of Azure's carts and 3 of its orders; Azure not answering",
    });
    expect(awsOnAzure).toMatchObject({
      // Azure's last answer, from before the outage, is not shown as today's.
      carts: { held: undefined, of: 4 },
      status: 'behind',
      behindMs: 12_400,
      summary:
        "Azure holds ? of AWS's 4 carts and ? of its 2 orders; behind by ≥ 12.4 s, 5 failed deliveries; AWS sees Azure unreachable (2.1 s ago)",
    });
  });

  it('before any answer: question marks, nothing replicated yet', () => {
    const none: ReplicaCountsStatus = { counts: undefined, error: undefined, checkedAt: undefined };
    const cells = {
      aws: answered(
        'aws',
        { status: 'idle', deliveries: 0 },
        { cell: 'azure', status: 'unknown', stale: false },
      ),
      azure: answered('azure', { status: 'idle', deliveries: 0 }, { cell: 'aws', status: 'up' }),
    };
    const [azureOnAws] = replicationFlows(cells, { aws: none, azure: none });
    expect(azureOnAws?.summary).toBe(
      "AWS holds ? of Azure's carts and ? of its orders; nothing replicated yet; Azure sees AWS up",
    );
  });
});
