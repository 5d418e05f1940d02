/**
 * Everything an end-to-end traffic-shift run needs on loopback: a test certificate, the Entra
 * token endpoint, Route 53 and Front Door stand-ins seeded with a 50/50 split, and one health
 * endpoint per cloud. `inputs()` and `env` are what a workflow step would pass the action
 * after aws-actions/configure-aws-credentials and azure/login (OIDC).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionResult } from '../../../../test-bench/src/action-runner.js';
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
const LOOPBACK_GUARD = new URL('loopback-guard.mjs', import.meta.url).href;

export const ZONE = 'Z0TRAFFICSHIFT';
export const RECORD = 'app.example.com';
export const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
export const TENANT = '11111111-1111-1111-1111-111111111111';
export const CLIENT = '22222222-2222-2222-2222-222222222222';
const FEDERATED_TOKEN = 'github-oidc-token-for-tests';
const AWS_SECRET = 'traffic-shift-test-secret';

export interface RolloutEnvironment {
  certificate: TestCertificate;
  identity: AzureIdentityStandIn;
  route53: Route53StandIn;
  frontDoor: FrontDoorStandIn;
  aws: SmokeTarget;
  azure: SmokeTarget;
  /**
   * The public host name's health URL: each request goes to one cell, picked by the Route 53
   * stand-in's weights at that moment, and relays its answer (whose body names the cloud).
   */
  publicHealthUrl: string;
  /** Environment a workflow step has after the OIDC logins (static AWS keys here). */
  env: Record<string, string>;
  /** The action's inputs for both routers and both smoke URLs; override any. */
  inputs(overrides?: Record<string, string>): Record<string, string>;
  /** Route 53 weights by cloud. */
  route53Weights(): Record<string, number>;
  /** Front Door origins as `aws=500` / `azure=off(500)`. */
  frontDoorState(): Record<string, string>;
  /** Every secret (OIDC token, access tokens, AWS key) that shows anywhere in a run's output. */
  secretsShown(result: ActionResult): string[];
  /** Every write request either control plane has received. */
  writeCount(): number;
  /** Every request either control plane or the token endpoint has received. */
  controlPlaneRequests(): number;
  /**
   * Connections and DNS lookups the action tried beyond loopback (refused by the guard), then
   * forgets them: a test that provokes some on purpose takes them before close().
   */
  takeTrafficOffLoopback(): Promise<string[]>;
  /** Stops everything; fails when the action tried to reach anything beyond loopback. */
  close(): Promise<void>;
}

export interface RolloutEnvironmentOptions {
  insyncDelayMs?: number;
  operationDelayMs?: number;
  /** Which client assertions Entra accepts: default the one token in AZURE_FEDERATED_TOKEN_FILE. */
  federatedToken?: (assertion: string) => boolean;
  /** Entra access token lifetime (default Entra's, about an hour). */
  tokenLifetimeSeconds?: number;
}

export async function startRolloutEnvironment(
  options: RolloutEnvironmentOptions = {},
): Promise<RolloutEnvironment> {
  const certificate = await createTestCertificate();
  const identity = await startAzureIdentityStandIn({
    tls: certificate,
    tenantId: TENANT,
    clientId: CLIENT,
    federatedToken: options.federatedToken ?? FEDERATED_TOKEN,
    ...(options.tokenLifetimeSeconds ? { tokenLifetimeSeconds: options.tokenLifetimeSeconds } : {}),
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
  const publicName = await startPublicName(
    () => {
      const weights = route53.weights(ZONE, RECORD, 'CNAME');
      return { aws: weights['aws-cell'] ?? 0, azure: weights['azure-cell'] ?? 0 };
    },
    { aws: aws.healthUrl, azure: azure.healthUrl },
  );
  const dir = await mkdtemp(join(tmpdir(), 'traffic-shift-oidc-'));
  const tokenFile = join(dir, 'azure-federated-token');
  await writeFile(tokenFile, FEDERATED_TOKEN);
  const guardLog = join(dir, 'off-loopback.log');
  await writeFile(guardLog, '');
  const takeTrafficOffLoopback = async () => {
    const attempts = (await readFile(guardLog, 'utf8')).split('\n').filter(Boolean);
    await writeFile(guardLog, '');
    return attempts;
  };

  return {
    certificate,
    identity,
    route53,
    frontDoor,
    aws,
    azure,
    publicHealthUrl: `http://127.0.0.1:${(publicName.address() as { port: number }).port}/health`,
    env: {
      AWS_ACCESS_KEY_ID: 'AKIATRAFFICSHIFTTEST',
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
      AZURE_AUTHORITY_HOST: identity.url,
      NODE_EXTRA_CA_CERTS: certificate.certPath,
      // Every end-to-end run proves it stays on loopback: the guard refuses and records any
      // other connection or DNS lookup, and close() fails the test when there was one.
      NODE_OPTIONS: `--import ${LOOPBACK_GUARD}`,
      LOOPBACK_GUARD_LOG: guardLog,
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
    secretsShown: (result) => {
      const shown = [
        result.stdout,
        result.stderr,
        result.summary,
        ...Object.values(result.outputs),
        ...result.annotations.map((annotation) => annotation.message),
      ].join('\n');
      const secrets = [
        FEDERATED_TOKEN,
        AWS_SECRET,
        ...identity.issuedTokens.flatMap(({ token }) => [token, token.split('.')[2] ?? token]),
      ];
      return secrets.filter((secret) => shown.includes(secret));
    },
    writeCount: () => route53.writeRequests().length + frontDoor.writeRequests().length,
    controlPlaneRequests: () =>
      route53.requests.length + frontDoor.requests.length + identity.requests.length,
    takeTrafficOffLoopback,
    async close() {
      const offLoopback = await takeTrafficOffLoopback();
      await Promise.all([
        route53.close(),
        frontDoor.close(),
        identity.close(),
        aws.close(),
        azure.close(),
        new Promise((resolve) => publicName.close(resolve)),
      ]);
      await certificate.remove();
      await rm(dir, { recursive: true, force: true });
      if (offLoopback.length > 0) {
        throw new Error(`the action tried to leave loopback: ${offLoopback.join('; ')}`);
      }
    },
  };
}

/** A stand-in for the public host name: a weighted choice per request, then the cell's answer. */
async function startPublicName(
  weights: () => { aws: number; azure: number },
  cells: { aws: string; azure: string },
): Promise<Server> {
  const server = createServer((_request, response) => {
    const { aws, azure } = weights();
    const cloud = Math.random() * (aws + azure) < aws ? 'aws' : 'azure';
    fetch(cells[cloud])
      .then(async (answer) => {
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(await answer.text());
      })
      .catch(() => {
        response.writeHead(502);
        response.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
