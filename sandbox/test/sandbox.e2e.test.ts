import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { Cloud, PerCloud } from '../../actions/shared/src/clouds.js';
import { launchSandbox, type LaunchedSandbox } from '../src/client.js';
import { LoadGenerator } from '../src/load-generator.js';
import { repoRoot } from '../src/paths.js';
import { CELL_HEADER } from '../src/router/edge-router.js';
import { runStartCommand } from './start-command.js';

// The sandbox hosts the functions (issue: functions/) and runs the traffic-shift action's
// dist (issue: traffic-shift); until those have landed, say so and skip.
const missing = [
  'functions/src/aws/cell.ts',
  'functions/src/azure/cell.ts',
  'actions/traffic-shift/dist/index.js',
].filter((path) => !existsSync(join(repoRoot(), path)));
const describeIfReady = missing.length === 0 ? describe : describe.skip;
if (missing.length > 0)
  console.warn(`sandbox end-to-end tests skipped: not landed yet: ${missing.join(', ')}`);

/**
 * [pid, ppid] of every process: from /proc on Linux (a minimal Debian has no `ps`), else `ps`.
 */
function processTable(): Array<[number, number]> {
  if (existsSync('/proc/self/stat')) {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .flatMap((pid): Array<[number, number]> => {
        try {
          // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          return [[Number(pid), ppid]];
        } catch {
          return []; // exited while the table was read
        }
      });
  }
  return execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
}

/** Process ids of every descendant of a process (the sandbox's children and theirs). */
function descendants(pid: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

async function json(response: Response): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Sends n requests through the router, `concurrency` at a time; counts the cell that served each. */
async function spread(
  router: string,
  token: string,
  n: number,
  concurrency = 20,
): Promise<PerCloud<number> & { failed: number }> {
  const counts = { aws: 0, azure: 0, failed: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const response = await fetch(`${router}/inventory/MUG`, { headers: bearer(token) });
        await response.arrayBuffer();
        if (response.status !== 200) counts.failed++;
        counts[response.headers.get(CELL_HEADER) as Cloud]++;
      }
    }),
  );
  return counts;
}

