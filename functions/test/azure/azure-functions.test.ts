import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testAuthEnv } from '../support/auth.js';
import { testPeerEnv } from '../support/peer-key.js';
import {
  startEventHubsStandIn,
  type EventHubsStandIn,
} from '../../../stand-ins/src/event-hubs/index.js';
import {
  startNotificationHubsStandIn,
  type NotificationHubsStandIn,
} from '../../../stand-ins/src/notification-hubs/index.js';
import { createAzureCell, type AzureCell } from '../../src/azure/cell.js';
import { azureConfigFromEnv } from '../../src/azure/config.js';
import { invokeEventHubTrigger } from '../../src/azure/local-event-hub-trigger.js';
import { SettingsError } from '../../src/core/errors.js';
import { startAzuriteBlob, type AzuriteBlob } from '../../../stand-ins/src/azurite/index.js';
import {
  functionsEventHubRules,
  functionsNotificationHubRules,
} from '../support/azure-sas-rules.js';

const appSettings = (hubs: string, push: string, storage: string) => ({
  CELL_NAME: 'azure',
  PEER_CELL_NAME: 'aws',
  PEER_URL: 'http://127.0.0.1:9',
  APP_VERSION: '2.0.0',
  REGION_NAME: 'westeurope',
  DOCUMENTS_STORAGE_CONNECTION: storage,
  ORDER_EVENTS_CONNECTION: hubs,
  ORDER_EVENTS_HUB: 'order-events',
  NOTIFICATION_HUB_CONNECTION: push,
  NOTIFICATION_HUB_NAME: 'customers',
  ...testAuthEnv,
  ...testPeerEnv,
});

describe('Azure settings', () => {
  const valid = appSettings(
    'Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=abc=',
    'Endpoint=sb://shop-push.servicebus.windows.net/;SharedAccessKeyName=full;SharedAccessKey=def=',
    'DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=a2V5;EndpointSuffix=core.windows.net',
  );

  it('reads app settings, turning sb:// endpoints into https:// REST endpoints', () => {
    const config = azureConfigFromEnv(valid);
    expect(config).toMatchObject({
      cell: 'azure',
      region: 'westeurope',
      documentsContainer: 'documents',
      deadLetterContainer: 'order-events-dead-letters',
      orderEvents: { endpoint: 'https://shop.servicebus.windows.net/', keyName: 'send' },
      notificationHub: { endpoint: 'https://shop-push.servicebus.windows.net/', keyName: 'full' },
      orderEventsConsumerGroup: '$Default',
    });
  });

  it('registers the inventory lease timer only with leases on, on a schedule from INVENTORY_LEASE_RENEW_MS (ADR 25)', () => {
    expect(createAzureCell(azureConfigFromEnv(valid)).capture().timer).toEqual({});
    const minutes = createAzureCell(
      azureConfigFromEnv({ ...valid, INVENTORY_LEASE_MS: '180000' }),
    ).capture().timer;
    expect(minutes.renewInventoryLeases?.schedule).toBe('0 */1 * * * *');
    const seconds = createAzureCell(
      azureConfigFromEnv({
        ...valid,
        INVENTORY_LEASE_MS: '60000',
        INVENTORY_LEASE_RENEW_MS: '20000',
      }),
    ).capture().timer;
    expect(seconds.renewInventoryLeases?.schedule).toBe('*/20 * * * * *');
    expect(() => azureConfigFromEnv({ ...valid, INVENTORY_LEASE_MS: '10 s' })).toThrow(
      /INVENTORY_LEASE_MS is malformed/,
    );
  });

  it('registers the trigger on the consumer group the app setting names (Terraform creates one)', () => {
    const config = azureConfigFromEnv({
      ...valid,
      ORDER_EVENTS_CONSUMER_GROUP: 'order-events-consumer',
    });
    expect(config.orderEventsConsumerGroup).toBe('order-events-consumer');
    expect(createAzureCell(config).capture().eventHub.orderPlaced?.consumerGroup).toBe(
      'order-events-consumer',
    );
    expect(() =>
      azureConfigFromEnv({ ...valid, ORDER_EVENTS_CONSUMER_GROUP: 'no spaces' }),
    ).toThrow(/ORDER_EVENTS_CONSUMER_GROUP/);
  });

  it('registers the replication trigger on its own hub rule when REPLICATION_CONNECTION is set', () => {
    const replication =
      'Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=repl;SharedAccessKey=ghi=;EntityPath=replication';
    const withRule = azureConfigFromEnv({
      ...valid,
      REPLICATION_HUB: 'replication',
      REPLICATION_CONNECTION: replication,
      ORDER_EVENTS_CONSUMER_GROUP: 'order-events-consumer',
    });
    expect(withRule.replicationConnection).toMatchObject({
      keyName: 'repl',
      entityPath: 'replication',
    });
    // The consumer group Terraform creates on the replication hub under the same name.
    expect(createAzureCell(withRule).capture().eventHub.replicate).toMatchObject({
      connection: 'REPLICATION_CONNECTION',
      eventHubName: '%REPLICATION_HUB%',
      consumerGroup: 'order-events-consumer',
      retry: { maxRetryCount: -1 },
    });
    // Without it (the sandbox), the namespace's order-events connection.
    const shared = azureConfigFromEnv({ ...valid, REPLICATION_HUB: 'replication' });
    expect(createAzureCell(shared).capture().eventHub.replicate?.connection).toBe(
      'ORDER_EVENTS_CONNECTION',
    );
    expect(() =>
      azureConfigFromEnv({ ...valid, REPLICATION_HUB: 'replication', REPLICATION_CONNECTION: 'x' }),
    ).toThrow(/REPLICATION_CONNECTION/);
  });

  it('names every missing or malformed setting in one error', () => {
    const { NOTIFICATION_HUB_NAME: _name, ...partial } = valid;
    let error: unknown;
    try {
      azureConfigFromEnv({ ...partial, ORDER_EVENTS_CONNECTION: 'Endpoint=nope' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).settings).toEqual([
      'ORDER_EVENTS_CONNECTION',
      'NOTIFICATION_HUB_NAME',
    ]);
    expect((error as Error).message).toMatch(/NOTIFICATION_HUB_NAME is not set/);
  });

  it('fails the Functions entry point at cold start naming the missing setting', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { ...valid, REGION_NAME: '' });
    try {
      await expect(import('../../src/azure/functions-entry.js')).rejects.toThrow(
        /REGION_NAME is not set/,
      );
    } finally {
      process.env = saved;
    }
  });
});

