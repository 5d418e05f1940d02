import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { launchSandbox, type LaunchedSandbox } from '../src/client.js';
import { CellStores } from '../src/replica-audit.js';
import { CELL_HEADER } from '../src/router/edge-router.js';
import { runStartCommand } from './start-command.js';

/** The cell's own URL: an HTTP status, or 0 when the connection failed. */
async function statusOf(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls `check` every 250 ms until it holds, or fails after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('npm run outage on a running sandbox', () => {
  let sandbox: LaunchedSandbox;
  beforeAll(async () => {
    sandbox = await launchSandbox();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('takes Azure down (its URL resets connections, the router moves to AWS) and brings it back', async () => {
    const azure = sandbox.urls.azure as string;
    const down = await runStartCommand(['outage', 'azure', '--state-file', sandbox.stateFile]);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    const lines = down.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^azure cell is down: .* reset every connection/);
    // Returned once down: no answer at all from the cell, not a 503.
    expect(await statusOf(`${azure}/health`)).toBe(0);
    const state = await sandbox.client.state();
    expect(state.cells.azure.outage).toBe(true);
    expect(state.cells.aws.outage).toBe(false);
    // AWS stays healthy itself and reports its peer unreachable within the link's refresh
    // plus the probe's timeout (5 s + 0.75 s, ADR 26).
    const wentDown = Date.now();
    await until(async () => {
      const awsHealth = await fetch(`${sandbox.urls.aws}/health`);
      expect(awsHealth.status).toBe(200);
      const body = (await awsHealth.json()) as { peer: { status: string } };
      return body.peer.status === 'unreachable';
    }, 10_000);
    expect(Date.now() - wentDown).toBeLessThan(5750 + 1500);
    // After Route 53's three failed checks (one a second here), every request goes to AWS.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const cells = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${sandbox.urls.router}/health`);
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      cells.add(response.headers.get(CELL_HEADER) ?? '');
    }
    expect([...cells]).toEqual(['aws']);

    const up = await runStartCommand([
      'outage',
      'azure',
      '--end',
      '--state-file',
      sandbox.stateFile,
    ]);
    expect(up.code).toBe(0);
    expect(up.stdout.trim().split('\n')).toHaveLength(1);
    expect(up.stdout).toMatch(/^azure cell is back: .* answers \/health 200/);
    expect(await statusOf(`${azure}/health`)).toBe(200);
    expect((await sandbox.client.state()).cells.azure.outage).toBe(false);
  });

  it('Azure down: an Azure-homed cart is read, edited and checked out through AWS; both cells converge after', async () => {
    const stores = new CellStores(sandbox.urls);
    try {
      const token = await sandbox.tokens.customerToken('carol');
      const call = async (base: string, method: string, path: string, body?: unknown) => {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { response, json: (await response.json()) as Record<string, unknown> };
      };
      const azure = sandbox.urls.azure as string;
      const aws = sandbox.urls.aws as string;
      const created = await call(azure, 'POST', '/carts');
      const cartId = created.json.id as string;
      expect(cartId).toMatch(/^azure-/);
      expect(
        (await call(azure, 'PUT', `/carts/${cartId}/items/MUG`, { quantity: 2 })).response.status,
      ).toBe(200);
      // Replication is asynchronous: wait for AWS's copy to hold the item.
      await until(async () => {
        const copy = (await stores.get('aws', `carts/${cartId}`)) as
          { items?: unknown[] } | undefined;
        return copy?.items?.length === 1;
      });

      await sandbox.client.setOutage('azure', true);
      const read = await call(aws, 'GET', `/carts/${cartId}`);
      expect(read.response.status).toBe(200);
      expect(read.response.headers.get('x-served-from-replica')).toBe('azure');
      expect(read.json.items).toEqual([{ sku: 'MUG', quantity: 2 }]);
      const edited = await call(aws, 'PUT', `/carts/${cartId}/items/HOODIE`, { quantity: 1 });
      expect(edited.response.status).toBe(200);
      const checkout = await call(aws, 'POST', `/carts/${cartId}/checkout`);
      expect(checkout.response.status).toBe(201);
      const orderId = checkout.json.id as string;
      expect(orderId).toMatch(/^aws-/);
      expect(checkout.json.items).toEqual([
        expect.objectContaining({ sku: 'HOODIE', quantity: 1 }),
        expect.objectContaining({ sku: 'MUG', quantity: 2 }),
      ]);
      expect((await call(aws, 'GET', `/orders/${orderId}`)).response.status).toBe(200);
      // Nobody but the peer may write a replica: unsigned, it is refused and nothing changes.
      const forged = await fetch(`${aws}/replicas/carts/${cartId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...read.json, items: [] }),
      });
      expect(forged.status).toBe(403);

      await sandbox.client.setOutage('azure', false);
      const keys = [`carts/${cartId}`, `orders/${orderId}`];
      await until(async () => (await stores.compare(keys)).same === keys.length);
      const home = await call(azure, 'GET', `/carts/${cartId}`);
      expect(home.json).toMatchObject({ status: 'checked-out', orderId });
      expect(home.json.items).toEqual([
        { sku: 'HOODIE', quantity: 1 },
        { sku: 'MUG', quantity: 2 },
      ]);
    } finally {
      stores.destroy();
    }
  });

  it('inventory under an Azure outage: the survivor takes over only the provably unsold units, the sum never exceeds the allocation, and recovery counts them once', async () => {
    const stores = new CellStores(sandbox.urls);
    const admin = await sandbox.tokens.adminToken();
    const sku = 'STICKERS';
    const urls = { aws: sandbox.urls.aws as string, azure: sandbox.urls.azure as string };
    const post = async (cloud: 'aws' | 'azure', path: string, body: unknown) => {
      try {
        const response = await fetch(`${urls[cloud]}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        return { status: response.status, json: (await response.json()) as { code?: string } };
      } catch {
        return { status: 0, json: {} };
      }
    };
    type Doc = {
      allocation: number;
      reserved: number;
      grant?: { takeover?: { units: number; reserved: number } };
    };
    const doc = async (cloud: 'aws' | 'azure') =>
      (await stores.get(cloud, `inventory/${sku}`)) as Doc;
    /** Confirmed reservations, from the cells' own documents. */
    const confirmed = async () => {
      const [aws, azure] = [await doc('aws'), await doc('azure')];
      return (
        aws.reserved +
        azure.reserved +
        (aws.grant?.takeover?.reserved ?? 0) +
        (azure.grant?.takeover?.reserved ?? 0)
      );
    };
    const renewals = () => new Promise((resolve) => setTimeout(resolve, 4_500));
    try {
      expect((await post('azure', `/inventory/${sku}/reserve`, { quantity: 100 })).status).toBe(
        200,
      );
      await renewals(); // AWS records Azure's floor: its unsold units less the 500-unit budget
      const [awsBefore, azureBefore] = [await doc('aws'), await doc('azure')];
      const provablyUnsold = azureBefore.allocation - azureBefore.reserved - 500;
      const total = awsBefore.allocation + azureBefore.allocation;
      const confirmedBefore = await confirmed();

      await sandbox.client.setOutage('azure', true);
      const started = Date.now();
      const answers: Record<string, number> = {};
      let units = 0;
      while (Date.now() - started < 60_000) {
        const attempts = (['aws', 'azure'] as const).flatMap((cloud) =>
          Array.from({ length: cloud === 'aws' ? 16 : 4 }, () =>
            post(cloud, `/inventory/${sku}/reserve`, { quantity: 100 }),
          ),
        );
        for (const answer of await Promise.all(attempts)) {
          const key = `${answer.status} ${answer.json.code ?? ''}`.trim();
          answers[key] = (answers[key] ?? 0) + 1;
          if (answer.status === 200) units += 100;
        }
        expect(await confirmed()).toBeLessThanOrEqual(total);
        if ((await doc('aws')).grant?.takeover?.reserved === provablyUnsold) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const aws = await doc('aws');
      // AWS sold its own budget, then (after its lease ran out and Azure's lease plus the margin)
      // exactly the units Azure provably had not sold; never its own beyond the budget.
      expect(aws.reserved - awsBefore.reserved).toBe(500);
      expect(aws.grant?.takeover).toMatchObject({
        units: provablyUnsold,
        reserved: provablyUnsold,
      });
      expect(answers['503 inventory_lease_expired']).toBeGreaterThan(0);
      expect(answers['0']).toBeGreaterThan(0); // Azure's requests: no answer at all
      // Every 200 the clients saw is in the documents, and no more.
      expect(units).toBe(500 + provablyUnsold);
      expect(await confirmed()).toBe(confirmedBefore + units);
      expect(await confirmed()).toBeLessThanOrEqual(total);

      await sandbox.client.setOutage('azure', false);
      await until(async () => (await doc('aws')).grant?.takeover === undefined, 20_000);
      const [awsAfter, azureAfter] = [await doc('aws'), await doc('azure')];
      // Handed over once: Azure gave the units up, AWS holds them in its own allocation.
      expect(azureAfter.allocation).toBe(azureBefore.allocation - provablyUnsold);
      expect(awsAfter.allocation).toBe(awsBefore.allocation + provablyUnsold);
      expect(awsAfter.allocation + azureAfter.allocation).toBe(total);
      expect(awsAfter.reserved).toBe(awsBefore.reserved + units);
      expect(await confirmed()).toBe(confirmedBefore + units);

      // Only Azure, signing, may renew a lease on AWS: unsigned 403, forged 401, nothing changes.
      const before = JSON.stringify(await doc('aws'));
      const forged = (headers: Record<string, string>) =>
        fetch(`${urls.aws}/inventory-leases`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({
            leases: [{ sku, allocation: 1, reserved: 0, heldSeq: 0, heldFloor: 0, handedOver: '' }],
          }),
        }).then((response) => response.status);
      expect(await forged({})).toBe(403);
      expect(
        await forged({
          'x-forwarded-from-cell': 'azure',
          'x-peer-signature': `v1=${'0'.repeat(64)}`,
        }),
      ).toBe(401);
      const after = (await doc('aws')) as Doc & { grant?: { seq?: number } };
      expect(after.allocation).toBe(JSON.parse(before).allocation);
    } finally {
      stores.destroy();
    }
  }, 150_000);

  it('refuses an unknown cloud before changing anything', async () => {
    const result = await runStartCommand(['outage', 'gcp', '--state-file', sandbox.stateFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the cloud must be aws or azure, got "gcp"/);
    expect((await sandbox.client.state()).cells.azure.outage).toBe(false);
  });
});
