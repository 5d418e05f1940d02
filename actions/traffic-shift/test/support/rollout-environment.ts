/**
 * Everything an end-to-end traffic-shift run needs on loopback: a test certificate, the Entra
 * token endpoint, Route 53 and Front Door stand-ins seeded with a 50/50 split, and one health
 * endpoint per cloud. `inputs()` and `env` are what a workflow step would pass the action
 * after aws-actions/configure-aws-credentials and azure/login (OIDC).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startAzureIdentityStandIn,
  type AzureIdentityStandIn,
} from '../../../../stand-ins/src/azure-identity/index.js';
import {
  startFrontDoorStandIn,
  type FrontDoorStandIn,
} from '../../../../stand-ins/src/front-door/index.js';
import {
  createTestCertificate,
  type TestCertificate,
} from '../../../../stand-ins/src/http/test-certificate.js';
import {
  startRoute53StandIn,
  type Route53StandIn,
} from '../../../../stand-ins/src/route53/index.js';
import {
  startSmokeTarget,
  type SmokeTarget,
} from '../../../../stand-ins/src/smoke-target/index.js';

export const actionDir = resolve(fileURLToPath(import.meta.url), '..', '..', '..');

export const ZONE = 'Z0TRAFFICSHIFT';
export const RECORD = 'app.example.com';
export const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
export const TENANT = '11111111-1111-1111-1111-111111111111';
export const CLIENT = '22222222-2222-2222-2222-222222222222';
const FEDERATED_TOKEN = 'github-oidc-token-for-tests';

export interface RolloutEnvironment {
  certificate: TestCertificate;
  identity: AzureIdentityStandIn;
  route53: Route53StandIn;
  frontDoor: FrontDoorStandIn;
  aws: SmokeTarget;
  azure: SmokeTarget;
  /** Environment a workflow step has after the OIDC logins (static AWS keys here). */
  env: Record<string, string>;
  /** The action's inputs for both routers and both smoke URLs; override any. */
  inputs(overrides?: Record<string, string>): Record<string, string>;
  /** Route 53 weights by cloud. */
  route53Weights(): Record<string, number>;
  /** Front Door origins as `aws=500` / `azure=off(500)`. */
  frontDoorState(): Record<string, string>;
  /** Every write request either control plane has received. */
  writeCount(): number;
  /** Every request either control plane or the token endpoint has received. */
  controlPlaneRequests(): number;
  close(): Promise<void>;
}

export async function startRolloutEnvironment(
  options: { insyncDelayMs?: number; operationDelayMs?: number } = {},
): Promise<RolloutEnvironment> {
  const certificate = await createTestCertificate();
  const identity = await startAzureIdentityStandIn({
    tls: certificate,
    tenantId: TENANT,
    clientId: CLIENT,
    federatedToken: FEDERATED_TOKEN,
  });
  const route53 = await startRoute53StandIn({
    zones: [
      {
        id: ZONE,
        name: 'example.com',
        recordSets: ['aws', 'azure'].map((cloud) => ({
          name: RECORD,
          type: 'CNAME',
          setIdentifier: `${cloud}-cell`,
          weight: 50,
          ttl: 60,
          resourceRecords: [`${cloud}.cells.example.net`],
          healthCheckId: `hc-${cloud}`,
        })),
      },
    ],
    insyncDelayMs: options.insyncDelayMs ?? 30,
  });
  const frontDoor = await startFrontDoorStandIn({
    tls: certificate,
    subscriptionId: SUBSCRIPTION,
    resourceGroup: 'rg-global',
    profile: 'afd-app',
    originGroups: [
      {
        name: 'cells',
        additionalLatencyInMilliseconds: 500,
        origins: [
          { name: 'aws-origin', hostName: 'aws.cells.example.net', weight: 500 },
          { name: 'azure-origin', hostName: 'azure.cells.example.net', weight: 500 },
        ],
      },
    ],
    operationDelayMs: options.operationDelayMs ?? 30,
    isValidToken: (token) => identity.isValidToken(token),
  });
  const aws = await startSmokeTarget({ cloud: 'aws' });
  const azure = await startSmokeTarget({ cloud: 'azure' });
  const dir = await mkdtemp(join(tmpdir(), 'traffic-shift-oidc-'));
  const tokenFile = join(dir, 'azure-federated-token');
  await writeFile(tokenFile, FEDERATED_TOKEN);

  return {
    certificate,
    identity,
    route53,
    frontDoor,
    aws,
    azure,
    env: {
      AWS_ACCESS_KEY_ID: 'AKIATRAFFICSHIFTTEST',
      AWS_SECRET_ACCESS_KEY: 'traffic-shift-test-secret',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
      AZURE_AUTHORITY_HOST: identity.url,
      NODE_EXTRA_CA_CERTS: certificate.certPath,
    },
    inputs: (overrides = {}) => ({
      target: 'aws=100,azure=0',
      steps: '25,50,100',
      'bake-seconds': '0',
      'probe-interval-seconds': '0.02',
      'min-probes-per-step': '2',
      'change-poll-seconds': '0.02',
      'route53-hosted-zone-id': ZONE,
      'route53-record-name': RECORD,
      'route53-record-type': 'CNAME',
      'route53-set-identifiers': 'aws=aws-cell,azure=azure-cell',
      'aws-endpoint-url': route53.url,
      'azure-subscription-id': SUBSCRIPTION,
      'frontdoor-resource-group': 'rg-global',
      'frontdoor-profile': 'afd-app',
      'frontdoor-origin-group': 'cells',
      'frontdoor-origins': 'aws=aws-origin,azure=azure-origin',
      'azure-resource-manager-url': frontDoor.url,
      'smoke-urls': `aws=${aws.healthUrl},azure=${azure.healthUrl}`,
      ...overrides,
    }),
    route53Weights: () => {
      const weights = route53.weights(ZONE, RECORD, 'CNAME');
      return { aws: weights['aws-cell'] ?? -1, azure: weights['azure-cell'] ?? -1 };
    },
    frontDoorState: () => {
      const origins = frontDoor.origins('cells');
      const show = (name: string) => {
        const origin = origins[name];
        if (!origin) return 'missing';
        return origin.enabledState === 'Enabled' ? String(origin.weight) : `off(${origin.weight})`;
      };
      return { aws: show('aws-origin'), azure: show('azure-origin') };
    },
    writeCount: () => route53.writeRequests().length + frontDoor.writeRequests().length,
    controlPlaneRequests: () =>
      route53.requests.length + frontDoor.requests.length + identity.requests.length,
    async close() {
      await Promise.all([
        route53.close(),
        frontDoor.close(),
        identity.close(),
        aws.close(),
        azure.close(),
      ]);
      await certificate.remove();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