describe('Azure Functions registrations and the Event Hubs consumer', () => {
  let azurite: AzuriteBlob;
  let hubs: EventHubsStandIn;
  let push: NotificationHubsStandIn;
  let cell: AzureCell;
  const logs: string[] = [];

  beforeAll(async () => {
    azurite = await startAzuriteBlob();
    hubs = await startEventHubsStandIn({
      hubs: { 'order-events': { partitionCount: 1 } },
      keys: functionsEventHubRules(),
    });
    push = await startNotificationHubsStandIn({
      hubs: ['customers'],
      keys: functionsNotificationHubRules(),
    });
    cell = createAzureCell(
      azureConfigFromEnv({
        ...appSettings(hubs.connectionString, push.connectionString, azurite.connectionString),
        DOCUMENTS_CONTAINER: 'docs-registrations',
      }),
      { retryDelayMs: 5 },
    );
    await cell.ensureContainers();
  });

  afterAll(async () => {
    await push?.close();
    await hubs?.close();
    await azurite?.stop();
  });

  it('registers one catch-all HTTP function and an Event Hubs trigger with cardinality many', () => {
    const functions = cell.capture();
    expect(Object.keys(functions.http)).toEqual(['api']);
    expect(functions.http.api).toMatchObject({ route: '{*path}', authLevel: 'anonymous' });
    expect(functions.http.api?.methods).toEqual(
      expect.arrayContaining(['GET', 'PUT', 'POST', 'DELETE']),
    );
    expect(functions.eventHub.orderPlaced).toMatchObject({
      connection: 'ORDER_EVENTS_CONNECTION',
      eventHubName: '%ORDER_EVENTS_HUB%',
      cardinality: 'many',
    });
  });

  async function placeOrder(key: string) {
    await cell.app.inventory.setAllocation(
      'MUG',
      (await cell.app.inventory.get('MUG')).reserved + 5,
    );
    return cell.app.orders.place({
      idempotencyKey: key,
      customerId: 'cust-retry',
      items: [{ sku: 'MUG', quantity: 1 }],
      source: { kind: 'api' },
    });
  }

  async function deliver() {
    for (const batch of hubs.receive('order-events')) {
      await invokeEventHubTrigger({
        handler: cell.capture().eventHub.orderPlaced?.handler as never,
        functionName: 'orderPlaced',
        eventHubName: 'order-events',
        partitionId: batch.partitionId,
        events: batch.events,
        logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
      });
    }
  }

  it('retries a transient failure in process, then succeeds without parking', async () => {
    const placed = await placeOrder(`transient-${Date.now()}`);
    const fault = push.server.injectFault({
      method: 'POST',
      path: '/customers/messages/',
      status: 503,
      times: 1,
    });
    await deliver();
    expect(fault.hits).toBe(1);
    expect((await cell.app.orders.get(placed.order.id, 'cust-retry')).status).toBe('confirmed');
    expect(
      (await cell.deadLetters.list()).filter((parked) => parked.body.includes(placed.order.id)),
    ).toEqual([]);
  });

  it('parks an event that keeps failing after its attempts, with the reason, and loses nothing', async () => {
    const placed = await placeOrder(`persistent-${Date.now()}`);
    push.server.injectFault({
      method: 'POST',
      path: '/customers/messages/',
      status: 500,
      times: Infinity,
    });
    try {
      await deliver();
    } finally {
      push.server.clearFaults();
    }
    const parked = (await cell.deadLetters.list()).filter((entry) =>
      entry.body.includes(placed.order.id),
    );
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({
      hub: 'order-events',
      partitionId: '0',
      attempts: 3,
      poison: false,
      cell: 'azure',
    });
    expect(parked[0]?.reason).toMatch(/Notification Hubs send to customers failed: HTTP 500/);
    expect((await cell.app.orders.get(placed.order.id, 'cust-retry')).status).toBe('placed');
    expect(logs.some((line) => line.includes('parked in order-events-dead-letters/'))).toBe(true);
  });

  it('publishes with the SAS-signed REST send API and the order id as partition key', async () => {
    const placed = await placeOrder(`partition-${Date.now()}`);
    const sent = hubs.events('order-events').find((event) => event.body.includes(placed.order.id));
    expect(sent).toMatchObject({
      partitionKey: placed.order.id,
      properties: { 'event-type': 'order.placed' },
    });
    expect(hubs.server.requests.at(-1)?.headers.authorization).toMatch(
      /^SharedAccessSignature sr=/,
    );
  });
});
