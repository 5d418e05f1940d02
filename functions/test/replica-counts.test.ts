// GET /replicas: what a cell's store holds, by home cell, from the store's own listing (the
// dashboard's "AWS holds N of Azure's carts").
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { OidcIssuer } from '../../stand-ins/src/oidc-issuer/index.js';
import type { CartDocument } from '../src/core/cart-service.js';
import { createCellApp, type CellApp } from '../src/core/cell-app.js';
import type { CoreResponse } from '../src/core/http-types.js';
import { signPeerRequest } from '../src/core/peer-auth.js';
import {
  MemoryDocumentStore,
  MemoryEventQueue,
  MemoryNotifier,
} from '../src/memory/memory-adapters.js';
import { authSettingsOf, bearer, startTestIssuer } from './support/auth.js';
import { testPeerSettings } from './support/peer-key.js';

describe('GET /replicas: carts and orders held, by home cell', () => {
  const peer = testPeerSettings('azure', 'http://127.0.0.1:9', 100);
  const documents = new MemoryDocumentStore();
  let issuer: OidcIssuer;
  let app: CellApp;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    app = createCellApp({
      identity: { cell: 'aws', cloud: 'aws', region: 'local', version: '1.0.0' },
      peer,
      auth: authSettingsOf(issuer),
      ports: {
        documents,
        events: new MemoryEventQueue(),
        notifier: new MemoryNotifier(),
        replication: new MemoryEventQueue(),
      },
      logError: () => {},
    });
  });
  afterAll(() => issuer?.close());

  const call = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<CoreResponse> =>
    app.handleHttp({
      method,
      path,
      query: new URLSearchParams(),
      headers,
      ...(body ? { body } : {}),
    });

  /** The peer's copy of a document, as its replication function sends it (signed). */
  async function replicate(kind: 'carts' | 'orders', id: string): Promise<void> {
    const path = `/replicas/${kind}/${id}`;
    const document: Partial<CartDocument> = {
      id,
      cell: 'azure',
      customerId: 'carol',
      items: [],
      lines: {},
      status: 'open',
      createdAt: '2026-12-05T09:00:00.000Z',
      updatedAt: '2026-12-05T09:00:00.000Z',
    };
    const body = JSON.stringify(document);
    const headers = signPeerRequest(
      peer.auth,
      { fromCell: 'azure', toCell: 'aws', method: 'PUT', path, query: '' },
      body,
      new Date(),
    );
    const response = await call('PUT', path, headers, body);
    expect(response.status).toBe(200);
  }

  it('counts this cell own documents and the peer replicas it holds, nothing else', async () => {
    for (const id of ['azure-c1', 'azure-c2', 'azure-c3']) await replicate('carts', id);
    await replicate('orders', 'azure-o1');
    const customer = bearer(issuer.customerToken('dave'));
    for (let i = 0; i < 2; i++) expect((await call('POST', '/carts', customer)).status).toBe(201);
    // Neither a cart nor an order: never counted.
    await documents.createIfAbsent('inventory/MUG', { sku: 'MUG' });
    await documents.createIfAbsent('peer-nonces/azure/n1', {});

    const counted = await call('GET', '/replicas', bearer(issuer.adminToken()));
    expect({ status: counted.status, body: JSON.parse(counted.body ?? '{}') }).toEqual({
      status: 200,
      body: {
        cell: 'aws',
        countedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        documents: { aws: { carts: 2, orders: 0 }, azure: { carts: 3, orders: 1 } },
      },
    });
  });

  it('is for the admin scope only: a customer gets 403, no token 401', async () => {
    const customer = await call('GET', '/replicas', bearer(issuer.customerToken('dave')));
    const anonymous = await call('GET', '/replicas', {});
    expect([customer.status, anonymous.status]).toEqual([403, 401]);
  });

  it('answers 503 naming the store when it cannot list', async () => {
    documents.outage = true;
    try {
      const response = await call('GET', '/replicas', bearer(issuer.adminToken()));
      expect(response.status).toBe(503);
      expect(JSON.parse(response.body ?? '{}')).toMatchObject({ dependency: 'documents' });
    } finally {
      documents.outage = false;
    }
  });
});
