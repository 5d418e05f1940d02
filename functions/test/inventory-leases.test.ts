import { describe, expect, it } from '@jest/globals';
import { createCellApp, type CellApp } from '../src/core/cell-app.js';
import type { CoreRequest } from '../src/core/http-types.js';
import { issueGrant, leaseSettingsFrom, type LeaseSettings } from '../src/core/inventory-lease.js';
import type { InventoryDocument } from '../src/core/inventory-service.js';
import { signPeerRequest } from '../src/core/peer-auth.js';
import { readSettings, commonSettings } from '../src/core/settings.js';
import { SettingsError } from '../src/core/errors.js';
import {
  MemoryDocumentStore,
  MemoryEventQueue,
  MemoryNotifier,
} from '../src/memory/memory-adapters.js';
import { testPeerSettings } from './support/peer-key.js';
import { testAuthEnv, testAudience } from './support/auth.js';
import { peerKeyFrom } from '../src/core/peer-auth.js';
import { testPeerKey } from './support/peer-key.js';
import { refusal } from './support/refusal.js';

/**
 * Two cells on in-memory stores, their signed peer calls carried in-process (the real
 * PeerForwarder and PeerAuthenticator, HMAC and all), with a clock the test moves and a link
 * it can cut: the lease protocol of ADR 25 without waiting for real time.
 */
const leases: LeaseSettings = { durationMs: 10_000, renewMs: 3_000, marginMs: 2_000, budget: 10 };
const clouds = ['aws', 'azure'] as const;
type Cloud = (typeof clouds)[number];

function twoCells(allocation = 100) {
  let clock = Date.parse('2026-12-05T12:00:00Z');
  const now = () => new Date(clock);
  const stores = { aws: new MemoryDocumentStore(), azure: new MemoryDocumentStore() };
  /** Which cell's endpoint answers: a cut cell's calls and calls to it fail as unreachable. */
  const down: Record<Cloud, boolean> = { aws: false, azure: false };
  const apps = {} as Record<Cloud, CellApp>;
  const fetchFrom =
    (from: Cloud): typeof fetch =>
    async (input, init) => {
      const url = new URL(String(input));
      const to = url.hostname.split('.')[0] as Cloud;
      if (down[from] || down[to]) throw new TypeError('fetch failed');
      const headers = Object.fromEntries(
        Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [
          k.toLowerCase(),
          v,
        ]),
      );
      const response = await apps[to].handleHttp({
        method: init?.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers,
        ...(typeof init?.body === 'string' ? { body: init.body } : {}),
      });
      return new Response(response.body, { status: response.status, headers: response.headers });
    };
  for (const cloud of clouds) {
    const peer = cloud === 'aws' ? 'azure' : 'aws';
    apps[cloud] = createCellApp({
      identity: { cell: cloud, cloud: 'memory', region: 'local', version: 'test' },
      peer: testPeerSettings(peer, `http://${peer}.test`, 1000),
      auth: {
        issuer: testAuthEnv.AUTH_ISSUER,
        audience: testAudience,
        jwksUrl: testAuthEnv.AUTH_JWKS_URL,
      } as never,
      ports: {
        documents: stores[cloud],
        events: new MemoryEventQueue(),
        notifier: new MemoryNotifier(),
      },
      leases,
      now,
      fetch: fetchFrom(cloud),
      logError: () => {},
    });
  }
  const cells = {
    apps,
    stores,
    down,
    advance(ms: number) {
      clock += ms;
    },
    async doc(cloud: Cloud, sku = 'MUG') {
      return (await stores[cloud].get<InventoryDocument>(`inventory/${sku}`))?.value;
    },
    async renewBoth() {
      return Promise.all(clouds.map((cloud) => apps[cloud].leases?.renew()));
    },
    /** Confirmed reservations of MUG across both cells, from their own documents. */
    async confirmed() {
      let total = 0;
      for (const cloud of clouds) {
        const doc = await cells.doc(cloud);
        total += (doc?.reserved ?? 0) + (doc?.grant?.takeover?.reserved ?? 0);
      }
      return total;
    },
    /** Units counted in some cell: allocations plus takeovers not yet handed over. */
    async counted() {
      let total = 0;
      for (const cloud of clouds) {
        const doc = await cells.doc(cloud);
        total += (doc?.allocation ?? 0) + (doc?.grant?.takeover?.units ?? 0);
      }
      return total;
    },
  };
  return {
    ...cells,
    async seed() {
      for (const cloud of clouds) await apps[cloud].inventory.setAllocation('MUG', allocation);
      await cells.renewBoth();
      await cells.renewBoth(); // the second renewal acknowledges the first grant's floor
    },
  };
}

