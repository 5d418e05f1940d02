import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CdnManagementClient } from '@azure/arm-cdn';
import { DefaultAzureCredential } from '@azure/identity';
import {
  startAzureIdentityStandIn,
  type AzureIdentityStandIn,
} from '../../src/azure-identity/index.js';
import { startFrontDoorStandIn, type FrontDoorStandIn } from '../../src/front-door/index.js';
import { createTestCertificate, type TestCertificate } from '../../src/http/test-certificate.js';

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  response?: { headers: { get(name: string): string | undefined } };
}

// Poll long-running operations every 20 ms (the SDK's default is 2 s).
const FAST = { updateIntervalInMs: 20 };
const TENANT = '11111111-1111-1111-1111-111111111111';
const CLIENT = '22222222-2222-2222-2222-222222222222';
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const VARIABLES = [
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_AUTHORITY_HOST',
] as const;

describe('Front Door (ARM) stand-in driven by @azure/arm-cdn and DefaultAzureCredential', () => {
  let certificate: TestCertificate;
  let identity: AzureIdentityStandIn;
  let frontDoor: FrontDoorStandIn;
  let client: CdnManagementClient;
  let dir: string;
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    certificate = await createTestCertificate();
    identity = await startAzureIdentityStandIn({
      tls: certificate,
      tenantId: TENANT,
      clientId: CLIENT,
      federatedToken: 'github-oidc-token',
    });
    frontDoor = await startFrontDoorStandIn({
      tls: certificate,
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-global',
      profile: 'afd-app',
      originGroups: [
        {
          name: 'app',
          additionalLatencyInMilliseconds: 500,
          origins: [
            { name: 'aws', hostName: 'aws.example.net', weight: 500 },
            { name: 'azure', hostName: 'azure.example.net', weight: 500 },
          ],
        },
      ],
      operationDelayMs: 80,
      isValidToken: (token) => identity.isValidToken(token),
    });
    dir = await mkdtemp(join(tmpdir(), 'front-door-'));
    await writeFile(join(dir, 'token'), 'github-oidc-token');
    process.env.AZURE_TENANT_ID = TENANT;
    process.env.AZURE_CLIENT_ID = CLIENT;
    process.env.AZURE_FEDERATED_TOKEN_FILE = join(dir, 'token');
    process.env.AZURE_AUTHORITY_HOST = identity.url;
    const credential = new DefaultAzureCredential({
      tlsOptions: { ca: certificate.cert },
      disableInstanceDiscovery: true,
    });
    client = new CdnManagementClient(credential, SUBSCRIPTION, {
      endpoint: frontDoor.url,
      credentialScopes: ['https://management.azure.com/.default'],
      tlsOptions: { ca: certificate.cert },
      retryOptions: { maxRetries: 0 },
    });
  });

  afterEach(() => {
    frontDoor.server.clearFaults();
  });

  afterAll(async () => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = saved[name];
    }
    await frontDoor.close();
    await identity.close();
    await certificate.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the origin group (latency sensitivity) and each origin', async () => {
    const group = await client.afdOriginGroups.get('rg-global', 'afd-app', 'app');
    expect(group.loadBalancingSettings?.additionalLatencyInMilliseconds).toBe(500);
    const origin = await client.afdOrigins.get('rg-global', 'afd-app', 'app', 'aws');
    expect(origin).toMatchObject({
      name: 'aws',
      weight: 500,
      enabledState: 'Enabled',
      hostName: 'aws.example.net',
    });
    const all = [];
    for await (const entry of client.afdOrigins.listByOriginGroup('rg-global', 'afd-app', 'app')) {
      all.push(entry.name);
    }
    expect(all).toEqual(['aws', 'azure']);
    const request = frontDoor.requests.find((entry) => entry.method === 'GET');
    expect(request?.query['api-version']).toBe('2024-02-01');
  });

  it('updates an origin as a long-running operation, in force only when it succeeds', async () => {
    const poller = await client.afdOrigins.beginUpdate(
      'rg-global',
      'afd-app',
      'app',
      'azure',
      {
        weight: 100,
      },
      FAST,
    );
    expect(frontDoor.origins('app').azure).toMatchObject({
      weight: 500,
      provisioningState: 'Updating',
    });
    const result = await poller.pollUntilDone();
    expect(result).toMatchObject({ weight: 100, provisioningState: 'Succeeded' });
    expect(frontDoor.origins('app').azure?.weight).toBe(100);
    const statusPolls = frontDoor.requests.filter((entry) => /operationresults/.test(entry.path));
    expect(statusPolls.length).toBeGreaterThan(0);
    expect(statusPolls.at(-1)?.responseBody).toContain('"status":"Succeeded"');
  });

  it('disables and re-enables an origin', async () => {
    await client.afdOrigins.beginUpdateAndWait(
      'rg-global',
      'afd-app',
      'app',
      'azure',
      {
        enabledState: 'Disabled',
      },
      FAST,
    );
    expect(frontDoor.origins('app').azure).toMatchObject({ enabledState: 'Disabled', weight: 100 });
    await client.afdOrigins.beginUpdateAndWait(
      'rg-global',
      'afd-app',
      'app',
      'azure',
      {
        enabledState: 'Enabled',
        weight: 250,
      },
      FAST,
    );
    expect(frontDoor.origins('app').azure).toMatchObject({ enabledState: 'Enabled', weight: 250 });
  });

  it('rejects weight 0 and weight 1001 with ARM error JSON and changes nothing', async () => {
    for (const weight of [0, 1001]) {
      const error = await client.afdOrigins
        .beginUpdateAndWait('rg-global', 'afd-app', 'app', 'aws', { weight }, FAST)
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'RestError', statusCode: 400, code: 'BadRequest' });
      expect((error as Error).message).toContain('between 1 and 1000');
    }
    expect(frontDoor.origins('app').aws?.weight).toBe(500);
  });

  it('answers ResourceNotFound for an unknown origin', async () => {
    const error = await client.afdOrigins
      .get('rg-global', 'afd-app', 'app', 'gcp')
      .catch((caught: unknown) => caught as RestErrorLike);
    expect(error).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
  });

  it('injects 429 with Retry-After and 500s', async () => {
    frontDoor.injectError('getOrigin', { status: 429, retryAfterSeconds: 0 });
    const throttled = await client.afdOrigins.get('rg-global', 'afd-app', 'app', 'aws').then(
      () => ({}) as RestErrorLike,
      (caught: unknown) => caught as RestErrorLike,
    );
    expect(throttled).toMatchObject({ statusCode: 429, code: 'TooManyRequests' });
    expect(throttled.response?.headers.get('retry-after')).toBe('0');

    frontDoor.injectError('updateOrigin', { status: 500 });
    const failed = await client.afdOrigins
      .beginUpdateAndWait('rg-global', 'afd-app', 'app', 'aws', { weight: 7 }, FAST)
      .catch((caught: unknown) => caught as RestErrorLike);
    expect(failed).toMatchObject({ statusCode: 500, code: 'InternalServerError' });
    expect(frontDoor.origins('app').aws?.weight).toBe(500);
  });

  it('reports a failed operation through the async-operation status', async () => {
    frontDoor.failNextOperation({ code: 'InternalServerError', message: 'edge deployment failed' });
    await expect(
      client.afdOrigins.beginUpdateAndWait(
        'rg-global',
        'afd-app',
        'app',
        'aws',
        { weight: 9 },
        FAST,
      ),
    ).rejects.toThrow(/edge deployment failed/);
    expect(frontDoor.origins('app').aws).toMatchObject({
      weight: 500,
      provisioningState: 'Failed',
    });
  });

  it('refuses requests without a token, without api-version, or with a foreign token', async () => {
    const base = `${frontDoor.url}/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-global/providers/Microsoft.Cdn/profiles/afd-app/originGroups/app`;
    const call = (url: string, token?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        import('node:https').then(({ request }) => {
          const req = request(
            url,
            { ca: certificate.cert, headers: token ? { authorization: `Bearer ${token}` } : {} },
            (res) => {
              let body = '';
              res.on('data', (chunk: Buffer) => (body += chunk.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            },
          );
          req.on('error', reject);
          req.end();
        }, reject);
      });
    expect(await call(`${base}?api-version=2024-02-01`)).toMatchObject({ status: 401 });
    expect((await call(`${base}?api-version=2024-02-01`, 'forged')).body).toContain(
      'InvalidAuthenticationToken',
    );
    const token = identity.issuedTokens[0]?.token ?? '';
    expect(JSON.parse((await call(base, token)).body)).toEqual({
      error: {
        code: 'MissingApiVersionParameter',
        message: 'The api-version query parameter (?api-version=) is required for all requests.',
      },
    });
  });

  it('lets a test change origins out of band and watch updates', async () => {
    const seen: string[] = [];
    const unsubscribe = frontDoor.onUpdate((update) =>
      seen.push(`${update.origin}:${update.changes.weight}`),
    );
    frontDoor.setOperationDelay(0);
    frontDoor.setLatencySensitivity('app', 0);
    frontDoor.setOrigin('app', 'aws', { weight: 300 });
    await client.afdOrigins.beginUpdateAndWait(
      'rg-global',
      'afd-app',
      'app',
      'aws',
      { weight: 301 },
      FAST,
    );
    unsubscribe();
    expect(seen).toEqual(['aws:301']);
    const group = await client.afdOriginGroups.get('rg-global', 'afd-app', 'app');
    expect(group.loadBalancingSettings?.additionalLatencyInMilliseconds).toBe(0);
    expect(frontDoor.writeRequests().every((request) => request.method === 'PATCH')).toBe(true);
  });
});
