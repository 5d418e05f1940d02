import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  json,
  startStandInServer,
  type StandInServer,
} from '../../../stand-ins/src/http/server.js';
import type { CellHarness, HarnessFactory } from './harness.js';

/**
 * The behavioural suite every adapter set must pass: the same requests, the same answers,
 * the same invariants, whichever cloud the cell runs on.
 */
export function describeCellBehaviour(title: string, factory: HarnessFactory): void {
  describe(title, () => {
    let peer: StandInServer;
    let cell: CellHarness;

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
      cell = await factory({ url: peer.url, timeoutMs: 400 });
    });

    afterAll(async () => {
      await cell?.close();
      await peer?.close();
    });

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
      const current = await cell.request('GET', `/inventory/${sku}`);
      const response = await cell.request('PUT', `/inventory/${sku}`, {
        body: { allocation: current.body.reserved + allocation },
      });
      expect(response.status).toBe(200);
      return response.body as { reserved: number; available: number };
    }

    describe('health and routing', () => {
      it('GET /health reports cloud, region, version and passing dependency checks', async () => {
        const response = await cell.request('GET', '/health');
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

      it('answers an unknown route with a JSON 404 and a wrong method with 405', async () => {
        const missing = await cell.request('GET', '/nowhere');
        expect(missing.status).toBe(404);
        expect(missing.body.code).toBe('route_not_found');
        const wrongMethod = await cell.request('PATCH', '/orders');
        expect(wrongMethod.status).toBe(405);
        expect(wrongMethod.headers.allow).toBe('POST');
      });
    });

    describe('cart', () => {
      it('creates a cart, sets and removes items, and keeps the ETag honest', async () => {
        const created = await cell.request('POST', '/carts');
        expect(created.status).toBe(201);
        const id = created.body.id as string;
        expect(id.startsWith(`${cell.cell}-`)).toBe(true);

        const put = await cell.request('PUT', `/carts/${id}/items/MUG`, { body: { quantity: 2 } });
        expect(put.status).toBe(200);
        expect(put.body.items).toEqual([{ sku: 'MUG', quantity: 2 }]);
        expect(put.body.totalCents).toBe(1800);

        const second = await cell.request('PUT', `/carts/${id}/items/HOODIE`, {
          body: { quantity: 1 },
          base64: true,
        });
        expect(second.status).toBe(200);
        expect(second.body.items).toEqual([
          { sku: 'HOODIE', quantity: 1 },
          { sku: 'MUG', quantity: 2 },
        ]);

        const stale = await cell.request('PUT', `/carts/${id}/items/MUG`, {
          body: { quantity: 5 },
          headers: { 'if-match': put.headers.etag as string },
        });
        expect(stale.status).toBe(412);
        expect(stale.body.field).toBe('If-Match');

        const fresh = await cell.request('DELETE', `/carts/${id}/items/HOODIE`, {
          headers: { 'if-match': second.headers.etag as string },
        });
        expect(fresh.status).toBe(200);
        expect(fresh.body.items).toEqual([{ sku: 'MUG', quantity: 2 }]);

        const read = await cell.request('GET', `/carts/${id}`);
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
          ['POST', `/carts/${id}/checkout`, { customerId: '' }, 'customerId'],
          ['PUT', '/inventory/MUG', { allocation: -1 }, 'allocation'],
          ['POST', '/inventory/MUG/reserve', { quantity: 0 }, 'quantity'],
          ['GET', '/inventory/UNKNOWN', undefined, 'sku'],
        ];
        for (const [method, path, body, field] of cases) {
          const response = await cell.request(method, path, { body });
          expect({ method, path, status: response.status, field: response.body.field }).toEqual({
            method,
            path,
            status: 400,
            field,
          });
          expect(typeof response.body.error).toBe('string');
        }
        expect((await cell.request('GET', `/carts/${id}`)).status).toBe(404);
      });

      it('checks a cart out into exactly one order and closes it', async () => {
        const sku = uniqueSku();
        await setStock(sku, 5);
        const id = (await cell.request('POST', '/carts')).body.id as string;
        await cell.request('PUT', `/carts/${id}/items/${sku}`, { body: { quantity: 2 } });

        const first = await cell.request('POST', `/carts/${id}/checkout`, {
          body: { customerId: 'cust-1' },
        });
        expect(first.status).toBe(201);
        expect(first.body).toMatchObject({
          status: 'placed',
          customerId: 'cust-1',
          items: [{ sku, quantity: 2 }],
          source: { kind: 'cart', cartId: id },
        });
        const again = await cell.request('POST', `/carts/${id}/checkout`, {
          body: { customerId: 'cust-1' },
        });
        expect(again.status).toBe(200);
        expect(again.body.id).toBe(first.body.id);

        const closed = await cell.request('GET', `/carts/${id}`);
        expect(closed.body).toMatchObject({ status: 'checked-out', orderId: first.body.id });
        const change = await cell.request('PUT', `/carts/${id}/items/${sku}`, {
          body: { quantity: 1 },
        });
        expect(change.status).toBe(409);
        expect(change.body.code).toBe('cart_checked_out');

        const short = uniqueSku();
        await setStock(short, 1);
        const second = (await cell.request('POST', '/carts')).body.id as string;
        await cell.request('PUT', `/carts/${second}/items/${short}`, { body: { quantity: 2 } });
        const refused = await cell.request('POST', `/carts/${second}/checkout`, {
          body: { customerId: 'cust-2' },
        });
        expect(refused.status).toBe(409);
        expect(refused.body).toMatchObject({
          code: 'insufficient_stock',
          field: 'items[0].quantity',
        });
        expect((await cell.request('GET', `/carts/${second}`)).body.status).toBe('open');
        await cell.request('PUT', `/carts/${second}/items/${short}`, { body: { quantity: 1 } });
        const accepted = await cell.request('POST', `/carts/${second}/checkout`, {
          body: { customerId: 'cust-2' },
        });
        expect(accepted.status).toBe(201);

        const empty = (await cell.request('POST', '/carts')).body.id as string;
        const nothing = await cell.request('POST', `/carts/${empty}/checkout`, {
          body: { customerId: 'c' },
        });
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
            cell.request('POST', `/inventory/${sku}/reserve`, { body: { quantity: 1 } }),
          ),
        );
        const statuses = responses.map((response) => response.status);
        expect(statuses.filter((status) => status === 200)).toHaveLength(10);
        expect(statuses.filter((status) => status === 409)).toHaveLength(40);
        for (const response of responses.filter((r) => r.status === 409)) {
          expect(response.body).toMatchObject({ code: 'insufficient_stock', field: 'quantity' });
        }
        const after = await cell.request('GET', `/inventory/${sku}`);
        expect(after.body.reserved).toBe(before.reserved + 10);
        expect(after.body.available).toBe(0);
      });

      it('sets the allocation with If-Match and answers 412 to a stale ETag', async () => {
        const sku = uniqueSku();
        await setStock(sku, 3);
        const read = await cell.request('GET', `/inventory/${sku}`);
        expect(read.headers.etag).toBeDefined();
        const update = await cell.request('PUT', `/inventory/${sku}`, {
          body: { allocation: read.body.allocation + 1 },
          headers: { 'if-match': read.headers.etag as string },
        });
        expect(update.status).toBe(200);
        const stale = await cell.request('PUT', `/inventory/${sku}`, {
          body: { allocation: 1000 },
          headers: { 'if-match': read.headers.etag as string },
        });
        expect(stale.status).toBe(412);
        expect((await cell.request('GET', `/inventory/${sku}`)).body.allocation).toBe(
          read.body.allocation + 1,
        );

        const released = await cell.request('POST', `/inventory/${sku}/release`, {
          body: { quantity: 1_000 },
        });
        expect(released.status).toBe(409);
        expect(released.body.code).toBe('release_exceeds_reserved');
      });
    });

    describe('orders', () => {
      it('requires an Idempotency-Key', async () => {
        const response = await cell.request('POST', '/orders', {
          body: { customerId: 'c', items: [{ sku: 'MUG', quantity: 1 }] },
        });
        expect(response.status).toBe(400);
        expect(response.body.field).toBe('Idempotency-Key');
        const badItems = await cell.request('POST', '/orders', {
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

      it('20 parallel POST /orders with one Idempotency-Key create one order', async () => {
        const sku = uniqueSku();
        const before = await setStock(sku, 50);
        const key = `key-${cell.cloud}-${Date.now()}`;
        const responses = await Promise.all(
          Array.from({ length: 20 }, () =>
            cell.request('POST', '/orders', {
              headers: { 'idempotency-key': key },
              body: { customerId: 'cust-20', items: [{ sku, quantity: 3 }] },
            }),
          ),
        );
        const ids = new Set(responses.map((response) => response.body.id as string));
        expect(ids.size).toBe(1);
        expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
        expect(responses.filter((response) => response.status === 200)).toHaveLength(19);
        const [id] = [...ids] as [string];
        expect(id.startsWith(`${cell.cell}-`)).toBe(true);

        // Every loser gave its reservation back: exactly one order's worth is reserved.
        const after = await cell.request('GET', `/inventory/${sku}`);
        expect(after.body.reserved).toBe(before.reserved + 3);

        const read = await cell.request('GET', `/orders/${id}`);
        expect(read.status).toBe(200);
        expect(read.body).toMatchObject({ id, status: 'placed', totalCents: expect.any(Number) });

        const reused = await cell.request('POST', '/orders', {
          headers: { 'idempotency-key': key },
          body: { customerId: 'cust-20', items: [{ sku, quantity: 4 }] },
        });
        expect(reused.status).toBe(422);
        expect(reused.body.field).toBe('Idempotency-Key');
      });

      it('refuses an order beyond the stock and leaves no reservation behind', async () => {
        const first = uniqueSku();
        const second = uniqueSku();
        const firstBefore = await setStock(first, 5);
        await setStock(second, 1);
        const response = await cell.request('POST', '/orders', {
          headers: { 'idempotency-key': `too-many-${cell.cloud}-${Date.now()}` },
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
        const firstAfter = await cell.request('GET', `/inventory/${first}`);
        expect(firstAfter.body.reserved).toBe(firstBefore.reserved);
      });

      it('GET /orders/{id} of an unknown order is 404', async () => {
        const response = await cell.request('GET', `/orders/${cell.cell}-nothing`);
        expect(response.status).toBe(404);
      });
    });

    describe('order.placed events', () => {
      it('confirms placed orders and notifies the customer', async () => {
        const sku = uniqueSku();
        await setStock(sku, 5);
        const placed = await cell.request('POST', '/orders', {
          headers: { 'idempotency-key': `confirm-${cell.cloud}-${Date.now()}` },
          body: { customerId: 'cust-confirm', items: [{ sku, quantity: 1 }] },
        });
        expect(placed.status).toBe(201);
        await cell.deliverOrderEvents();
        const read = await cell.request('GET', `/orders/${placed.body.id}`);
        expect(read.body.status).toBe('confirmed');
        expect(await cell.notifications()).toContainEqual({
          customerId: 'cust-confirm',
          orderId: placed.body.id,
        });
        const health = await cell.request('GET', '/health');
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
          const placed = await cell.request('POST', '/orders', {
            headers: { 'idempotency-key': `batch-${cell.cloud}-${index}-${Date.now()}` },
            body: { customerId: `cust-batch-${index}`, items: [{ sku, quantity: 1 }] },
          });
          expect(placed.status).toBe(201);
          orders.push(placed.body.id as string);
        }
        await cell.queueRawEvent('not json at all');
        await cell.deliverOrderEvents();

        for (const id of orders) {
          expect((await cell.request('GET', `/orders/${id}`)).body.status).toBe('confirmed');
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
        const key = `outage-${cell.cloud}-${Date.now()}`;
        const order = { customerId: 'cust-outage', items: [{ sku, quantity: 1 }] };
        const restore = await cell.injectOutage('events');
        let orderId: string;
        try {
          const failed = await cell.request('POST', '/orders', {
            headers: { 'idempotency-key': key },
            body: order,
          });
          expect(failed.status).toBe(503);
          expect(failed.body.code).toBe('event_not_queued');
          expect(failed.headers['retry-after']).toBe('1');
          orderId = failed.body.orderId as string;
          const health = await cell.request('GET', '/health');
          expect(health.status).toBe(503);
          expect(health.body).toMatchObject({
            status: 'degraded',
            checks: { events: { status: 'failing' } },
          });
        } finally {
          restore();
        }
        expect((await cell.request('GET', `/orders/${orderId}`)).body.status).toBe('placed');
        const retried = await cell.request('POST', '/orders', {
          headers: { 'idempotency-key': key },
          body: order,
        });
        expect(retried.status).toBe(200);
        expect(retried.body.id).toBe(orderId);
        await cell.deliverOrderEvents();
        expect((await cell.request('GET', `/orders/${orderId}`)).body.status).toBe('confirmed');
        expect((await cell.request('GET', '/health')).status).toBe(200);
      });

      it('reports a notifier outage in /health, and recovers once notifications go through', async () => {
        const sku = uniqueSku();
        await setStock(sku, 5);
        const place = (key: string) =>
          cell.request('POST', '/orders', {
            headers: { 'idempotency-key': `${key}-${cell.cloud}-${Date.now()}` },
            body: { customerId: 'cust-push-outage', items: [{ sku, quantity: 1 }] },
          });
        const restore = await cell.injectOutage('notifications');
        try {
          expect((await place('push-outage')).status).toBe(201);
          // The consumer's notify fails: retried, then dead-lettered, never lost.
          await cell.deliverOrderEvents();
          const health = await cell.request('GET', '/health');
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
        const healthy = await cell.request('GET', '/health');
        expect(healthy.status).toBe(200);
        expect(healthy.body.checks.notifications.status).toBe('ok');
      });

      it('answers 503 naming the store when it is down, never a 500 or a 4xx', async () => {
        const restore = await cell.injectOutage('documents');
        try {
          const read = await cell.request('GET', `/carts/${cell.cell}-during-outage`);
          expect(read.status).toBe(503);
          expect(read.body).toMatchObject({
            code: 'dependency_unavailable',
            dependency: 'documents',
          });
          expect(read.headers['retry-after']).toBe('1');
          const health = await cell.request('GET', '/health');
          expect(health.status).toBe(503);
          expect(health.body.checks.documents.status).toBe('failing');
          // Validation still comes first: a bad request is a 400 even while the store is down.
          const bad = await cell.request('PUT', `/carts/${cell.cell}-x/items/MUG`, {
            body: { quantity: 0 },
          });
          expect(bad.status).toBe(400);
        } finally {
          restore();
        }
        expect((await cell.request('GET', '/health')).status).toBe(200);
      });
    });

    describe('cells', () => {
      it("forwards the peer cell's cart and order requests to the peer URL", async () => {
        peer.clearRequests();
        const cart = await cell.request('PUT', `/carts/${cell.peerCell}-abc/items/MUG`, {
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
        const order = await cell.request('GET', `/orders/${cell.peerCell}-o123`);
        expect(order.body).toMatchObject({
          servedBy: 'peer',
          path: `/orders/${cell.peerCell}-o123`,
        });
        expect(peer.requests.map((request) => request.headers['x-forwarded-from-cell'])).toEqual([
          cell.cell,
          cell.cell,
        ]);
      });

      it('answers 504 when the peer is too slow and 502 when it is unreachable', async () => {
        peer.injectFault({ path: '/orders/*', delayMs: 1500 });
        const slow = await cell.request('GET', `/orders/${cell.peerCell}-slow`);
        expect(slow.status).toBe(504);
        expect(slow.body.code).toBe('peer_timeout');
        peer.injectFault({ path: '/orders/*', drop: true });
        const down = await cell.request('GET', `/orders/${cell.peerCell}-down`);
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
        const down = await cell.request('POST', `/inventory/${sku}/transfers`, { body: transfer });
        expect(down.status).toBe(502);
        expect(down.body).toMatchObject({ code: 'transfer_pending', transferId });
        expect((await cell.request('GET', `/inventory/${sku}`)).body.available).toBe(
          before.available - 4,
        );
        peer.clearFaults();

        const delivered = await cell.request('POST', `/inventory/${sku}/transfers`, {
          body: transfer,
        });
        expect(delivered.status).toBe(200);
        expect(delivered.body).toMatchObject({ transferId, quantity: 4, to: { servedBy: 'peer' } });
        expect((await cell.request('GET', `/inventory/${sku}`)).body.available).toBe(
          before.available - 4,
        );
        const sent = peer.requests.filter((request) =>
          request.path.endsWith('/incoming-transfers'),
        );
        expect(JSON.parse(sent.at(-1)?.body ?? '{}')).toEqual({
          transferId,
          fromCell: cell.cell,
          quantity: 4,
        });
        expect(sent.at(-1)?.headers['x-forwarded-from-cell']).toBe(cell.cell);

        const reused = await cell.request('POST', `/inventory/${sku}/transfers`, {
          body: { ...transfer, quantity: 5 },
        });
        expect({ status: reused.status, field: reused.body.field }).toEqual({
          status: 422,
          field: 'transferId',
        });
        const tooMany = await cell.request('POST', `/inventory/${sku}/transfers`, {
          body: { ...transfer, transferId: `${transferId}-2`, quantity: 1000 },
        });
        expect(tooMany.body).toMatchObject({ code: 'insufficient_stock', field: 'quantity' });
        const toSelf = await cell.request('POST', `/inventory/${sku}/transfers`, {
          body: { ...transfer, toCell: cell.cell },
        });
        expect({ status: toSelf.status, field: toSelf.body.field }).toEqual({
          status: 400,
          field: 'toCell',
        });
        const notFromPeer = await cell.request('POST', `/inventory/${sku}/incoming-transfers`, {
          body: { transferId: 'x', fromCell: cell.peerCell, quantity: 1 },
        });
        expect(notFromPeer.status).toBe(403);
      });

      it('never forwards a request that was already forwarded (508)', async () => {
        const response = await cell.request('GET', `/carts/${cell.peerCell}-loop`, {
          headers: { 'x-forwarded-from-cell': cell.peerCell },
        });
        expect(response.status).toBe(508);
      });
    });
  });
}
