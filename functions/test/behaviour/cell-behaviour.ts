import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  json,
  startStandInServer,
  type StandInServer,
} from '../../../stand-ins/src/http/server.js';
import type { ForgedToken, OidcIssuer } from '../../../stand-ins/src/oidc-issuer/index.js';
import { authSettingsOf, bearer, startTestIssuer } from '../support/auth.js';
import { testPeerKey } from '../support/peer-key.js';
import { idempotencyHome } from '../../src/core/routes/order-routes.js';
import type { CellHarness, HarnessFactory, HarnessResponse, RequestOptions } from './harness.js';

/**
 * The behavioural suite every adapter set must pass: the same requests, the same answers,
 * the same invariants, whichever cloud the cell runs on.
 */
export function describeCellBehaviour(title: string, factory: HarnessFactory): void {
  describe(title, () => {
    let peer: StandInServer;
    let cell: CellHarness;
    let issuer: OidcIssuer;
    let adminToken: string;

    /**
     * `base`, or `base` with a suffix, such that this cell is the key's home for every one of
     * `customers` (ADR 18): the key's orders are placed here, not forwarded to the peer.
     */
    function homedKey(base: string, ...customers: string[]): string {
      for (let suffix = 0; ; suffix += 1) {
        const key = suffix === 0 ? base : `${base}-${suffix}`;
        const cells = [cell.cell, cell.peerCell];
        if (customers.every((customer) => idempotencyHome(customer, key, cells) === cell.cell)) {
          return key;
        }
      }
    }

    /**
     * What the cell sent the peer, but its probes of the peer's /health: those run beside the
     * requests (ADR 26), so one started by an earlier test's GET /health may land at any time.
     */
    function forwardedToPeer() {
      return peer.requests.filter((request) => request.path !== '/health');
    }

    /** Headers the peer cell would send: signed with the shared key, unless told otherwise. */
    function signedByPeer(
      method: string,
      path: string,
      body: string | undefined,
      options: { ageMs?: number; key?: Buffer; fromCell?: string; toCell?: string } = {},
    ): Record<string, string> {
      const timestamp = String(Date.now() - (options.ageMs ?? 0));
      const nonce = randomBytes(18).toString('base64url');
      const fromCell = options.fromCell ?? cell.peerCell;
      const signature = peerSignature(
        {
          fromCell,
          toCell: options.toCell ?? cell.cell,
          method,
          path,
          query: '',
          timestamp,
          nonce,
          body: body ?? '',
        },
        options.key,
      );
      return {
        'x-forwarded-from-cell': fromCell,
        'x-peer-timestamp': timestamp,
        'x-peer-nonce': nonce,
        'x-peer-signature': `v1=${signature}`,
      };
    }

    beforeAll(async () => {
      peer = await startStandInServer({
        name: 'peer-cell',
        routes: [
          {
            method: '*',
            path: '/*',
            handler: (request) =>
              json(
                200,
                {
                  servedBy: 'peer',
                  method: request.method,
                  path: request.path,
                  body: request.text(),
                },
                {
                  etag: '"peer-etag"',
                },
              ),
          },
        ],
      });
      issuer = await startTestIssuer();
      adminToken = issuer.adminToken();
      cell = await factory({ url: peer.url, timeoutMs: 400 }, authSettingsOf(issuer));
    });

    afterAll(async () => {
      await cell?.close();
      await peer?.close();
      await issuer?.close();
    });

    /**
     * A request with a bearer token: `token` when given (null: none), else a customer token for
     * `as`, else for the customer the body names (the caller is who orders), else `cust-1`.
     */
    async function call(
      method: string,
      path: string,
      options: RequestOptions & { token?: string | null; as?: string } = {},
    ): Promise<HarnessResponse> {
      const { token, as, ...rest } = options;
      const named = (rest.body as { customerId?: unknown } | undefined)?.customerId;
      const customer = as ?? (typeof named === 'string' ? named : 'cust-1');
      const chosen = token === undefined ? issuer.customerToken(customer) : token;
      return cell.request(method, path, {
        ...rest,
        headers: { ...(chosen === null ? {} : bearer(chosen)), ...rest.headers },
      });
    }
    const asAdmin = (options: RequestOptions = {}) => ({ ...options, token: adminToken });

    const uniqueSku = (() => {
      // Each test owns its SKU stock: tests do not depend on each other's reservations.
      const skus = ['TSHIRT-S', 'TSHIRT-M', 'TSHIRT-L', 'MUG', 'STICKERS', 'HOODIE'];
      let next = 0;
      return () => {
        const sku = skus[next % skus.length] as string;
        next += 1;
        return sku;
      };
    })();

    async function setStock(sku: string, allocation: number) {
      const current = await call('GET', `/inventory/${sku}`);
      const response = await call(
        'PUT',
        `/inventory/${sku}`,
        asAdmin({ body: { allocation: current.body.reserved + allocation } }),
      );
      expect(response.status).toBe(200);
      return response.body as { reserved: number; available: number };
    }

    describe('health and routing', () => {
      it('GET /health reports cloud, region, version and passing dependency checks', async () => {
        const response = await call('GET', '/health');
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({
          status: 'ok',
          cloud: cell.cloud,
          cell: cell.cell,
          version: '1.2.3-test',
          checks: { documents: { status: 'ok', source: 'live' } },
        });
        // The queue and the notifier are checked live where the cell's least-privilege rights
        // allow a read (AWS IAM), else reported from their last send (Azure's Send-only SAS
        // rules): before any send that is `unknown`, which does not fail the cell.
        for (const name of ['events', 'notifications']) {
          const check = response.body.checks[name];
          expect(check).toMatchObject(
            check.source === 'live' ? { status: 'ok' } : { source: 'last-send', status: 'unknown' },
          );
        }
        expect(typeof response.body.region).toBe('string');
        expect(response.headers['x-cell']).toBe(cell.cell);
      });

      /**
       * GET /health until its peer link comes from a probe started after `since` (ADR 26: the
       * report is the last probe's, refreshed every testPeerProbeRefreshMs here).
       */
      async function healthProbedSince(since: number): Promise<HarnessResponse> {
        const deadline = Date.now() + 5000;
        for (;;) {
          const response = await call('GET', '/health');
          const checkedAt = Date.parse(response.body.peer?.checkedAt ?? '');
          if (checkedAt >= since || Date.now() > deadline) return response;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }

      it('GET /health reports the peer link, signed, and stays 200 when the peer is down', async () => {
        peer.clearRequests();
        const up = await healthProbedSince(Date.now());
        expect(up.body.peer).toMatchObject({
          cell: cell.peerCell,
          status: 'up',
          httpStatus: 200,
          stale: false,
        });
        expect(up.body.peer.ageMs).toBeLessThan(5000);
        const probe = peer.requests.find((request) => request.path === '/health');
        expect(probe?.headers['x-peer-signature']).toMatch(/^v1=[0-9a-f]{64}$/);

        // Every probe from now on: one started before could otherwise take a single fault.
        peer.injectFault({ path: '/health', status: 401, times: Infinity });
        expect((await healthProbedSince(Date.now())).body.peer).toMatchObject({
          status: 'rejected',
        });
        peer.clearFaults();
        peer.injectFault({ path: '/health', drop: true, times: Infinity });
        const down = await healthProbedSince(Date.now());
        peer.clearFaults();
        expect(down.status).toBe(200);
        expect(down.body).toMatchObject({
          status: 'ok',
          peer: { cell: cell.peerCell, status: 'unreachable' },
        });

        // The peer's own probe is answered without probing back (no loop between the cells).
        // First let a probe that the last GET /health started finish.
        await new Promise((resolve) => setTimeout(resolve, 300));
        peer.clearRequests();
        const fromPeer = await call('GET', '/health', {
          headers: signedByPeer('GET', '/health', undefined),
        });
        expect(fromPeer.status).toBe(200);
        expect(fromPeer.body.peer).toBeUndefined();
        expect(peer.requests).toEqual([]);
      });

      it("GET /replicas counts the store's carts and orders by home cell, from its listing", async () => {
        const counts = async () => {
          const response = await call('GET', '/replicas', { token: adminToken });
          expect(response.status).toBe(200);
          return response.body.documents;
        };
        const before = await counts();
        for (let i = 0; i < 3; i++) expect((await call('POST', '/carts')).status).toBe(201);
        const after = await counts();
        expect(after[cell.cell].carts).toBe(before[cell.cell].carts + 3);
        expect(after[cell.cell].orders).toBe(before[cell.cell].orders);
        expect(after[cell.peerCell]).toEqual(before[cell.peerCell]);
      });

      it('answers an unknown route with a JSON 404 and a wrong method with 405', async () => {
        const missing = await call('GET', '/nowhere');
        expect(missing.status).toBe(404);
        expect(missing.body.code).toBe('route_not_found');
        const wrongMethod = await call('PATCH', '/orders');
        expect(wrongMethod.status).toBe(405);
        expect(wrongMethod.headers.allow).toBe('POST');
      });
    });

    describe('cart', () => {
      it('creates a cart, sets and removes items, and keeps the ETag honest', async () => {
        const created = await call('POST', '/carts');
        expect(created.status).toBe(201);
        const id = created.body.id as string;
        expect(id.startsWith(`${cell.cell}-`)).toBe(true);

        const put = await call('PUT', `/carts/${id}/items/MUG`, { body: { quantity: 2 } });
        expect(put.status).toBe(200);
        expect(put.body.items).toEqual([{ sku: 'MUG', quantity: 2 }]);
        expect(put.body.totalCents).toBe(1800);

        const second = await call('PUT', `/carts/${id}/items/HOODIE`, {
          body: { quantity: 1 },
          base64: true,
        });
        expect(second.status).toBe(200);
        expect(second.body.items).toEqual([
          { sku: 'HOODIE', quantity: 1 },
          { sku: 'MUG', quantity: 2 },
        ]);

        const stale = await call('PUT', `/carts/${id}/items/MUG`, {
          body: { quantity: 5 },
          headers: { 'if-match': put.headers.etag as string },
        });
        expect(stale.status).toBe(412);
        expect(stale.body.field).toBe('If-Match');

        const fresh = await call('DELETE', `/carts/${id}/items/HOODIE`, {
          headers: { 'if-match': second.headers.etag as string },
        });
        expect(fresh.status).toBe(200);
        expect(fresh.body.items).toEqual([{ sku: 'MUG', quantity: 2 }]);

        const read = await call('GET', `/carts/${id}`);
        expect(read.status).toBe(200);
        expect(read.body.items).toEqual([{ sku: 'MUG', quantity: 2 }]);
        expect(read.headers.etag).toBe(fresh.headers.etag);
      });

      it('refuses bad input with a 400 naming the field and writes nothing', async () => {
        const id = `${cell.cell}-validation-${Date.now()}`;
        const cases: [string, string, unknown, string][] = [
          ['PUT', `/carts/${id}/items/MUG`, { quantity: 0 }, 'quantity'],
          ['PUT', `/carts/${id}/items/MUG`, { quantity: 100 }, 'quantity'],
          ['PUT', `/carts/${id}/items/MUG`, { quantity: '2' }, 'quantity'],
          ['PUT', `/carts/${id}/items/MUG`, { quantity: 1.5 }, 'quantity'],
          ['PUT', `/carts/${id}/items/NOPE`, { quantity: 1 }, 'sku'],
          ['PUT', `/carts/${id}/items/MUG`, '{"quantity":', 'body'],
          ['PUT', `/carts/${id}/items/MUG`, '[1]', 'body'],
          ['PUT', `/carts/not-a-cell-1/items/MUG`, { quantity: 1 }, 'id'],
          ['PUT', '/inventory/MUG', { allocation: -1 }, 'allocation'],
          ['POST', '/inventory/MUG/reserve', { quantity: 0 }, 'quantity'],
          ['GET', '/inventory/UNKNOWN', undefined, 'sku'],
        ];
        for (const [method, path, body, field] of cases) {
          const admin = path.startsWith('/inventory/MUG');
          const response = await call(method, path, admin ? asAdmin({ body }) : { body });
          expect({ method, path, status: response.status, field: response.body.field }).toEqual({
            method,
            path,
            status: 400,
            field,
          });
          expect(typeof response.body.error).toBe('string');
        }
        expect((await call('GET', `/carts/${id}`)).status).toBe(404);
      });

      it('checks a cart out into exactly one order and closes it', async () => {
        const sku = uniqueSku();
        await setStock(sku, 5);
        const id = (await call('POST', '/carts')).body.id as string;
        await call('PUT', `/carts/${id}/items/${sku}`, { body: { quantity: 2 } });

        const first = await call('POST', `/carts/${id}/checkout`, {
          body: { customerId: 'cust-1' },
        });
        expect(first.status).toBe(201);
        expect(first.body).toMatchObject({
          status: 'placed',
          customerId: 'cust-1',
          items: [{ sku, quantity: 2 }],
          source: { kind: 'cart', cartId: id },
        });
        const again = await call('POST', `/carts/${id}/checkout`, {
          body: { customerId: 'cust-1' },
        });
        expect(again.status).toBe(200);
        expect(again.body.id).toBe(first.body.id);

        const closed = await call('GET', `/carts/${id}`);
        expect(closed.body).toMatchObject({ status: 'checked-out', orderId: first.body.id });
        const change = await call('PUT', `/carts/${id}/items/${sku}`, {
          body: { quantity: 1 },
        });
        expect(change.status).toBe(409);
        expect(change.body.code).toBe('cart_checked_out');

        const short = uniqueSku();
        await setStock(short, 1);
        const second = (await call('POST', '/carts')).body.id as string;
        await call('PUT', `/carts/${second}/items/${short}`, { body: { quantity: 2 } });
        const refused = await call('POST', `/carts/${second}/checkout`);
        expect(refused.status).toBe(409);
        expect(refused.body).toMatchObject({
          code: 'insufficient_stock',
          field: 'items[0].quantity',
        });
        expect((await call('GET', `/carts/${second}`)).body.status).toBe('open');
        await call('PUT', `/carts/${second}/items/${short}`, { body: { quantity: 1 } });
        // No body: the order is for the caller, whom the token names.
        const accepted = await call('POST', `/carts/${second}/checkout`);
        expect(accepted.status).toBe(201);

        const empty = (await call('POST', '/carts')).body.id as string;
        const nothing = await call('POST', `/carts/${empty}/checkout`, { body: {} });
        expect(nothing.status).toBe(409);
        expect(nothing.body.field).toBe('items');
      });
    });

    describe('inventory', () => {
      it('50 parallel reservations against a stock of 10 reserve exactly 10', async () => {
        const sku = uniqueSku();
        const before = await setStock(sku, 10);
        const responses = await Promise.all(
          Array.from({ length: 50 }, () =>
            call('POST', `/inventory/${sku}/reserve`, asAdmin({ body: { quantity: 1 } })),
          ),
        );
        const statuses = responses.map((response) => response.status);
        expect(statuses.filter((status) => status === 200)).toHaveLength(10);
        expect(statuses.filter((status) => status === 409)).toHaveLength(40);
        for (const response of responses.filter((r) => r.status === 409)) {
          expect(response.body).toMatchObject({ code: 'insufficient_stock', field: 'quantity' });
        }
        const after = await call('GET', `/inventory/${sku}`);
        expect(after.body.reserved).toBe(before.reserved + 10);
        expect(after.body.available).toBe(0);
      });

      it('sets the allocation with If-Match and answers 412 to a stale ETag', async () => {
        const sku = uniqueSku();
        await setStock(sku, 3);
        const read = await call('GET', `/inventory/${sku}`);
        expect(read.headers.etag).toBeDefined();
        const update = await call(
          'PUT',
          `/inventory/${sku}`,
          asAdmin({
            body: { allocation: read.body.allocation + 1 },
            headers: { 'if-match': read.headers.etag as string },
          }),
        );
        expect(update.status).toBe(200);
        const stale = await call(
          'PUT',
          `/inventory/${sku}`,
          asAdmin({
            body: { allocation: 1000 },
            headers: { 'if-match': read.headers.etag as string },
          }),
        );
        expect(stale.status).toBe(412);
        expect((await call('GET', `/inventory/${sku}`)).body.allocation).toBe(
          read.body.allocation + 1,
        );

        const released = await call(
          'POST',
          `/inventory/${sku}/release`,
          asAdmin({ body: { quantity: 1_000 } }),
        );
        expect(released.status).toBe(409);
        expect(released.body.code).toBe('release_exceeds_reserved');
      });
    });

    describe('orders', () => {
      it('requires an Idempotency-Key', async () => {
        const response = await call('POST', '/orders', {
          body: { customerId: 'c', items: [{ sku: 'MUG', quantity: 1 }] },
        });
        expect(response.status).toBe(400);
        expect(response.body.field).toBe('Idempotency-Key');
        const badItems = await call('POST', '/orders', {
          headers: { 'idempotency-key': 'k-bad-items' },
          body: {
            customerId: 'c',
            items: [
              { sku: 'MUG', quantity: 1 },
              { sku: 'MUG', quantity: 2 },
            ],
          },
        });
        expect(badItems.status).toBe(400);
        expect(badItems.body.field).toBe('items[1].sku');
      });

      /**
       * Twenty requests with one key at once, each answer as its status and its order id. An
       * answer without an order (409 in progress, 503) shows as its code, never as a second id.
       */
      async function twentyAtOnce(key: string, sku: string, quantity: number) {
        const responses = await Promise.all(
          Array.from({ length: 20 }, () =>
            call('POST', '/orders', {
              headers: { 'idempotency-key': key },
              body: { customerId: 'cust-20', items: [{ sku, quantity }] },
            }),
          ),
        );
        return responses.map((response) => ({
          status: response.status,
          id:
            typeof response.body?.id === 'string'
              ? (response.body.id as string)
              : `no order: ${String(response.body?.code)}`,
        }));
      }

      /** One order, created once and replayed 19 times; an error answer fails by its code. */
      function expectOneOrder(answers: { status: number; id: string }[]): string {
        expect(answers.filter((answer) => answer.status !== 200 && answer.status !== 201)).toEqual(
          [],
        );
        const ids = new Set(answers.map((answer) => answer.id));
        expect(ids.size).toBe(1);
        expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
        expect(answers.filter((answer) => answer.status === 200)).toHaveLength(19);
        const [id] = [...ids] as [string];
        expect(id.startsWith(`${cell.cell}-`)).toBe(true);
        return id;
      }

      it('20 parallel POST /orders with one Idempotency-Key create one order', async () => {
        const sku = uniqueSku();
        const before = await setStock(sku, 50);
        const key = homedKey(`key-${cell.cloud}-${Date.now()}`, 'cust-20');
        const id = expectOneOrder(await twentyAtOnce(key, sku, 3));

        // Every loser gave its reservation back: exactly one order's worth is reserved.
        const after = await call('GET', `/inventory/${sku}`);
        expect(after.body.reserved).toBe(before.reserved + 3);

        const read = await call('GET', `/orders/${id}`, { as: 'cust-20' });
        expect(read.status).toBe(200);
        expect(read.body).toMatchObject({ id, status: 'placed', totalCents: expect.any(Number) });

        const reused = await call('POST', '/orders', {
          headers: { 'idempotency-key': key },
          body: { customerId: 'cust-20', items: [{ sku, quantity: 4 }] },
        });
        expect(reused.status).toBe(422);
        expect(reused.body.field).toBe('Idempotency-Key');
      });

      it('20 parallel POST /orders with one Idempotency-Key while the store is slow: one order, no error answer', async () => {
        // The store holds each claim write 30 ms: on S3 the waiting requests' conditional writes
        // meet 409 ConditionalRequestConflict while it does (the load under which an error
        // answer once showed up as a "second id").
        const sku = uniqueSku();
        const before = await setStock(sku, 50);
        const key = homedKey(`slow-${cell.cloud}-${Date.now()}`, 'cust-20');
        const restore = await cell.slowWrites('order-claims/', 30);
        let answers: { status: number; id: string }[];
        try {
          answers = await twentyAtOnce(key, sku, 3);
        } finally {
          restore();
        }
        expectOneOrder(answers);
        expect((await call('GET', `/inventory/${sku}`)).body.reserved).toBe(before.reserved + 3);
      });

      it('a claim write that committed but lost its answer: the SDK retry meets 412, and the request still places the one order', async () => {
        const sku = uniqueSku();
        const before = await setStock(sku, 10);
        const key = homedKey(`lost-claim-${cell.cloud}-${Date.now()}`, 'cust-21');
        const lost = await cell.loseNextWriteAnswer('order-claims/');
        const response = await call('POST', '/orders', {
          headers: { 'idempotency-key': key },
          body: { customerId: 'cust-21', items: [{ sku, quantity: 2 }] },
        });
        expect(lost.hits).toBe(1);
        expect({ status: response.status, code: response.body.code }).toEqual({
          status: 201,
          code: undefined,
        });
        expect((await call('GET', `/inventory/${sku}`)).body.reserved).toBe(before.reserved + 2);
        const again = await call('POST', '/orders', {
          headers: { 'idempotency-key': key },
          body: { customerId: 'cust-21', items: [{ sku, quantity: 2 }] },
        });
        expect({ status: again.status, id: again.body.id }).toEqual({
          status: 200,
          id: response.body.id,
        });
      });

      it('an order write that committed but lost its answer: created once, its stock stays reserved, its event is queued', async () => {
        const sku = uniqueSku();
        const before = await setStock(sku, 10);
        const key = homedKey(`lost-order-${cell.cloud}-${Date.now()}`, 'cust-22');
        const lost = await cell.loseNextWriteAnswer('orders/');
        const response = await call('POST', '/orders', {
          headers: { 'idempotency-key': key },
          body: { customerId: 'cust-22', items: [{ sku, quantity: 2 }] },
        });
        expect(lost.hits).toBe(1);
        expect(response.status).toBe(201);
        // Released, the order would stand on stock that another order can take.
        expect((await call('GET', `/inventory/${sku}`)).body.reserved).toBe(before.reserved + 2);
        await cell.deliverOrderEvents();
        const read = await call('GET', `/orders/${response.body.id as string}`, { as: 'cust-22' });
        expect(read.body.status).toBe('confirmed');
      });

      it('a reservation write that committed but lost its answer is counted once', async () => {
        const sku = uniqueSku();
        const before = await setStock(sku, 10);
        const key = homedKey(`lost-reservation-${cell.cloud}-${Date.now()}`, 'cust-23');
        const lost = await cell.loseNextWriteAnswer(`inventory/${sku}`);
        const response = await call('POST', '/orders', {
          headers: { 'idempotency-key': key },
          body: { customerId: 'cust-23', items: [{ sku, quantity: 2 }] },
        });
        expect(lost.hits).toBe(1);
        expect(response.status).toBe(201);
        expect((await call('GET', `/inventory/${sku}`)).body.reserved).toBe(before.reserved + 2);
      });

      it('refuses an order beyond the stock and leaves no reservation behind', async () => {
        const first = uniqueSku();
        const second = uniqueSku();
        const firstBefore = await setStock(first, 5);
        await setStock(second, 1);
        const response = await call('POST', '/orders', {
          headers: { 'idempotency-key': homedKey(`too-many-${cell.cloud}-${Date.now()}`, 'c') },
          body: {
            customerId: 'c',
            items: [
              { sku: first, quantity: 2 },
              { sku: second, quantity: 2 },
            ],
          },
        });
        expect(response.status).toBe(409);
        expect(response.body).toMatchObject({
          code: 'insufficient_stock',
          field: 'items[1].quantity',
        });
        const firstAfter = await call('GET', `/inventory/${first}`);
        expect(firstAfter.body.reserved).toBe(firstBefore.reserved);
      });

      it('GET /orders/{id} of an unknown order is 404', async () => {
        const response = await call('GET', `/orders/${cell.cell}-nothing`);
        expect(response.status).toBe(404);
      });
    });

    describe('order.placed events', () => {
      it('confirms placed orders and notifies the customer', async () => {
        const sku = uniqueSku();
        await setStock(sku, 5);
        const placed = await call('POST', '/orders', {
          headers: {
            'idempotency-key': homedKey(`confirm-${cell.cloud}-${Date.now()}`, 'cust-confirm'),
          },
          body: { customerId: 'cust-confirm', items: [{ sku, quantity: 1 }] },
        });
        expect(placed.status).toBe(201);
        await cell.deliverOrderEvents();
        const read = await call('GET', `/orders/${placed.body.id}`, { as: 'cust-confirm' });
        expect(read.body.status).toBe('confirmed');
        expect(await cell.notifications()).toContainEqual({
          customerId: 'cust-confirm',
          orderId: placed.body.id,
        });
        const health = await call('GET', '/health');
        expect(health.status).toBe(200);
        for (const name of ['events', 'notifications']) {
          const check = health.body.checks[name];
          expect(check.status).toBe('ok');
          if (check.source === 'last-send') expect(Date.parse(check.lastSendAt)).not.toBeNaN();
          else expect(check.source).toBe('live');
        }
      });

      it('parks a poison event in the dead-letter place and processes the rest of its batch', async () => {
        const sku = uniqueSku();
        await setStock(sku, 10);
        await cell.deliverOrderEvents();
        const orders: string[] = [];
        const poison = `{"type":"order.placed","id":"poison-${cell.cloud}-${Date.now()}"}`;
        for (let index = 0; index < 4; index += 1) {
          if (index === 2) await cell.queueRawEvent(poison);
          const placed = await call('POST', '/orders', {
            headers: {
              'idempotency-key': homedKey(
                `batch-${cell.cloud}-${index}-${Date.now()}`,
                `cust-batch-${index}`,
              ),
            },
            body: { customerId: `cust-batch-${index}`, items: [{ sku, quantity: 1 }] },
          });
          expect(placed.status).toBe(201);
          orders.push(placed.body.id as string);
        }
        await cell.queueRawEvent('not json at all');
        await cell.deliverOrderEvents();

        for (const [index, id] of orders.entries()) {
          const read = await call('GET', `/orders/${id}`, { as: `cust-batch-${index}` });
          expect(read.body.status).toBe('confirmed');
        }
        const parked = await cell.deadLetters();
        expect(parked).toContain(poison);
        expect(parked).toContain('not json at all');
        expect(parked.some((body) => orders.some((id) => body.includes(id)))).toBe(false);
      });
    });

    describe('dependency outages', () => {
      it('keeps an order whose event could not be queued, and queues it on the retry', async () => {
        const sku = uniqueSku();
        await setStock(sku, 5);
        const key = homedKey(`outage-${cell.cloud}-${Date.now()}`, 'cust-outage');
        const order = { customerId: 'cust-outage', items: [{ sku, quantity: 1 }] };
        const restore = await cell.injectOutage('events');
        let orderId: string;
        try {
          const failed = await call('POST', '/orders', {
            headers: { 'idempotency-key': key },
            body: order,
          });
          expect(failed.status).toBe(503);
          expect(failed.body.code).toBe('event_not_queued');
          expect(failed.headers['retry-after']).toBe('1');
          orderId = failed.body.orderId as string;
          const health = await call('GET', '/health');
          expect(health.status).toBe(503);
          expect(health.body).toMatchObject({
            status: 'degraded',
            checks: { events: { status: 'failing' } },
          });
        } finally {
          restore();
        }
        expect((await call('GET', `/orders/${orderId}`, { as: 'cust-outage' })).body.status).toBe(
          'placed',
        );
        const retried = await call('POST', '/orders', {
          headers: { 'idempotency-key': key },
          body: order,
        });
        expect(retried.status).toBe(200);
        expect(retried.body.id).toBe(orderId);
        await cell.deliverOrderEvents();
        expect((await call('GET', `/orders/${orderId}`, { as: 'cust-outage' })).body.status).toBe(
          'confirmed',
        );
        expect((await call('GET', '/health')).status).toBe(200);
      });

      it('reports a notifier outage in /health, and recovers once notifications go through', async () => {
        const sku = uniqueSku();
        await setStock(sku, 5);
        const place = (key: string) =>
          call('POST', '/orders', {
            headers: {
              'idempotency-key': homedKey(`${key}-${cell.cloud}-${Date.now()}`, 'cust-push-outage'),
            },
            body: { customerId: 'cust-push-outage', items: [{ sku, quantity: 1 }] },
          });
        const restore = await cell.injectOutage('notifications');
        try {
          expect((await place('push-outage')).status).toBe(201);
          // The consumer's notify fails: retried, then dead-lettered, never lost.
          await cell.deliverOrderEvents();
          const health = await call('GET', '/health');
          expect(health.status).toBe(503);
          expect(health.body).toMatchObject({
            status: 'degraded',
            checks: { documents: { status: 'ok' }, notifications: { status: 'failing' } },
          });
          expect(health.body.checks.notifications.error).toEqual(expect.any(String));
        } finally {
          restore();
        }
        expect((await place('push-back')).status).toBe(201);
        await cell.deliverOrderEvents();
        const healthy = await call('GET', '/health');
        expect(healthy.status).toBe(200);
        expect(healthy.body.checks.notifications.status).toBe('ok');
      });

      it('answers 503 naming the store when it is down, never a 500 or a 4xx', async () => {
        const restore = await cell.injectOutage('documents');
        try {
          const read = await call('GET', `/carts/${cell.cell}-during-outage`);
          expect(read.status).toBe(503);
          expect(read.body).toMatchObject({
            code: 'dependency_unavailable',
            dependency: 'documents',
          });
          expect(read.headers['retry-after']).toBe('1');
          const health = await call('GET', '/health');
          expect(health.status).toBe(503);
          expect(health.body.checks.documents.status).toBe('failing');
          // Validation still comes first: a bad request is a 400 even while the store is down.
          const bad = await call('PUT', `/carts/${cell.cell}-x/items/MUG`, {
            body: { quantity: 0 },
          });
          expect(bad.status).toBe(400);
        } finally {
          restore();
        }
        expect((await call('GET', '/health')).status).toBe(200);
      });
    });

    describe('who may call what', () => {
      it('answers 401 without a token on every route but GET /health, which tells nothing of auth', async () => {
        peer.clearRequests();
        const routes: [string, string][] = [
          ['POST', '/carts'],
          ['GET', `/carts/${cell.cell}-anyone`],
          ['PUT', `/carts/${cell.cell}-anyone/items/MUG`],
          ['POST', `/carts/${cell.cell}-anyone/checkout`],
          ['POST', '/orders'],
          ['GET', `/orders/${cell.cell}-anyone`],
          ['GET', '/inventory/MUG'],
          ['PUT', '/inventory/MUG'],
          ['POST', '/inventory/MUG/reserve'],
          ['POST', '/inventory/MUG/transfers'],
          ['GET', `/carts/${cell.peerCell}-anyone`],
        ];
        for (const [method, path] of routes) {
          const response = await call(method, path, { token: null, body: { quantity: 1 } });
          expect({ method, path, status: response.status, code: response.body.code }).toEqual({
            method,
            path,
            status: 401,
            code: 'token_missing',
          });
          expect(response.headers['www-authenticate']).toBe('Bearer');
          expect(response.body.error).toContain('Authorization: Bearer');
        }
        // Not even forwarded: the peer cell never saw the anonymous request for its cart.
        expect(forwardedToPeer()).toHaveLength(0);

        const health = await call('GET', '/health', { token: null });
        expect(health.status).toBe(200);
        const text = JSON.stringify(health.body);
        for (const secret of [issuer.issuer, issuer.audience, 'jwks', 'AUTH_']) {
          expect(text).not.toContain(secret);
        }
      });

      it('refuses expired, early, foreign, forged and unsigned tokens with 401 invalid_token', async () => {
        const cases: [ForgedToken | string, string][] = [
          ['expired', 'expired'],
          ['not-yet-valid', 'not_yet_valid'],
          ['wrong-issuer', 'issuer'],
          ['wrong-audience', 'audience'],
          ['bad-signature', 'signature'],
          ['alg-none', 'algorithm'],
          ['hs256-with-public-key', 'algorithm'],
          ['unknown-key', 'unknown_key'],
        ];
        for (const [kind, reason] of cases) {
          const token = issuer.forged('cust-forged', kind as ForgedToken);
          const response = await call('GET', '/inventory/MUG', { token });
          expect({ kind, status: response.status, body: response.body }).toMatchObject({
            kind,
            status: 401,
            body: { code: 'invalid_token', reason, field: 'Authorization' },
          });
          expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
        }
        for (const header of ['Bearer', 'Bearer not.a.jwt', 'Basic YWxpY2U6c2VjcmV0']) {
          const response = await call('GET', '/inventory/MUG', {
            token: null,
            headers: { authorization: header },
          });
          expect({ header, status: response.status, reason: response.body.reason }).toEqual({
            header,
            status: 401,
            reason: 'malformed',
          });
        }
        expect((await call('GET', '/inventory/MUG')).status).toBe(200);
      });

      it("answers 404 to a customer who reads or changes another customer's cart or order", async () => {
        const sku = uniqueSku();
        await setStock(sku, 5);
        const cart = (await call('POST', '/carts', { as: 'alice' })).body.id as string;
        const put = await call('PUT', `/carts/${cart}/items/${sku}`, {
          as: 'alice',
          body: { quantity: 1 },
        });
        expect(put.body.customerId).toBe('alice');
        const other = (await call('POST', '/carts', { as: 'alice' })).body.id as string;
        await call('PUT', `/carts/${other}/items/${sku}`, { as: 'alice', body: { quantity: 1 } });
        const order = await call('POST', `/carts/${other}/checkout`, { as: 'alice' });
        expect(order.status).toBe(201);
        expect(order.body.customerId).toBe('alice');

        const attempts: [string, string, unknown][] = [
          ['GET', `/carts/${cart}`, undefined],
          ['PUT', `/carts/${cart}/items/${sku}`, { quantity: 3 }],
          ['DELETE', `/carts/${cart}/items/${sku}`, undefined],
          ['POST', `/carts/${cart}/checkout`, undefined],
          ['GET', `/orders/${order.body.id as string}`, undefined],
        ];
        for (const [method, path, body] of attempts) {
          const response = await call(method, path, {
            as: 'bob',
            body,
            headers: { 'if-match': put.headers.etag as string },
          });
          expect({ method, path, status: response.status, code: response.body.code }).toEqual({
            method,
            path,
            status: 404,
            code: 'not_found',
          });
        }
        // An admin is a customer like any other here: the scope is for inventory only.
        expect((await call('GET', `/carts/${cart}`, asAdmin())).status).toBe(404);
        const mine = await call('GET', `/carts/${cart}`, { as: 'alice' });
        expect(mine.body).toMatchObject({ status: 'open', items: [{ sku, quantity: 1 }] });
        expect(mine.headers.etag).toBe(put.headers.etag);
        const read = await call('GET', `/orders/${order.body.id as string}`, { as: 'alice' });
        expect(read.status).toBe(200);
      });

      it('places orders only for the caller: one Idempotency-Key, two customers, two orders', async () => {
        const sku = uniqueSku();
        await setStock(sku, 5);
        const key = homedKey(`shared-key-${cell.cloud}-${Date.now()}`, 'alice', 'bob');
        const items = [{ sku, quantity: 1 }];
        const headers = { 'idempotency-key': key };
        const alice = await call('POST', '/orders', { as: 'alice', headers, body: { items } });
        const bob = await call('POST', '/orders', { as: 'bob', headers, body: { items } });
        expect([alice.status, bob.status]).toEqual([201, 201]);
        expect(alice.body.id).not.toBe(bob.body.id);
        expect([alice.body.customerId, bob.body.customerId]).toEqual(['alice', 'bob']);

        const forSomeoneElse = await call('POST', '/orders', {
          as: 'mallory',
          headers: { 'idempotency-key': `${key}-m` },
          body: { customerId: 'alice', items },
        });
        expect(forSomeoneElse.status).toBe(403);
        expect(forSomeoneElse.body).toMatchObject({
          code: 'customer_mismatch',
          field: 'customerId',
        });
      });

      it('lets only the admin scope write inventory, move allocation or reserve directly', async () => {
        const sku = uniqueSku();
        const writes: [string, string, unknown][] = [
          ['PUT', `/inventory/${sku}`, { allocation: 5 }],
          ['POST', `/inventory/${sku}/reserve`, { quantity: 1 }],
          ['POST', `/inventory/${sku}/release`, { quantity: 1 }],
          [
            'POST',
            `/inventory/${sku}/transfers`,
            { transferId: `t-${Date.now()}`, toCell: cell.peerCell, quantity: 1 },
          ],
        ];
        const before = await call('GET', `/inventory/${sku}`);
        for (const [method, path, body] of writes) {
          const response = await call(method, path, { as: 'cust-1', body });
          expect({ method, path, status: response.status, body: response.body }).toMatchObject({
            method,
            path,
            status: 403,
            body: { code: 'insufficient_scope', scope: issuer.adminScope },
          });
          expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"');
        }
        expect((await call('GET', `/inventory/${sku}`)).body).toEqual(before.body);
        const admin = await call(
          'PUT',
          `/inventory/${sku}`,
          asAdmin({ body: { allocation: before.body.allocation } }),
        );
        expect(admin.status).toBe(200);
      });

      it('notifies only the customer whose checkout placed the order', async () => {
        const sku = uniqueSku();
        await setStock(sku, 5);
        const customer = `checkout-${cell.cloud}-${Date.now()}`;
        const cart = (await call('POST', '/carts', { as: customer })).body.id as string;
        await call('PUT', `/carts/${cart}/items/${sku}`, { as: customer, body: { quantity: 1 } });
        const refused = await call('POST', `/carts/${cart}/checkout`, {
          as: customer,
          body: { customerId: 'cust-victim' },
        });
        expect(refused.status).toBe(403);
        const placed = await call('POST', `/carts/${cart}/checkout`, {
          as: customer,
          body: { customerId: customer },
        });
        expect(placed.status).toBe(201);
        await cell.deliverOrderEvents();
        const sent = (await cell.notifications()).filter((n) => n.orderId === placed.body.id);
        expect(sent).toEqual([{ customerId: customer, orderId: placed.body.id }]);
        expect((await cell.notifications()).some((n) => n.customerId === 'cust-victim')).toBe(
          false,
        );
      });
    });

    describe('cells', () => {
      it("forwards the peer cell's cart and order requests to the peer URL", async () => {
        peer.clearRequests();
        const cart = await call('PUT', `/carts/${cell.peerCell}-abc/items/MUG`, {
          body: { quantity: 1 },
        });
        expect(cart.status).toBe(200);
        expect(cart.body).toMatchObject({
          servedBy: 'peer',
          method: 'PUT',
          path: `/carts/${cell.peerCell}-abc/items/MUG`,
        });
        expect(JSON.parse(cart.body.body)).toEqual({ quantity: 1 });
        expect(cart.headers.etag).toBe('"peer-etag"');
        const order = await call('GET', `/orders/${cell.peerCell}-o123`);
        expect(order.body).toMatchObject({
          servedBy: 'peer',
          path: `/orders/${cell.peerCell}-o123`,
        });
        expect(
          forwardedToPeer().map((request) => request.headers['x-forwarded-from-cell']),
        ).toEqual([cell.cell, cell.cell]);
        // The caller's token travels with the request: the peer checks it and serves only them.
        expect(
          forwardedToPeer().map((request) => subjectOf(request.headers.authorization)),
        ).toEqual(['cust-1', 'cust-1']);
      });

      it('answers 504 when the peer is too slow and 502 when it is unreachable', async () => {
        peer.injectFault({ path: '/orders/*', delayMs: 1500 });
        const slow = await call('GET', `/orders/${cell.peerCell}-slow`);
        expect(slow.status).toBe(504);
        expect(slow.body.code).toBe('peer_timeout');
        peer.injectFault({ path: '/orders/*', drop: true });
        const down = await call('GET', `/orders/${cell.peerCell}-down`);
        expect(down.status).toBe(502);
        expect(down.body.code).toBe('peer_unreachable');
        peer.clearFaults();
      });

      it('moves allocation to the peer once per transfer id, and delivers it on a retry', async () => {
        const sku = uniqueSku();
        const before = await setStock(sku, 10);
        const transferId = `t-${cell.cloud}-${Date.now()}`;
        const transfer = { transferId, toCell: cell.peerCell, quantity: 4 };
        peer.clearRequests();
        peer.injectFault({ path: '/inventory/*', drop: true });
        const down = await call('POST', `/inventory/${sku}/transfers`, asAdmin({ body: transfer }));
        expect(down.status).toBe(502);
        expect(down.body).toMatchObject({ code: 'transfer_pending', transferId });
        expect((await call('GET', `/inventory/${sku}`)).body.available).toBe(before.available - 4);
        peer.clearFaults();

        const delivered = await call(
          'POST',
          `/inventory/${sku}/transfers`,
          asAdmin({ body: transfer }),
        );
        expect(delivered.status).toBe(200);
        expect(delivered.body).toMatchObject({ transferId, quantity: 4, to: { servedBy: 'peer' } });
        expect((await call('GET', `/inventory/${sku}`)).body.available).toBe(before.available - 4);
        const sent = peer.requests.filter((request) =>
          request.path.endsWith('/incoming-transfers'),
        );
        expect(JSON.parse(sent.at(-1)?.body ?? '{}')).toEqual({
          transferId,
          fromCell: cell.cell,
          quantity: 4,
        });
        expect(sent.at(-1)?.headers['x-forwarded-from-cell']).toBe(cell.cell);
        expect(sent.at(-1)?.headers.authorization).toBe(`Bearer ${adminToken}`);

        const reused = await call(
          'POST',
          `/inventory/${sku}/transfers`,
          asAdmin({ body: { ...transfer, quantity: 5 } }),
        );
        expect({ status: reused.status, field: reused.body.field }).toEqual({
          status: 422,
          field: 'transferId',
        });
        const tooMany = await call(
          'POST',
          `/inventory/${sku}/transfers`,
          asAdmin({ body: { ...transfer, transferId: `${transferId}-2`, quantity: 1000 } }),
        );
        expect(tooMany.body).toMatchObject({ code: 'insufficient_stock', field: 'quantity' });
        const toSelf = await call(
          'POST',
          `/inventory/${sku}/transfers`,
          asAdmin({ body: { ...transfer, toCell: cell.cell } }),
        );
        expect({ status: toSelf.status, field: toSelf.body.field }).toEqual({
          status: 400,
          field: 'toCell',
        });
        // An admin token is not enough: only the peer cell delivers a transfer.
        const notFromPeer = await call(
          'POST',
          `/inventory/${sku}/incoming-transfers`,
          asAdmin({ body: { transferId: 'x', fromCell: cell.peerCell, quantity: 1 } }),
        );
        expect(notFromPeer.status).toBe(403);
        expect(notFromPeer.body.code).toBe('not_from_peer');
      });

      it('never forwards a request that was already forwarded (508)', async () => {
        const path = `/carts/${cell.peerCell}-loop`;
        const response = await call('GET', path, {
          headers: signedByPeer('GET', path, undefined),
        });
        expect(response.status).toBe(508);
      });
    });

    describe('one Idempotency-Key, one home cell (ADR 18)', () => {
      /** A key whose home is the peer cell for `customer`. */
      const peerHomedKey = (base: string, customer: string) => {
        for (let suffix = 0; ; suffix += 1) {
          const key = `${base}-${suffix}`;
          const cells = [cell.cell, cell.peerCell];
          if (idempotencyHome(customer, key, cells) === cell.peerCell) return key;
        }
      };

      it('forwards an order whose key is homed in the peer, and places nothing here', async () => {
        const sku = uniqueSku();
        const before = await setStock(sku, 5);
        const key = peerHomedKey(`peer-home-${cell.cloud}-${Date.now()}`, 'cust-home');
        peer.clearRequests();
        const order = { customerId: 'cust-home', items: [{ sku, quantity: 2 }] };
        const response = await call('POST', '/orders', {
          headers: { 'idempotency-key': key },
          body: order,
        });
        expect(response.body).toMatchObject({ servedBy: 'peer', method: 'POST', path: '/orders' });
        const sent = forwardedToPeer().at(-1);
        expect(sent?.headers['idempotency-key']).toBe(key);
        expect(sent?.headers['x-forwarded-from-cell']).toBe(cell.cell);
        expect((await call('GET', `/inventory/${sku}`)).body.available).toBe(before.available);
      });

      it('answers 503 with Retry-After, and places nothing, while the key home is unreachable', async () => {
        const sku = uniqueSku();
        const before = await setStock(sku, 5);
        const key = peerHomedKey(`peer-down-${cell.cloud}-${Date.now()}`, 'cust-home');
        peer.injectFault({ path: '/orders', drop: true });
        const response = await call('POST', '/orders', {
          headers: { 'idempotency-key': key },
          body: { customerId: 'cust-home', items: [{ sku, quantity: 2 }] },
        });
        peer.clearFaults();
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toBe('5');
        expect(response.body).toMatchObject({
          code: 'idempotency_home_unreachable',
          homeCell: cell.peerCell,
        });
        expect((await call('GET', `/inventory/${sku}`)).body.available).toBe(before.available);
      });
    });

    describe('calls between cells (ADR 17)', () => {
      const incoming = (sku: string) => `/inventory/${sku}/incoming-transfers`;
      const delivery = (transferId: string) =>
        JSON.stringify({ transferId, fromCell: cell.peerCell, quantity: 7 });
      const allocationOf = async (sku: string) =>
        (await call('GET', `/inventory/${sku}`)).body.allocation as number;

      it('signs what it forwards: the peer can check the signature with the shared key', async () => {
        peer.clearRequests();
        await call('GET', `/orders/${cell.peerCell}-signed?x=1`);
        const sent = forwardedToPeer().at(-1);
        const headers = sent?.headers as Record<string, string>;
        const expected = peerSignature({
          fromCell: cell.cell,
          toCell: cell.peerCell,
          method: 'GET',
          path: `/orders/${cell.peerCell}-signed`,
          query: 'x=1',
          timestamp: headers['x-peer-timestamp'] as string,
          nonce: headers['x-peer-nonce'] as string,
          body: '',
        });
        expect(headers['x-peer-signature']).toBe(`v1=${expected}`);
        expect(Math.abs(Number(headers['x-peer-timestamp']) - Date.now())).toBeLessThan(10_000);
      });

      it('rejects the peer header from any other caller, with no change', async () => {
        const sku = uniqueSku();
        const before = await allocationOf(sku);
        const body = delivery(`forged-${Date.now()}`);
        const attempts: Record<string, string>[] = [
          { 'x-forwarded-from-cell': cell.peerCell },
          {
            ...signedByPeer('POST', incoming(sku), body),
            'x-peer-signature': `v1=${'0'.repeat(64)}`,
          },
          signedByPeer('POST', incoming(sku), body.replace('7', '9')),
          signedByPeer('POST', incoming(uniqueSku()), body),
          signedByPeer('POST', incoming(sku), body, { ageMs: 5 * 60_000 }),
          signedByPeer('POST', incoming(sku), body, { key: randomBytes(48) }),
          signedByPeer('POST', incoming(sku), body, { fromCell: 'intruder' }),
          signedByPeer('POST', incoming(sku), body, { toCell: 'elsewhere' }),
        ];
        for (const headers of attempts) {
          const response = await call('POST', incoming(sku), asAdmin({ headers, body }));
          expect({ status: response.status, code: response.body.code }).toEqual({
            status: 401,
            code: 'peer_auth_failed',
          });
        }
        expect(await allocationOf(sku)).toBe(before);
      });

      it('accepts a signed call once: the same request replayed is refused', async () => {
        const sku = uniqueSku();
        const before = await allocationOf(sku);
        const body = delivery(`replayed-${Date.now()}`);
        const headers = signedByPeer('POST', incoming(sku), body);
        const first = await call('POST', incoming(sku), asAdmin({ headers, body }));
        expect(first.status).toBe(200);
        expect(await allocationOf(sku)).toBe(before + 7);
        const replayed = await call('POST', incoming(sku), asAdmin({ headers, body }));
        expect({ status: replayed.status, code: replayed.body.code }).toEqual({
          status: 401,
          code: 'peer_auth_failed',
        });
        expect(replayed.body.error).toContain('replay');
        expect(await allocationOf(sku)).toBe(before + 7);
      });
    });
  });
}

/**
 * ADR 17's canonical form, written out here independently of the code under test, so a change
 * of the wire format fails this suite.
 */
function peerSignature(
  parts: {
    fromCell: string;
    toCell: string;
    method: string;
    path: string;
    query: string;
    timestamp: string;
    nonce: string;
    body: string;
  },
  key: Buffer = Buffer.from(testPeerKey, 'base64'),
): string {
  const canonical = [
    'multicloud-peer-v1',
    parts.fromCell,
    parts.toCell,
    parts.method,
    parts.path,
    parts.query,
    parts.timestamp,
    parts.nonce,
    createHash('sha256').update(parts.body).digest('hex'),
  ].join('\n');
  return createHmac('sha256', key).update(canonical).digest('hex');
}

/** The `sub` of a bearer token (unverified: the test only reads what it sent). */
function subjectOf(authorization: string | string[] | undefined): string | undefined {
  const token = String(authorization ?? '').replace(/^Bearer /, '');
  const payload = token.split('.')[1];
  return payload
    ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: string }).sub
    : undefined;
}
