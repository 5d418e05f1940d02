import { testPeerSettings } from './support/peer-key.js';
import { describe, expect, it } from '@jest/globals';
import { authSettingsOf, startTestIssuer } from './support/auth.js';
import { createCellApp } from '../src/core/cell-app.js';
import {
  MemoryDocumentStore,
  MemoryEventQueue,
  MemoryNotifier,
} from '../src/memory/memory-adapters.js';

/** A small deterministic generator, so a failure names the case that caused it. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return <T>(choices: readonly T[]): T => choices[Math.floor(next() * choices.length)] as T;
}

const methods = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const paths = [
  '/',
  '/health',
  '/carts',
  '/carts/mem-c1',
  '/carts/peer-c1x',
  '/carts/%E0%A4%A',
  '/carts/mem-c1/items/MUG',
  '/carts/mem-c1/items/NOPE',
  '/carts/mem-c1/items/%ZZ',
  '/carts/mem-c1/checkout',
  '/carts/../etc/passwd',
  '/carts//items/MUG',
  '/orders',
  '/orders/mem-o1',
  '/orders/x',
  '/inventory/MUG',
  '/inventory/mug',
  '/inventory/MUG/reserve',
  '/inventory/MUG/release',
  '/inventory/MUG/transfers',
  '/inventory/MUG/incoming-transfers',
  `/carts/mem-${'a'.repeat(200)}`,
];
const bodies = [
  undefined,
  '',
  ' ',
  'null',
  '[]',
  '"text"',
  '{',
  '{"quantity":1}',
  '{"quantity":-1}',
  '{"quantity":1e400}',
  '{"quantity":"1"}',
  '{"allocation":5}',
  '{"allocation":1.5}',
  '{"customerId":"c","items":[{"sku":"MUG","quantity":1}]}',
  '{"customerId":"c","items":[]}',
  '{"customerId":"c","items":[null]}',
  '{"customerId":{"$ne":1},"items":"MUG"}',
  '{"transferId":"t1","toCell":"peer","quantity":1}',
  '{"__proto__":{"quantity":1}}',
  '\u0000\u0001',
];
const headerSets: Record<string, string>[] = [
  {},
  { 'if-match': '"stale"' },
  { 'if-match': '*' },
  { 'idempotency-key': 'k-1' },
  { 'idempotency-key': 'bad key with spaces' },
  { 'idempotency-key': 'x'.repeat(500) },
  { 'x-forwarded-from-cell': 'peer' },
  { 'content-type': 'text/plain' },
];

describe('client mistakes', () => {
  it('never answer 500: 600 generated requests get a 2xx, a 4xx or a peer 5xx, always JSON', async () => {
    const errors: unknown[] = [];
    const issuer = await startTestIssuer();
    // Who calls: nobody, a customer, the admin, or someone with a token that must be refused;
    // valid tokens weigh more, so most requests get past authentication to the validation.
    const customer = `Bearer ${issuer.customerToken('c')}`;
    const admin = `Bearer ${issuer.adminToken()}`;
    const authorizations = [
      undefined,
      customer,
      customer,
      customer,
      admin,
      admin,
      admin,
      `Bearer ${issuer.forged('c', 'expired')}`,
      `Bearer ${issuer.forged('c', 'alg-none')}`,
      'Bearer ',
      'Token abc',
    ];
    const app = createCellApp({
      identity: { cell: 'mem', cloud: 'memory', region: 'local', version: 'test' },
      // No peer listens on port 9: forwarded requests end in 502, which is not a client mistake.
      peer: testPeerSettings('peer', 'http://127.0.0.1:9', 200),
      ports: {
        documents: new MemoryDocumentStore(),
        events: new MemoryEventQueue(),
        notifier: new MemoryNotifier(),
      },
      auth: authSettingsOf(issuer),
      logError: (_message, error) => errors.push(error),
    });
    await app.inventory.setAllocation('MUG', 3);
    const pick = generator(7);
    for (let index = 0; index < 600; index += 1) {
      const method = pick(methods);
      const path = pick(paths);
      const body = pick(bodies);
      const authorization = pick(authorizations);
      const headers = {
        ...pick(headerSets),
        ...(authorization === undefined ? {} : { authorization }),
      };
      const response = await app.handleHttp({
        method,
        path,
        query: new URLSearchParams(),
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const label = `${method} ${path} ${JSON.stringify(headers)} ${JSON.stringify(body)}`;
      // 502/504: the peer is down; 508: a request that claims to come from the peer for the
      // peer's own id (a forwarding loop). Neither is a 500.
      const allowed = response.status < 500 || [502, 504, 508].includes(response.status);
      expect({ label, allowed }).toEqual({ label, allowed: true });
      if (method !== 'HEAD') expect(() => JSON.parse(response.body)).not.toThrow();
      if (response.status === 400) expect(typeof JSON.parse(response.body).field).toBe('string');
    }
    expect(errors).toEqual([]);
    await issuer.close();
  });
});
