import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { startEventHubsStandIn, type EventHubsStandIn } from '../../src/event-hubs/index.js';

function sas(
  resource: string,
  keyName: string,
  key: string,
  expiry = Math.floor(Date.now() / 1000) + 600,
) {
  const sr = encodeURIComponent(resource.toLowerCase());
  const sig = createHmac('sha256', key).update(`${sr}\n${expiry}`).digest('base64');
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${expiry}&skn=${keyName}`;
}

describe('Event Hubs stand-in (REST send API)', () => {
  let hubs: EventHubsStandIn;
  const key = 'c2VjcmV0LWtleS1mb3ItdGVzdHM=';
  const manageKey = 'bWFuYWdlLWtleS1mb3ItdGVzdHM=';
  const listenKey = 'bGlzdGVuLWtleS1mb3ItdGVzdHM=';
  let auth: string;

  beforeAll(async () => {
    hubs = await startEventHubsStandIn({
      hubs: { orders: { partitionCount: 4 } },
      // As the azure-cell module grants the functions: Send and Listen, no Manage.
      keys: {
        send: { key, rights: ['Send', 'Listen'] },
        root: manageKey,
        listen: { key: listenKey, rights: ['Listen'] },
      },
    });
    auth = sas(`${hubs.url}/orders`, 'send', key);
  });

  afterAll(async () => {
    await hubs?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${hubs.url}${path}?timeout=60&api-version=2014-01`, {
      method: 'POST',
      headers: {
        authorization: auth,
        'content-type': 'application/atom+xml;type=entry;charset=utf-8',
        ...headers,
      },
      body,
    });

  it('accepts a signed event (201) and keeps one partition key in one partition', async () => {
    for (let index = 0; index < 6; index += 1) {
      const response = await post('/orders/messages', `{"n":${index}}`, {
        brokerproperties: '{"PartitionKey":"order-1"}',
        'event-type': 'order.placed',
      });
      expect(response.status).toBe(201);
    }
    const sent = hubs.events('orders').filter((event) => event.partitionKey === 'order-1');
    expect(sent).toHaveLength(6);
    expect(new Set(sent.map((event) => event.partitionId)).size).toBe(1);
    expect(sent.map((event) => event.sequenceNumber)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sent[0]?.properties['event-type']).toBe('order.placed');
  });

  it('accepts a JSON batch and sends to an explicit partition', async () => {
    const batch = await post(
      '/orders/messages',
      JSON.stringify([
        { Body: 'a', UserProperties: { kind: 'x' } },
        { Body: 'b', BrokerProperties: { PartitionKey: 'k' } },
      ]),
      { 'content-type': 'application/vnd.microsoft.servicebus.json' },
    );
    expect(batch.status).toBe(201);
    expect(hubs.events('orders').filter((event) => ['a', 'b'].includes(event.body))).toHaveLength(
      2,
    );
    expect((await post('/orders/partitions/3/messages', 'p3')).status).toBe(201);
    expect(hubs.events('orders').find((event) => event.body === 'p3')?.partitionId).toBe('3');
    expect((await post('/orders/partitions/9/messages', 'nope')).status).toBe(404);
  });

  it('refuses a missing, forged, expired or foreign-audience token with 401 and the reason', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ authorization: '' }, /MissingToken/],
      [{ authorization: sas(`${hubs.url}/orders`, 'send', 'd3Jvbmc=') }, /InvalidSignature/],
      [{ authorization: sas(`${hubs.url}/orders`, 'send', key, 1000) }, /ExpiredToken/],
      [{ authorization: sas(`${hubs.url}/other`, 'send', key) }, /InvalidAudience/],
      [{ authorization: sas(`${hubs.url}/orders`, 'other', key) }, /unknown SharedAccessKeyName/],
      [
        { authorization: sas(`${hubs.url}/orders`, 'listen', listenKey) },
        /'Send' claim\(s\) are required/,
      ],
    ];
    for (const [headers, reason] of cases) {
      const response = await post('/orders/messages', 'x', headers);
      expect(response.status).toBe(401);
      expect(await response.text()).toMatch(reason);
    }
    expect((await post('/missing/messages', 'x')).status).toBe(404);
  });

  it('describes the hub only to a Manage rule, as Azure does', async () => {
    const describe = (authorization: string) =>
      fetch(`${hubs.url}/orders?api-version=2014-01`, { headers: { authorization } });
    const refused = await describe(auth);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('Manage,EntityRead claims required');
    const description = await describe(sas(`${hubs.url}/orders`, 'root', manageKey));
    expect(description.status).toBe(200);
    expect(await description.text()).toContain('<PartitionCount>4</PartitionCount>');
  });

  it('hands out events per partition once, like a checkpointing trigger', () => {
    const first = hubs.receive('orders');
    expect(first.flatMap((batch) => batch.events)).toHaveLength(hubs.events('orders').length);
    expect(hubs.receive('orders')).toEqual([]);
  });
});
