import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import {
  startNotificationHubsStandIn,
  type NotificationHubsStandIn,
} from '../../src/notification-hubs/index.js';

describe('Notification Hubs stand-in (REST send API)', () => {
  let push: NotificationHubsStandIn;
  const key = 'bm90aWZpY2F0aW9uLWtleQ==';
  const fullKey = 'ZnVsbC1ub3RpZmljYXRpb24ta2V5';
  const listenKey = 'bGlzdGVuLW5vdGlmaWNhdGlvbi1rZXk=';
  let auth: string;
  const sas = (keyName: string, keyValue: string) => {
    const sr = encodeURIComponent(`${push.url}/customers`.toLowerCase());
    const se = Math.floor(Date.now() / 1000) + 600;
    const sig = createHmac('sha256', keyValue).update(`${sr}\n${se}`).digest('base64');
    return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}&skn=${keyName}`;
  };

  beforeAll(async () => {
    push = await startNotificationHubsStandIn({
      hubs: ['customers'],
      // As the azure-cell module grants the functions: Send only.
      keys: {
        send: { key, rights: ['Send'] },
        full: fullKey,
        listen: { key: listenKey, rights: ['Listen'] },
      },
    });
    auth = sas('send', key);
  });

  afterAll(async () => {
    await push?.close();
  });

  const send = (body: string, headers: Record<string, string>, query = '?api-version=2015-01') =>
    fetch(`${push.url}/customers/messages/${query}`, {
      method: 'POST',
      headers: {
        authorization: auth,
        'content-type': 'application/json;charset=utf-8',
        ...headers,
      },
      body,
    });

  it('records a template notification for a tag and answers 201 with its Location', async () => {
    const response = await send('{"title":"Order confirmed","orderId":"azure-o1"}', {
      'servicebusnotification-format': 'template',
      'servicebusnotification-tags': 'customer:c-1',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toMatch(
      /\/customers\/messages\/[0-9a-f-]+\?api-version=2015-04$/,
    );
    expect(push.notifications('customers')).toEqual([
      expect.objectContaining({
        format: 'template',
        tags: 'customer:c-1',
        body: '{"title":"Order confirmed","orderId":"azure-o1"}',
      }),
    ]);
  });

  it('refuses what Notification Hubs refuses', async () => {
    const template = { 'servicebusnotification-format': 'template' };
    expect((await send('{"n":1}', template)).status).toBe(400);
    expect((await send('not json', template)).status).toBe(400);
    expect((await send('{"a":"b"}', {})).status).toBe(400);
    expect((await send('{"a":"b"}', template, '')).status).toBe(400);
    expect(
      (await send('{"a":"b"}', { ...template, authorization: 'SharedAccessSignature sr=x' }))
        .status,
    ).toBe(401);
    const listenOnly = await send('{"a":"b"}', {
      ...template,
      authorization: sas('listen', listenKey),
    });
    expect(listenOnly.status).toBe(401);
    expect(await listenOnly.text()).toContain("'Send' claim(s) are required");
    expect(push.notifications('customers')).toHaveLength(1);
  });

  it('describes the hub only to a Manage rule, as Azure does', async () => {
    const describe = (authorization: string) =>
      fetch(`${push.url}/customers?api-version=2015-01`, { headers: { authorization } });
    const refused = await describe(auth);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('Manage,EntityRead claims required');
    const description = await describe(sas('full', fullKey));
    expect(description.status).toBe(200);
    expect(await description.text()).toContain('<title type="text">customers</title>');
  });
});
