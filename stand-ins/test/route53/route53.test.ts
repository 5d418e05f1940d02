import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  InvalidInput,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { startRoute53StandIn, type Route53StandIn } from '../../src/route53/index.js';

const ZONE = 'Z0TRAFFIC';

function client(url: string, maxAttempts = 1): Route53Client {
  return new Route53Client({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' },
    maxAttempts,
  });
}

function weighted(setIdentifier: string, weight: number, ttl = 60): ResourceRecordSet {
  return {
    Name: 'app.example.com.',
    Type: 'CNAME',
    SetIdentifier: setIdentifier,
    Weight: weight,
    TTL: ttl,
    ResourceRecords: [{ Value: `${setIdentifier}.example.net` }],
  };
}

describe('Route 53 stand-in driven by @aws-sdk/client-route-53', () => {
  let route53: Route53StandIn;
  let sdk: Route53Client;

  beforeAll(async () => {
    route53 = await startRoute53StandIn({
      zones: [
        {
          id: ZONE,
          name: 'example.com',
          recordSets: [
            {
              name: 'App.Example.com',
              type: 'CNAME',
              setIdentifier: 'aws',
              weight: 50,
              ttl: 60,
              resourceRecords: ['aws.example.net'],
              healthCheckId: 'hc-aws',
            },
            {
              name: 'app.example.com',
              type: 'CNAME',
              setIdentifier: 'azure',
              weight: 50,
              ttl: 60,
              resourceRecords: ['azure.example.net'],
            },
            { name: 'www.example.com', type: 'A', ttl: 300, resourceRecords: ['192.0.2.10'] },
          ],
        },
      ],
      insyncDelayMs: 100,
    });
    sdk = client(route53.url);
  });

  afterAll(async () => {
    sdk.destroy();
    await route53.close();
  });

  it('lists the weighted records of one name and type, with TTL and health check kept', async () => {
    const page = await sdk.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: `/hostedzone/${ZONE}`,
        StartRecordName: 'app.example.com',
        StartRecordType: 'CNAME',
      }),
    );
    const sets = (page.ResourceRecordSets ?? []).filter((set) => set.Name === 'app.example.com.');
    expect(sets).toEqual([
      {
        ...weighted('aws', 50),
        ResourceRecords: [{ Value: 'aws.example.net' }],
        HealthCheckId: 'hc-aws',
      },
      weighted('azure', 50),
    ]);
    expect(page.IsTruncated).toBe(false);
  });

  it('pages with name, type and identifier', async () => {
    const seen: string[] = [];
    let start: { name?: string; type?: string; identifier?: string } = {};
    for (;;) {
      const page = await sdk.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          StartRecordName: start.name,
          StartRecordType: start.type as 'A' | undefined,
          StartRecordIdentifier: start.identifier,
          MaxItems: 1,
        }),
      );
      for (const set of page.ResourceRecordSets ?? []) {
        seen.push(`${set.Name} ${set.Type} ${set.SetIdentifier ?? ''}`.trim());
      }
      if (!page.IsTruncated) break;
      start = {
        name: page.NextRecordName,
        type: page.NextRecordType,
        identifier: page.NextRecordIdentifier,
      };
    }
    // Route 53 order: labels reversed (com.example < com.example.app < com.example.www), then type.
    expect(seen).toEqual([
      'example.com. NS',
      'example.com. SOA',
      'app.example.com. CNAME aws',
      'app.example.com. CNAME azure',
      'www.example.com. A',
    ]);
  });

  it('applies one batch atomically and reports PENDING, then INSYNC', async () => {
    const changed: string[] = [];
    const unsubscribe = route53.onChange((batch) => changed.push(batch.id));
    const result = await sdk.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        ChangeBatch: {
          Comment: 'canary step 1',
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: { ...weighted('aws', 90), HealthCheckId: 'hc-aws' },
            },
            { Action: 'UPSERT', ResourceRecordSet: weighted('azure', 10) },
          ],
        },
      }),
    );
    unsubscribe();
    expect(result.ChangeInfo?.Status).toBe('PENDING');
    expect(result.ChangeInfo?.Id).toMatch(/^\/change\/C[A-Z0-9]{13}$/);
    expect(changed).toEqual([result.ChangeInfo?.Id?.replace('/change/', '')]);
    expect(route53.weights(ZONE, 'app.example.com', 'CNAME')).toEqual({ aws: 90, azure: 10 });

    const pending = await sdk.send(new GetChangeCommand({ Id: result.ChangeInfo?.Id }));
    expect(pending.ChangeInfo?.Status).toBe('PENDING');
    await new Promise((resolve) => setTimeout(resolve, 120));
    const insync = await sdk.send(new GetChangeCommand({ Id: result.ChangeInfo?.Id }));
    expect(insync.ChangeInfo?.Status).toBe('INSYNC');
    expect(insync.ChangeInfo?.Comment).toBe('canary step 1');
  });

  it('rejects a weight over 255 with the AWS validation wording and changes nothing', async () => {
    const before = route53.weights(ZONE, 'app.example.com', 'CNAME');
    const error = await sdk
      .send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          ChangeBatch: {
            Changes: [
              { Action: 'UPSERT', ResourceRecordSet: weighted('aws', 1) },
              { Action: 'UPSERT', ResourceRecordSet: weighted('azure', 256) },
            ],
          },
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as Error).message).toContain('Member must have value less than or equal to 255');
    expect(route53.weights(ZONE, 'app.example.com', 'CNAME')).toEqual(before);
  });

  it('rejects a weighted record without set identifier', async () => {
    const error = await sdk
      .send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          ChangeBatch: {
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: { ...weighted('aws', 1), SetIdentifier: undefined },
              },
            ],
          },
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as Error).message).toBe(
      "Invalid request: Missing field 'SetIdentifier' in Change with [Action=UPSERT, Name=app.example.com., Type=CNAME, SetIdentifier=null]",
    );
  });

  it('answers InvalidChangeBatch with every problem, bracketed, and applies none of the batch', async () => {
    const before = route53.weights(ZONE, 'app.example.com', 'CNAME');
    const error = await sdk
      .send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          ChangeBatch: {
            Changes: [
              { Action: 'UPSERT', ResourceRecordSet: weighted('aws', 3) },
              { Action: 'CREATE', ResourceRecordSet: weighted('azure', 7) },
              { Action: 'DELETE', ResourceRecordSet: weighted('gcp', 1) },
              { Action: 'UPSERT', ResourceRecordSet: weighted('other', 1, 300) },
            ],
          },
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidChangeBatch);
    expect((error as Error).message).toBe(
      "[Tried to create resource record set [name='app.example.com.', type='CNAME', set-identifier='azure'] but it already exists, " +
        "Tried to delete resource record set [name='app.example.com.', type='CNAME', set-identifier='gcp'] but it was not found, " +
        'RRSet with DNS name app.example.com., type CNAME, SetIdentifier other cannot be created as weighted sets must contain the same TTL.]',
    );
    expect(route53.weights(ZONE, 'app.example.com', 'CNAME')).toEqual(before);
  });

  it('answers NoSuchHostedZone for an unknown zone', async () => {
    await expect(
      sdk.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'ZNOPE' })),
    ).rejects.toBeInstanceOf(NoSuchHostedZone);
  });

  it('injects Throttling and PriorRequestNotComplete, which the SDK classifies as throttling', async () => {
    route53.injectError('ChangeResourceRecordSets', 'Throttling');
    const throttled = await sdk
      .send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: weighted('aws', 5) }] },
        }),
      )
      .catch(
        (caught: unknown) =>
          caught as {
            name: string;
            $metadata: { httpStatusCode: number };
            $retryable?: { throttling?: boolean };
          },
      );
    expect(throttled).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });

    route53.injectError('GetChange', 'PriorRequestNotComplete');
    const prior = await sdk
      .send(new GetChangeCommand({ Id: route53.changes[0]?.id }))
      .catch((caught: unknown) => caught as { name: string });
    expect(prior).toMatchObject({ name: 'PriorRequestNotComplete' });

    // With retries on, the SDK rides over two throttles and succeeds.
    const retrying = client(route53.url, 3);
    route53.injectError('ListResourceRecordSets', 'Throttling', { times: 2 });
    const page = await retrying.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE }));
    retrying.destroy();
    expect(page.$metadata.attempts).toBe(3);
  });

  it('refuses unsigned requests', async () => {
    const response = await fetch(`${route53.url}/2013-04-01/hostedzone/${ZONE}/rrset`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingAuthenticationTokenException</Code>');
  });

  it('logs write requests separately and lets a test change weights out of band', async () => {
    const writes = route53.writeRequests();
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((request) => request.method === 'POST')).toBe(true);
    route53.setWeights(ZONE, 'app.example.com.', 'CNAME', { aws: 0, azure: 1 });
    expect(route53.weights(ZONE, 'app.example.com', 'CNAME')).toEqual({ aws: 0, azure: 1 });
    expect(route53.recordSets(ZONE).find((set) => set.setIdentifier === 'aws')?.healthCheckId).toBe(
      'hc-aws',
    );
  });
});