describeIfReady('npm start: the sandbox end to end', () => {
  let sandbox: LaunchedSandbox;
  let router: string;
  let shopper: string;

  beforeAll(async () => {
    sandbox = await launchSandbox();
    router = sandbox.urls.router ?? '';
    shopper = await sandbox.tokens.customerToken('e2e-shopper');
  });

  afterAll(async () => {
    await sandbox?.stop('SIGKILL');
  });

  it('prints the URLs as `<name>: <url>` lines and reports both cells healthy', async () => {
    for (const name of ['router', 'dashboard', 'aws', 'azure', 'route53', 'frontdoor']) {
      expect(sandbox.urls[name]).toMatch(/^https?:\/\/127\.0\.0\.1:\d+/);
    }
    const state = await sandbox.client.state();
    expect(state.cells.aws).toMatchObject({ healthy: true, version: '1.0.0' });
    expect(state.cells.azure).toMatchObject({ healthy: true, version: '1.0.0' });
    expect(state.weights.route53).toEqual({ aws: 50, azure: 50 });
    // API Management first, the AWS cell as its priority-2 backup (ADR 16).
    expect(state.weights.frontDoor).toEqual({
      aws: { weight: 500, enabled: true, priority: 2 },
      azure: { weight: 500, enabled: true, priority: 1 },
    });
  });

  it('serves cart -> checkout -> order through the router on both cells, and each cell confirms its orders from its queue', async () => {
    const homes = new Set<string>();
    const orders: string[] = [];
    const customer = await sandbox.tokens.customerToken('customer-e2e');
    for (let i = 0; i < 16 && homes.size < 2; i++) {
      const cart = await json(
        await fetch(`${router}/carts`, { method: 'POST', headers: bearer(customer) }),
      );
      const cartId = String(cart.id);
      await json(
        await fetch(`${router}/carts/${cartId}/items/MUG`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', ...bearer(customer) },
          body: JSON.stringify({ quantity: 2 }),
        }),
      );
      const order = await json(
        await fetch(`${router}/carts/${cartId}/checkout`, {
          method: 'POST',
          headers: bearer(customer),
        }),
      );
      const orderId = String(order.id);
      // The order lives in the cart's home cell, whichever cell the router picks for the read.
      expect(orderId.split('-')[0]).toBe(cartId.split('-')[0]);
      const read = await json(
        await fetch(`${router}/orders/${orderId}`, { headers: bearer(customer) }),
      );
      expect(read).toMatchObject({ id: orderId, customerId: 'customer-e2e' });
      homes.add(cartId.split('-')[0] ?? '');
      orders.push(orderId);
    }
    expect([...homes].sort()).toEqual(['aws', 'azure']);
    // order.placed travels on each cell's queue (SQS through the event source mapping, Event
    // Hubs through the trigger) and its consumer confirms the order.
    for (const orderId of orders) {
      const deadline = Date.now() + 20_000;
      let status = '';
      while (status !== 'confirmed' && Date.now() < deadline) {
        const read = await fetch(`${router}/orders/${orderId}`, { headers: bearer(customer) });
        status = String((await json(read)).status);
        if (status !== 'confirmed') await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(`${orderId} ${status}`).toBe(`${orderId} confirmed`);
    }
  });

  /**
   * Sends the same request through the router until both cells have answered it (the split is
   * 50/50 here), and returns every answer with the cell that gave it.
   */
  async function onBothCells(
    request: () => Promise<Response>,
  ): Promise<{ cell: string; status: number; body: Record<string, unknown>; headers: Headers }[]> {
    const answers: {
      cell: string;
      status: number;
      body: Record<string, unknown>;
      headers: Headers;
    }[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await request();
      const text = await response.text();
      answers.push({
        cell: response.headers.get(CELL_HEADER) ?? 'none',
        status: response.status,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        headers: response.headers,
      });
      const cells = new Set(answers.map((answer) => answer.cell));
      if (cells.has('aws') && cells.has('azure')) break;
    }
    expect(new Set(answers.map((answer) => answer.cell))).toEqual(new Set(['aws', 'azure']));
    return answers;
  }

  it('through the router, on both cells: no token, or an expired, foreign, forged or unsigned one, is 401', async () => {
    const noToken = await onBothCells(() => fetch(`${router}/inventory/MUG`));
    for (const answer of noToken) {
      expect({ cell: answer.cell, status: answer.status, code: answer.body.code }).toEqual({
        cell: answer.cell,
        status: 401,
        code: 'token_missing',
      });
      expect(answer.body.error).toContain('Authorization: Bearer');
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
    const kinds = [
      ['expired', 'expired'],
      ['wrong-issuer', 'issuer'],
      ['wrong-audience', 'audience'],
      ['bad-signature', 'signature'],
      ['alg-none', 'algorithm'],
    ] as const;
    for (const [kind, reason] of kinds) {
      const token = await sandbox.tokens.forged('e2e-forger', kind);
      for (const answer of await onBothCells(() =>
        fetch(`${router}/carts`, { method: 'POST', headers: bearer(token) }),
      )) {
        expect({ kind, cell: answer.cell, status: answer.status, body: answer.body }).toMatchObject(
          {
            kind,
            cell: answer.cell,
            status: 401,
            body: { code: 'invalid_token', reason },
          },
        );
      }
    }
    // /health stays open for smoke tests and probes.
    for (const answer of await onBothCells(() => fetch(`${router}/health`))) {
      expect(answer.status).toBe(200);
    }
  });

  it("through the router, on both cells: customer B gets 404 for customer A's carts and orders of either cell", async () => {
    const alice = await sandbox.tokens.customerToken('e2e-alice');
    const bob = await sandbox.tokens.customerToken('e2e-bob');
    const carts = new Map<string, string>();
    const orders = new Map<string, string>();
    for (let i = 0; i < 30 && (carts.size < 2 || orders.size < 2); i++) {
      const cart = await json(
        await fetch(`${router}/carts`, { method: 'POST', headers: bearer(alice) }),
      );
      const id = String(cart.id);
      const home = id.split('-')[0] ?? '';
      await json(
        await fetch(`${router}/carts/${id}/items/STICKERS`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', ...bearer(alice) },
          body: JSON.stringify({ quantity: 1 }),
        }),
      );
      if (!carts.has(home)) {
        carts.set(home, id);
        continue;
      }
      if (!orders.has(home)) {
        const order = await json(
          await fetch(`${router}/carts/${id}/checkout`, { method: 'POST', headers: bearer(alice) }),
        );
        orders.set(home, String(order.id));
      }
    }
    expect([...carts.keys()].sort()).toEqual(['aws', 'azure']);
    expect([...orders.keys()].sort()).toEqual(['aws', 'azure']);
    const attempts: [string, string, unknown][] = [];
    for (const id of carts.values()) {
      attempts.push(['GET', `/carts/${id}`, undefined]);
      attempts.push(['PUT', `/carts/${id}/items/MUG`, { quantity: 5 }]);
      attempts.push(['DELETE', `/carts/${id}/items/STICKERS`, undefined]);
      attempts.push(['POST', `/carts/${id}/checkout`, undefined]);
    }
    for (const id of orders.values()) attempts.push(['GET', `/orders/${id}`, undefined]);
    for (const [method, path, body] of attempts) {
      for (const answer of await onBothCells(() =>
        fetch(`${router}${path}`, {
          method,
          headers: { ...bearer(bob), ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }),
      )) {
        expect({ method, path, cell: answer.cell, status: answer.status }).toEqual({
          method,
          path,
          cell: answer.cell,
          status: 404,
        });
      }
    }
    for (const id of carts.values()) {
      const mine = await json(await fetch(`${router}/carts/${id}`, { headers: bearer(alice) }));
      expect(mine).toMatchObject({ status: 'open', items: [{ sku: 'STICKERS', quantity: 1 }] });
    }
  });

  it('through the router, on both cells: inventory writes, transfers and direct reservations need the admin scope', async () => {
    const customer = await sandbox.tokens.customerToken('e2e-customer');
    const admin = await sandbox.tokens.adminToken();
    const put = (token: string) => () =>
      fetch(`${router}/inventory/HOODIE`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ allocation: 10_000 }),
      });
    const transfer = (token: string) => () =>
      fetch(`${router}/inventory/HOODIE/transfers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ transferId: `e2e-${Date.now()}`, toCell: 'x', quantity: 1 }),
      });
    // Reservations happen through checkout and orders only: a customer cannot reserve stock
    // (or release someone's reservation) by calling the inventory directly.
    const direct = (action: 'reserve' | 'release', token: string) => () =>
      fetch(`${router}/inventory/HOODIE/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ quantity: 1 }),
      });
    const reserved = async () =>
      Object.fromEntries(
        (
          await onBothCells(() =>
            fetch(`${router}/inventory/HOODIE`, { headers: bearer(customer) }),
          )
        ).map((answer) => [answer.cell, answer.body.reserved]),
      );
    const before = await reserved();
    const refused = [
      put(customer),
      transfer(customer),
      direct('reserve', customer),
      direct('release', customer),
    ];
    for (const request of refused) {
      for (const answer of await onBothCells(request)) {
        expect({ cell: answer.cell, status: answer.status, code: answer.body.code }).toEqual({
          cell: answer.cell,
          status: 403,
          code: 'insufficient_scope',
        });
      }
    }
    expect(await reserved()).toEqual(before);
    for (const answer of await onBothCells(put(admin))) {
      expect({ cell: answer.cell, status: answer.status }).toEqual({
        cell: answer.cell,
        status: 200,
      });
    }
  });

  it('splits 2,000 requests 45-55% per cell at 50/50, then follows the real traffic-shift action', async () => {
    const even = await spread(router, shopper, 2000);
    expect(even.failed).toBe(0);
    expect(even.aws / 2000).toBeGreaterThanOrEqual(0.45);
    expect(even.aws / 2000).toBeLessThanOrEqual(0.55);
    expect(even.azure / 2000).toBeGreaterThanOrEqual(0.45);
    expect(even.azure / 2000).toBeLessThanOrEqual(0.55);

    const toAws = await sandbox.client.shift({
      target: 'aws=100,azure=0',
      steps: '100',
      bakeSeconds: 1,
    });
    expect(toAws.exitCode).toBe(0);
    expect((await sandbox.client.state()).weights.route53).toEqual({ aws: 100, azure: 0 });
    expect(await spread(router, shopper, 300)).toEqual({ aws: 300, azure: 0, failed: 0 });

    const toAzure = await sandbox.client.shift({
      target: 'aws=0,azure=100',
      steps: '100',
      bakeSeconds: 1,
    });
    expect(toAzure.exitCode).toBe(0);
    const state = await sandbox.client.state();
    expect(state.weights.route53).toEqual({ aws: 0, azure: 100 });
    expect(state.weights.frontDoor.aws.enabled).toBe(false);
    expect(await spread(router, shopper, 300)).toEqual({ aws: 0, azure: 300, failed: 0 });
    expect(state.rollout.some((entry) => entry.source === 'route53')).toBe(true);

    // Clients holding the Front Door answer: its disabled AWS backup origin gets nothing either.
    await sandbox.client.setRouterMode('frontdoor');
    expect((await sandbox.client.state()).routerMode).toBe('frontdoor');
    expect(await spread(router, shopper, 100)).toEqual({ aws: 0, azure: 100, failed: 0 });
    await sandbox.client.setRouterMode('chain');
  });

  it('restarts a cell on a new build, and a broken release fails its health check', async () => {
    const upgraded = await sandbox.client.deployCell('aws', '1.1.0');
    expect(upgraded).toMatchObject({ healthy: true, version: '1.1.0' });
    const broken = await sandbox.client.deployCell('azure', '1.1.0', { breakHealth: true });
    expect(broken.healthy).toBe(false);
    expect(broken.healthStatus).toBe(503);
    const fixed = await sandbox.client.deployCell('azure', '1.1.1');
    expect(fixed).toMatchObject({ healthy: true, version: '1.1.1' });
  });

  it('redeploys a drained cell under steady load with no failed request', async () => {
    const load = new LoadGenerator(router, { rps: 30, flow: 'browse', tokens: sandbox.tokens });
    load.start();
    try {
      expect(
        (await sandbox.client.shift({ target: 'aws=0,azure=100', steps: '100', bakeSeconds: 1 }))
          .exitCode,
      ).toBe(0);
      // A restart, not a swap: the AWS cell answers 503 for a moment, but nothing is routed to it.
      expect(await sandbox.client.deployCell('aws', '1.2.0', { downtimeMs: 500 })).toMatchObject({
        healthy: true,
        version: '1.2.0',
      });
      expect(
        (await sandbox.client.shift({ target: 'aws=50,azure=50', steps: '50,100', bakeSeconds: 1 }))
          .exitCode,
      ).toBe(0);
    } finally {
      const report = await load.stop();
      expect(report.failures).toEqual([]);
      expect(report.perCloud.aws.requests).toBeGreaterThan(0);
      expect(report.perCloud.azure.requests).toBeGreaterThan(0);
    }
  });

  it('npm run load and npm run shift find the sandbox through its state file', async () => {
    const load = await runStartCommand([
      'load',
      '--rps',
      '20',
      '--duration',
      '2',
      '--state-file',
      sandbox.stateFile,
    ]);
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
    expect(load.stdout).toMatch(/^ {3}2 s {3}aws +\d+ {3}azure +\d+ .* failed 0$/m);
    expect(load.stdout).toMatch(/^total: aws \d+ {2}azure \d+ {2}failed 0/m);

    const shift = await runStartCommand([
      'shift',
      '--target',
      'aws=50,azure=50',
      '--steps',
      '100',
      '--bake-seconds',
      '1',
      '--state-file',
      sandbox.stateFile,
    ]);
    expect(shift.code).toBe(0);
    expect(shift.stdout).toContain('done: aws=50,azure=50');
    expect(shift.stdout).toContain('final-split=aws=50,azure=50');
    const state = await sandbox.client.state();
    expect(state.weights.route53).toEqual({ aws: 50, azure: 50 });
    expect(
      state.rollout.some((entry) => entry.text === 'npm run shift: done: aws=50,azure=50'),
    ).toBe(true);
  });

  it('npm run token prints a bearer token as its last line: a customer one and an admin one', async () => {
    const lastLine = (stdout: string) => stdout.trimEnd().split('\n').at(-1) ?? '';
    const customer = await runStartCommand([
      'token',
      '--customer',
      'carol',
      '--state-file',
      sandbox.stateFile,
    ]);
    expect({ code: customer.code, stderr: customer.stderr }).toEqual({ code: 0, stderr: '' });
    const carol = lastLine(customer.stdout);
    expect(carol).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const cart = await json(
      await fetch(`${router}/carts`, { method: 'POST', headers: bearer(carol) }),
    );
    expect(cart.customerId).toBe('carol');
    const denied = await fetch(`${router}/inventory/MUG`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...bearer(carol) },
      body: JSON.stringify({ allocation: 10_000 }),
    });
    expect(denied.status).toBe(403);

    const admin = await runStartCommand(['token', '--admin', '--state-file', sandbox.stateFile]);
    expect(admin.code).toBe(0);
    const allowed = await fetch(`${router}/inventory/MUG`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...bearer(lastLine(admin.stdout)) },
      body: JSON.stringify({ allocation: 10_000 }),
    });
    expect(allowed.status).toBe(200);

    const wrong = await runStartCommand([
      'token',
      '--customer',
      'no spaces',
      '--state-file',
      sandbox.stateFile,
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--customer must be');
    expect(wrong.stdout).toBe('');
  });

  it('stops on SIGTERM with exit code 0 and leaves no process behind', async () => {
    const pid = sandbox.process.pid ?? 0;
    const children = descendants(pid);
    expect(children.length).toBeGreaterThan(0); // Azurite at least
    expect(await sandbox.stop('SIGTERM')).toBe(0);
    const deadline = Date.now() + 5000;
    while (children.some(alive) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(children.filter(alive)).toEqual([]);
    expect(existsSync(sandbox.stateFile)).toBe(false);
  });
});