const reserve = (app: CellApp, quantity = 1) => app.inventory.reserve('MUG', quantity);

describe('inventory leases between two cells (ADR 25)', () => {
  it('grants each cell a lease with a floor of its unsold units less the budget', async () => {
    const cells = twoCells();
    await cells.seed();
    const aws = await cells.doc('aws');
    expect(aws?.lease).toMatchObject({ seq: 2, floor: 90 });
    // The grantor's record: the floor the holder provably keeps unsold.
    expect((await cells.doc('azure'))?.grant).toMatchObject({ seq: 2, safeFloor: 90 });
    await reserve(cells.apps.aws, 10);
    // The budget is spent: 503, not an oversell, until the next renewal.
    const spent = await refusal(reserve(cells.apps.aws));
    expect([spent.status, spent.code]).toEqual([503, 'inventory_lease_budget_spent']);
    await cells.renewBoth();
    await expect(reserve(cells.apps.aws)).resolves.toMatchObject({ reserved: 11 });
  });

  it('a cell whose lease ran out refuses to reserve, with 503 and Retry-After', async () => {
    const cells = twoCells();
    await cells.seed();
    cells.down.azure = true;
    expect((await cells.apps.aws.leases?.renew())?.status).toBe('failing');
    await expect(reserve(cells.apps.aws)).resolves.toMatchObject({ reserved: 1 });
    cells.advance(leases.durationMs);
    const expired = await refusal(reserve(cells.apps.aws));
    expect([expired.status, expired.code]).toEqual([503, 'inventory_lease_expired']);
    expect(expired.headers['retry-after']).toBe('3');
    expect((await cells.doc('aws'))?.reserved).toBe(1);
    // The partitioned Azure cell, alive, stops selling its own allocation too.
    expect((await refusal(reserve(cells.apps.azure))).code).toBe('inventory_lease_expired');
  });

  it('the survivor takes over only after expiry plus the margin, and only the provably unsold units', async () => {
    const cells = twoCells();
    await cells.seed();
    await reserve(cells.apps.azure, 4); // Azure sold 4 of its 10-unit budget before the outage
    cells.down.azure = true;
    await cells.renewBoth();
    // AWS's own lease (granted by Azure) holds a little longer than the margin-less expiry.
    cells.advance(leases.durationMs - 1);
    await reserve(cells.apps.aws, 1);
    expect((await cells.doc('aws'))?.grant?.takeover).toBeUndefined();
    cells.advance(1 + leases.marginMs); // AWS's own lease ran out; the margin has not passed
    expect((await refusal(reserve(cells.apps.aws))).code).toBe('inventory_lease_expired');
    expect((await cells.doc('aws'))?.grant?.takeover).toBeUndefined();
    cells.advance(1);
    await reserve(cells.apps.aws, 2);
    // 100 allocated - 0 reported sold at the last renewal - 10 budget = 90: not the 4 Azure sold.
    expect((await cells.doc('aws'))?.grant?.takeover).toMatchObject({ units: 90, reserved: 2 });
    await reserve(cells.apps.aws, 88);
    // Its own 99 unsold units stay unsellable while its own lease has run out.
    const refused = await refusal(reserve(cells.apps.aws));
    expect([refused.code, refused.extra.sellable]).toEqual(['inventory_lease_expired', 0]);
    expect(await cells.confirmed()).toBe(95); // AWS: 1 of its own + 90 taken over; Azure: 4
    // Azure, partitioned but alive, sees the same from its side: its own lease ran out, and it
    // takes over AWS's provably unsold units. Each allocation is still sold at most once.
    await reserve(cells.apps.azure, 89);
    expect((await refusal(reserve(cells.apps.azure, 2))).code).toBe('inventory_lease_expired');
    const [aws, azure] = [await cells.doc('aws'), await cells.doc('azure')];
    expect(azure?.grant?.takeover).toMatchObject({ units: 90, reserved: 89 });
    // AWS's 100: 1 sold by AWS + 89 by Azure; Azure's 100: 4 by Azure + 90 by AWS.
    expect((aws?.reserved ?? 0) + (azure?.grant?.takeover?.reserved ?? 0)).toBeLessThanOrEqual(100);
    expect((azure?.reserved ?? 0) + (aws?.grant?.takeover?.reserved ?? 0)).toBeLessThanOrEqual(100);
  });

  it('under concurrent reservations on both sides through an outage, confirmed never exceeds the allocation', async () => {
    const cells = twoCells(60);
    await cells.seed();
    const outcomes = { confirmed: 0, refused: 0 };
    const burst = async (rounds: number) => {
      for (let round = 0; round < rounds; round += 1) {
        const attempts = clouds.flatMap((cloud) =>
          Array.from({ length: 4 }, () => reserve(cells.apps[cloud], 1 + (round % 3))),
        );
        for (const result of await Promise.allSettled(attempts)) {
          outcomes[result.status === 'fulfilled' ? 'confirmed' : 'refused'] += 1;
        }
        expect(await cells.confirmed()).toBeLessThanOrEqual(120);
        cells.advance(1_000);
        if (round % 3 === 0) await cells.renewBoth();
      }
    };
    await burst(5);
    cells.down.azure = true; // Azure is partitioned but keeps taking its own requests
    await burst(20);
    cells.down.azure = false;
    await burst(5);
    expect(await cells.confirmed()).toBeLessThanOrEqual(120);
    expect(outcomes.confirmed).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(await cells.counted()).toBe(120);
  });

  it('after recovery the sold part of the takeover is handed over once, the rest stays with its owner, nothing is counted twice', async () => {
    const cells = twoCells();
    await cells.seed();
    cells.down.azure = true;
    cells.advance(leases.durationMs + leases.marginMs + 1);
    await reserve(cells.apps.aws, 5);
    expect(await cells.counted()).toBe(200 + 90); // the 90 are in Azure's allocation and AWS's takeover
    cells.down.azure = false;
    await cells.renewBoth(); // Azure gives up the 5 AWS sold; AWS sells no more of the takeover
    expect((await cells.doc('azure'))?.allocation).toBe(95);
    expect((await cells.doc('aws'))?.grant?.takeover).toMatchObject({ units: 5, reserved: 5 });
    expect(await cells.counted()).toBe(200);
    await cells.renewBoth(); // Azure acknowledges: AWS folds them into its own allocation
    const aws = await cells.doc('aws');
    expect([aws?.allocation, aws?.reserved, aws?.grant?.takeover]).toEqual([105, 5, undefined]);
    await cells.renewBoth();
    await cells.renewBoth();
    expect(await cells.counted()).toBe(200);
    expect((await cells.doc('azure'))?.allocation).toBe(95);
    await expect(reserve(cells.apps.azure, 10)).resolves.toMatchObject({ reserved: 10 });
    await expect(cells.apps.aws.inventory.release('MUG', 5)).resolves.toMatchObject({
      reserved: 0,
    });
  });

  it('a lower allocation or a transfer out keeps the floor; a stranded transfer still returns its units once the peer is back', async () => {
    const cells = twoCells();
    await cells.seed(); // floor 90 on each cell: only the 10-unit budget may leave
    const lower = await refusal(cells.apps.aws.inventory.setAllocation('MUG', 50));
    expect([lower.status, lower.code, lower.extra.floor]).toEqual([409, 'below_lease_floor', 90]);
    const inventory = cells.apps.aws.inventory;
    expect((await refusal(inventory.transferOut('MUG', 't-big', 'azure', 20))).code).toBe(
      'below_lease_floor',
    );
    // Azure is cut off: the transfer leaves AWS and is stranded (the route answers 502
    // transfer_pending); taking it back needs Azure to void it first, so it waits for Azure.
    cells.down.azure = true;
    await inventory.transferOut('MUG', 't-1', 'azure', 10);
    expect((await cells.doc('aws'))?.allocation).toBe(90);
    cells.down.azure = false;
    await cells.apps.azure.inventory.voidIncoming('MUG', 't-1', 'aws', 10);
    await inventory.returnOutgoing('MUG', 't-1');
    expect((await cells.doc('aws'))?.allocation).toBe(100);
    expect(await cells.counted()).toBe(200);
    // A late delivery of the voided transfer is refused: the units are counted once.
    const late = await refusal(cells.apps.azure.inventory.transferIn('MUG', 't-1', 'aws', 10));
    expect(late.code).toBe('transfer_voided');
    expect(await cells.counted()).toBe(200);
  });

  it('a forged, unsigned or replayed lease call is refused and changes nothing', async () => {
    const cells = twoCells();
    await cells.seed();
    const before = JSON.stringify(await cells.doc('azure'));
    const body = JSON.stringify({
      leases: [
        { sku: 'MUG', allocation: 1, reserved: 0, heldSeq: 2, heldFloor: 0, handedOver: '' },
      ],
    });
    const request = (headers: Record<string, string>): CoreRequest => ({
      method: 'POST',
      path: '/inventory-leases',
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const unsigned = await cells.apps.azure.handleHttp(request({}));
    expect([unsigned.status, JSON.parse(unsigned.body).code]).toEqual([403, 'peer_only']);
    const forged = await cells.apps.azure.handleHttp(
      request({ 'x-forwarded-from-cell': 'aws', 'x-peer-signature': `v1=${'0'.repeat(64)}` }),
    );
    expect([forged.status, JSON.parse(forged.body).code]).toEqual([401, 'peer_auth_failed']);
    const wrongKey = signPeerRequest(
      { key: peerKeyFrom(testPeerKey.replace(/^G/, 'H')), windowMs: 60_000 },
      { fromCell: 'aws', toCell: 'azure', method: 'POST', path: '/inventory-leases', query: '' },
      body,
      new Date('2026-12-05T12:00:00Z'),
    );
    expect((await cells.apps.azure.handleHttp(request(wrongKey))).status).toBe(401);
    const signed = signPeerRequest(
      { key: peerKeyFrom(testPeerKey), windowMs: 60_000 },
      { fromCell: 'aws', toCell: 'azure', method: 'POST', path: '/inventory-leases', query: '' },
      body,
      new Date('2026-12-05T12:00:00Z'),
    );
    const first = await cells.apps.azure.handleHttp(request(signed));
    expect(first.status).toBe(200);
    const afterFirst = JSON.stringify(await cells.doc('azure'));
    const replay = await cells.apps.azure.handleHttp(request(signed));
    expect([replay.status, JSON.parse(replay.body).code]).toEqual([401, 'peer_auth_failed']);
    expect(JSON.stringify(await cells.doc('azure'))).toBe(afterFirst);
    expect(afterFirst).not.toBe(before); // the genuine call did grant
  });
});

describe('lease grants (issueGrant)', () => {
  const report = { sku: 'MUG', allocation: 100, reserved: 20, heldFloor: 0, handedOver: '' };
  const at = new Date('2026-12-05T12:00:00Z');

  it('keeps the lowest floor the holder may still hold when it has not acknowledged the last grant', () => {
    const first = issueGrant(undefined, { ...report, heldSeq: 0 }, leases, at).record;
    expect(first.safeFloor).toBe(0); // no grant held yet: nothing provably unsold
    const second = issueGrant(first, { ...report, heldSeq: 1, heldFloor: 70 }, leases, at).record;
    expect(second.safeFloor).toBe(70);
    // A report from an instance that has not seen grant 2 yet: grant 2's floor stays possible.
    const third = issueGrant(
      second,
      { ...report, reserved: 0, heldSeq: 1, heldFloor: 90 },
      leases,
      at,
    ).record;
    expect([third.issuedFloor, third.safeFloor]).toEqual([90, 70]);
  });
});

describe('lease settings', () => {
  const env = (extra: Record<string, string>) => ({
    CELL_NAME: 'aws',
    PEER_CELL_NAME: 'azure',
    PEER_URL: 'https://azure.test',
    PEER_SHARED_KEY: testPeerKey,
    APP_VERSION: '1',
    ...testAuthEnv,
    ...extra,
  });

  it('are off when INVENTORY_LEASE_MS is unset, with defaults for the rest when set', () => {
    const read = (extra: Record<string, string>) =>
      leaseSettingsFrom(readSettings(commonSettings, env(extra), 'test cell'), 'test cell');
    expect(read({})).toBeUndefined();
    expect(read({ INVENTORY_LEASE_MS: '180000' })).toEqual({
      durationMs: 180_000,
      renewMs: 60_000,
      marginMs: 5_000,
      budget: 500,
    });
  });

  it('name the bad setting and the accepted form', () => {
    expect(() =>
      readSettings(commonSettings, env({ INVENTORY_LEASE_BUDGET: 'lots' }), 'test cell'),
    ).toThrow(/INVENTORY_LEASE_BUDGET is malformed \(units of each SKU/);
    const settings = readSettings(
      commonSettings,
      env({ INVENTORY_LEASE_MS: '5000', INVENTORY_LEASE_RENEW_MS: '5000' }),
      'test cell',
    );
    const error = (() => {
      try {
        leaseSettingsFrom(settings, 'test cell');
      } catch (caught) {
        return caught as SettingsError;
      }
      return undefined;
    })();
    expect(error?.settings).toEqual(['INVENTORY_LEASE_RENEW_MS']);
    expect(error?.message).toMatch(/must be less than INVENTORY_LEASE_MS/);
  });
});
