// The adapters in process, with the real SDKs against the stand-ins (the end-to-end tests run
// them through dist/; these cover paths those do not reach).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Route53Client } from '@aws-sdk/client-route-53';
import { CdnManagementClient } from '@azure/arm-cdn';
import {
  startFrontDoorStandIn,
  type FrontDoorStandIn,
} from '../../../../stand-ins/src/front-door/index.js';
import {
  startRoute53StandIn,
  type Route53StandIn,
} from '../../../../stand-ins/src/route53/index.js';
import { DEFAULT_RETRY_POLICY } from '../../src/rollout/retry.js';
import { FrontDoorRouter } from '../../src/routers/front-door-router.js';
import { Route53Router } from '../../src/routers/route53-router.js';

const signal = () => AbortSignal.timeout(10_000);
const OPTIONS = { policy: DEFAULT_RETRY_POLICY, pollIntervalMs: 10 };

describe('Route53Router', () => {
  let route53: Route53StandIn;
  let client: Route53Client;

  beforeAll(async () => {
    // 400 records sort before ours, so finding it takes a second page.
    const filler = Array.from({ length: 400 }, (_, index) => ({
      name: `a${String(index).padStart(3, '0')}.example.com`,
      type: 'A',
      ttl: 300,
      resourceRecords: ['192.0.2.1'],
    }));
    route53 = await startRoute53StandIn({
      zones: [
        {
          id: 'ZPAGED',
          name: 'example.com',
          recordSets: [
            ...filler,
            {
              name: 'app.example.com',
              type: 'A',
              setIdentifier: 'blue',
              weight: 0,
              aliasTarget: {
                hostedZoneId: 'Z2FDTNDATAQYW2',
                dnsName: 'd111.cloudfront.net',
                evaluateTargetHealth: false,
              },
            },
            {
              name: 'app.example.com',
              type: 'A',
              setIdentifier: 'green',
              weight: 0,
              aliasTarget: {
                hostedZoneId: 'Z2FDTNDATAQYW2',
                dnsName: 'd222.cloudfront.net',
                evaluateTargetHealth: true,
              },
            },
            { name: 'plain.example.com', type: 'A', ttl: 60, resourceRecords: ['192.0.2.9'] },
          ],
        },
        {
          id: 'ZSHARED',
          name: 'example.org',
          recordSets: ['aws', 'azure', 'maintenance'].map((id) => ({
            name: 'app.example.org',
            type: 'CNAME',
            setIdentifier: id,
            weight: id === 'maintenance' ? 5 : 50,
            ttl: 60,
            resourceRecords: [`${id}.example.net`],
          })),
        },
      ],
    });
    client = new Route53Client({
      endpoint: route53.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await route53.close();
  });

  it('reads all-zero weights as Route 53 does (an equal split) and keeps alias targets when writing', async () => {
    const router = new Route53Router(
      client,
      {
        hostedZoneId: 'ZPAGED',
        recordName: 'APP.example.com.',
        recordType: 'A',
        setIdentifiers: { aws: 'blue', azure: 'green' },
      },
      OPTIONS,
    );
    const reading = await router.read(signal());
    expect(reading.split).toEqual({ aws: 50, azure: 50 });
    expect(reading.warnings).toEqual([
      'every weight is 0, which Route 53 treats as an equal split',
    ]);
    const change = await router.apply({ aws: 30, azure: 70 }, signal());
    expect(change).toMatchObject({ status: 'INSYNC', writes: 1 });
    const sets = route53.recordSets('ZPAGED').filter((set) => set.name === 'app.example.com.');
    expect(
      sets.map((set) => [
        set.setIdentifier,
        set.weight,
        set.aliasTarget?.dnsName,
        set.aliasTarget?.evaluateTargetHealth,
      ]),
    ).toEqual([
      ['blue', 30, 'd111.cloudfront.net.', false],
      ['green', 70, 'd222.cloudfront.net.', true],
    ]);
    // Writing the split it holds is no call at all.
    const before = route53.requests.length;
    expect((await router.apply({ aws: 30, azure: 70 }, signal())).status).toBe('unchanged');
    expect(route53.requests.length).toBe(before);
    // Route 53 is never written all zeros: the restore puts back the equal split they meant.
    expect(reading.restoredAs).toBe('aws=50, azure=50 (weights of 255)');
    await router.restore(reading, signal());
    expect(route53.weights('ZPAGED', 'app.example.com', 'A')).toEqual({ blue: 50, green: 50 });
    expect(
      route53.changes.filter((batch) =>
        batch.changes.every((change) => change.recordSet.weight === 0),
      ),
    ).toEqual([]);
  });

  it('warns about other weighted records that share the name and type', async () => {
    const router = new Route53Router(
      client,
      {
        hostedZoneId: 'ZSHARED',
        recordName: 'app.example.org',
        recordType: 'CNAME',
        setIdentifiers: { aws: 'aws', azure: 'azure' },
      },
      OPTIONS,
    );
    const reading = await router.read(signal());
    expect(reading.split).toEqual({ aws: 50, azure: 50 });
    expect(reading.warnings).toEqual([
      'other weighted records share this name and type (maintenance=5): they take part of the traffic and the shift leaves them as they are',
    ]);
  });

  it('names a missing set identifier and a record that is not weighted', async () => {
    const missing = new Route53Router(
      client,
      {
        hostedZoneId: 'ZPAGED',
        recordName: 'app.example.com',
        recordType: 'A',
        setIdentifiers: { aws: 'blue', azure: 'azure' },
      },
      OPTIONS,
    );
    await expect(missing.read(signal())).rejects.toThrow(
      "Route 53 zone ZPAGED has no record app.example.com. A with set identifier 'azure' (azure); set identifiers found: blue, green",
    );
    const plain = new Route53Router(
      client,
      {
        hostedZoneId: 'ZPAGED',
        recordName: 'plain.example.com',
        recordType: 'A',
        setIdentifiers: { aws: 'a', azure: 'b' },
      },
      OPTIONS,
    );
    await expect(plain.read(signal())).rejects.toThrow(
      "has no record plain.example.com. A with set identifier 'a' (aws); set identifiers found: (none)",
    );
  });

  it('reports a missing hosted zone at once, without retrying', async () => {
    const router = new Route53Router(
      client,
      {
        hostedZoneId: 'ZNOPE',
        recordName: 'app.example.com',
        recordType: 'A',
        setIdentifiers: { aws: 'blue', azure: 'green' },
      },
      OPTIONS,
    );
    const before = route53.requests.length;
    await expect(router.read(signal())).rejects.toThrow(
      'ListResourceRecordSets: NoSuchHostedZone: No hosted zone found with ID: ZNOPE',
    );
    expect(route53.requests.length - before).toBe(1);
  });
});

describe('FrontDoorRouter', () => {
  let frontDoor: FrontDoorStandIn;
  let client: CdnManagementClient;

  beforeAll(async () => {
    frontDoor = await startFrontDoorStandIn({
      subscriptionId: '00000000-0000-0000-0000-000000000001',
      resourceGroup: 'rg',
      profile: 'afd',
      originGroups: [
        {
          name: 'cells',
          origins: [
            { name: 'aws', hostName: 'aws.example.net', weight: 1000 },
            { name: 'azure', hostName: 'azure.example.net', weight: 300, enabledState: 'Disabled' },
          ],
        },
      ],
      operationDelayMs: 20,
    });
    client = new CdnManagementClient(
      {
        getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
      },
      '00000000-0000-0000-0000-000000000001',
      {
        endpoint: frontDoor.url,
        tlsOptions: { ca: frontDoor.certificate.cert },
        retryOptions: { maxRetries: 0 },
      },
    );
  });

  afterAll(async () => {
    await frontDoor.close();
  });

  it('flips 100/0 to 0/100 enabling the new origin before disabling the old one', async () => {
    const router = new FrontDoorRouter(
      client,
      {
        resourceGroup: 'rg',
        profile: 'afd',
        originGroup: 'cells',
        origins: { aws: 'aws', azure: 'azure' },
      },
      OPTIONS,
    );
    const reading = await router.read(signal());
    expect(reading.split).toEqual({ aws: 100, azure: 0 });
    // Azure's default latency window (50 ms) is not 0: no warning.
    expect(reading.warnings).toEqual([]);
    expect(router.describe({ aws: 0, azure: 100 })).toBe(
      'aws disabled, azure enabled, weight 1000',
    );
    await router.apply({ aws: 0, azure: 100 }, signal());
    expect(
      frontDoor.updates.map((update) => `${update.origin} ${JSON.stringify(update.changes)}`),
    ).toEqual([
      'azure {"weight":1000,"enabledState":"Enabled"}',
      'aws {"weight":1000,"enabledState":"Disabled"}',
    ]);
    await router.restore(reading, signal());
    expect(frontDoor.origins('cells')).toMatchObject({
      aws: { weight: 1000, enabledState: 'Enabled' },
      azure: { weight: 300, enabledState: 'Disabled' },
    });
  });

  it('names the origin when Front Door rejects an update', async () => {
    const router = new FrontDoorRouter(
      client,
      {
        resourceGroup: 'rg',
        profile: 'afd',
        originGroup: 'cells',
        origins: { aws: 'aws', azure: 'missing' },
      },
      OPTIONS,
    );
    await expect(router.read(signal())).rejects.toThrow(
      /get origin missing: HTTP 404 ResourceNotFound: The Resource 'Microsoft.Cdn\/profiles\/afd\/origingroups\/cells\/origins\/missing'/,
    );
  });
});
