/**
 * traffic-shift benchmark (issue 6): `node scripts/run-typescript.js bench/traffic-shift.ts` (or
 * `npm run bench`); BENCH_TRAFFIC_RUNS (default 5), BENCH_PROBE_INTERVAL_MS (default 500). With the Route 53 and
 * Front Door stand-ins at zero latency and zero bake, on the real SDKs and adapters:
 * - control-plane time per step (first write until the slowest router has it in force) and
 *   API calls per step, against the targets of one Route 53 change batch per step and one Front
 *   Door update per changed origin;
 * - time from the first failed probe (and from the moment the cloud turned unhealthy) to the
 *   initial split restored on both routers, against one probe interval plus the rollback's
 *   own API round trips.
 * Prints the figures of this one run; the latest are kept in bench/README.md.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Route53Client } from '@aws-sdk/client-route-53';
import { CdnManagementClient } from '@azure/arm-cdn';
import { DefaultAzureCredential } from '@azure/identity';
import { CLOUDS } from '../actions/shared/src/clouds.js';
import { httpProber } from '../actions/traffic-shift/src/probes/http-prober.js';
import type { Prober } from '../actions/traffic-shift/src/probes/prober.js';
import {
  runRollout,
  type Log,
  type RolloutOptions,
  type RolloutReport,
} from '../actions/traffic-shift/src/rollout/engine.js';
import { DEFAULT_RETRY_POLICY } from '../actions/traffic-shift/src/rollout/retry.js';
import { FrontDoorRouter } from '../actions/traffic-shift/src/routers/front-door-router.js';
import { Route53Router } from '../actions/traffic-shift/src/routers/route53-router.js';
import {
  startAzureIdentityStandIn,
  type AzureIdentityStandIn,
} from '../stand-ins/src/azure-identity/index.js';
import { startFrontDoorStandIn, type FrontDoorStandIn } from '../stand-ins/src/front-door/index.js';
import {
  createTestCertificate,
  type TestCertificate,
} from '../stand-ins/src/http/test-certificate.js';
import { startRoute53StandIn, type Route53StandIn } from '../stand-ins/src/route53/index.js';
import { startSmokeTarget, type SmokeTarget } from '../stand-ins/src/smoke-target/index.js';

const RUNS = Number(process.env.BENCH_TRAFFIC_RUNS ?? 5);
const PROBE_INTERVAL_MS = Number(process.env.BENCH_PROBE_INTERVAL_MS ?? 500);
const TENANT = '11111111-1111-1111-1111-111111111111';
const CLIENT = '22222222-2222-2222-2222-222222222222';
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/** What every run shares: the Entra stand-in and credential, the two health targets, the prober. */
interface Bench {
  certificate: TestCertificate;
  identity: AzureIdentityStandIn;
  credential: DefaultAzureCredential;
  dir: string;
  aws: SmokeTarget;
  azure: SmokeTarget;
  prober: Prober;
  log: Log;
  /** A 4-step canary 50/50 -> 100/0 with zero bake. */
  base: RolloutOptions;
}

/** One run's routers: fresh Route 53 and Front Door stand-ins at zero latency, real SDK clients. */
interface World {
  route53: Route53StandIn;
  frontDoor: FrontDoorStandIn;
  routers: (Route53Router | FrontDoorRouter)[];
  close(): Promise<void>;
}

interface StepFigures {
  stepMs: number[];
  totalSteps: number;
  route53: number[];
  route53Batches: number[];
  frontDoor: number[];
  frontDoorUpdates: number[];
  changedOrigins: number[];
}

interface RollbackFigures {
  detection: number[];
  fromFlip: number[];
  rollbackApi: number[];
}

export async function main(): Promise<number> {
  const bench = await setUp();
  try {
    const steps = await measureSteps(bench);
    const rollback = await measureRollback(bench);
    printFigures(steps, rollback);
  } finally {
    await tearDown(bench);
  }
  return 0;
}

async function setUp(): Promise<Bench> {
  const certificate = await createTestCertificate();
  const identity = await startAzureIdentityStandIn({
    tls: certificate,
    tenantId: TENANT,
    clientId: CLIENT,
  });
  const dir = await mkdtemp(join(tmpdir(), 'traffic-bench-'));
  await writeFile(join(dir, 'token'), 'bench-oidc-token');
  Object.assign(process.env, {
    AZURE_TENANT_ID: TENANT,
    AZURE_CLIENT_ID: CLIENT,
    AZURE_FEDERATED_TOKEN_FILE: join(dir, 'token'),
    AZURE_AUTHORITY_HOST: identity.url,
  });
  const credential = new DefaultAzureCredential({
    tlsOptions: { ca: certificate.cert },
    disableInstanceDiscovery: true,
  });
  const aws = await startSmokeTarget({ cloud: 'aws' });
  const azure = await startSmokeTarget({ cloud: 'azure' });
  const prober = httpProber({
    urls: { aws: aws.healthUrl, azure: azure.healthUrl },
    expectedStatus: 200,
    timeoutMs: 2000,
  });
  const base: RolloutOptions = {
    target: { aws: 100, azure: 0 },
    steps: [10, 25, 50, 100],
    bakeMs: 0,
    probeIntervalMs: 1,
    thresholds: { maxErrorRate: 0.01, maxP95LatencyMs: 1000, minProbes: 1 },
    dryRun: false,
    changeTimeoutMs: 30_000,
  };
  const log = { info: () => undefined, warning: () => undefined };
  return { certificate, identity, credential, dir, aws, azure, prober, log, base };
}

async function tearDown(bench: Bench): Promise<void> {
  await Promise.all([bench.aws.close(), bench.azure.close(), bench.identity.close()]);
  await bench.certificate.remove();
  await rm(bench.dir, { recursive: true, force: true });
}

async function world(bench: Bench): Promise<World> {
  const route53 = await startRoute53StandIn({
    zones: [
      {
        id: 'ZBENCH',
        name: 'example.com',
        recordSets: CLOUDS.map((cloud) => ({
          name: 'app.example.com',
          type: 'CNAME',
          setIdentifier: cloud,
          weight: 50,
          ttl: 60,
          resourceRecords: [`${cloud}.example.net`],
        })),
      },
    ],
    insyncDelayMs: 0,
  });
  const frontDoor = await startFrontDoorStandIn({
    tls: bench.certificate,
    subscriptionId: SUBSCRIPTION,
    resourceGroup: 'rg',
    profile: 'afd',
    originGroups: [
      {
        name: 'cells',
        additionalLatencyInMilliseconds: 500,
        origins: CLOUDS.map((cloud) => ({
          name: cloud,
          hostName: `${cloud}.example.net`,
          weight: 500,
        })),
      },
    ],
    operationDelayMs: 0,
  });
  const route53Client = new Route53Client({
    endpoint: route53.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
  });
  return {
    route53,
    frontDoor,
    routers: routers(bench, route53Client, frontDoor),
    async close() {
      route53Client.destroy();
      await Promise.all([route53.close(), frontDoor.close()]);
    },
  };
}

function routers(
  bench: Bench,
  route53Client: Route53Client,
  frontDoor: FrontDoorStandIn,
): (Route53Router | FrontDoorRouter)[] {
  const options = { policy: DEFAULT_RETRY_POLICY, pollIntervalMs: 10 };
  const cdn = new CdnManagementClient(bench.credential, SUBSCRIPTION, {
    endpoint: frontDoor.url,
    credentialScopes: [`${frontDoor.url}/.default`],
    tlsOptions: { ca: bench.certificate.cert },
    retryOptions: { maxRetries: 0 },
  });
  const perCloud = { aws: 'aws', azure: 'azure' };
  return [
    new Route53Router(
      route53Client,
      {
        hostedZoneId: 'ZBENCH',
        recordName: 'app.example.com',
        recordType: 'CNAME',
        setIdentifiers: perCloud,
      },
      options,
    ),
    new FrontDoorRouter(
      cdn,
      { resourceGroup: 'rg', profile: 'afd', originGroup: 'cells', origins: perCloud },
      options,
    ),
  ];
}

/** 1. Control-plane time and API calls per step; run 0 warms up (token, TLS, JIT) and is not counted. */
async function measureSteps(bench: Bench): Promise<StepFigures> {
  const figures: StepFigures = {
    stepMs: [],
    totalSteps: 0,
    route53: [],
    route53Batches: [],
    frontDoor: [],
    frontDoorUpdates: [],
    changedOrigins: [],
  };
  for (let run = 0; run < RUNS + 1; run += 1) {
    const env = await world(bench);
    const before = {
      route53: env.route53.requests.length,
      frontDoor: env.frontDoor.requests.length,
    };
    const report = await runRollout(
      bench.base,
      { routers: env.routers, prober: bench.prober, log: bench.log },
      new AbortController().signal,
    );
    if (report.outcome !== 'completed')
      throw new Error(`bench rollout ${report.outcome}: ${report.failureReason ?? ''}`);
    if (run > 0) {
      figures.totalSteps += report.steps.length;
      for (const step of report.steps) figures.stepMs.push(step.inForceMs);
      figures.route53.push(env.route53.requests.length - before.route53);
      figures.frontDoor.push(env.frontDoor.requests.length - before.frontDoor);
      figures.route53Batches.push(env.route53.changes.length);
      figures.frontDoorUpdates.push(env.frontDoor.updates.length);
      figures.changedOrigins.push(frontDoorWrites(report.steps));
    }
    await env.close();
  }
  return figures;
}

function frontDoorWrites(steps: RolloutReport['steps']): number {
  return steps.reduce(
    (sum, step) =>
      sum + (step.routers.find((entry) => entry.id === 'frontdoor')?.change?.writes ?? 0),
    0,
  );
}

/** 2. Azure turns unhealthy at a random moment of step 2's bake: until the initial split is back. */
async function measureRollback(bench: Bench): Promise<RollbackFigures> {
  const figures: RollbackFigures = { detection: [], fromFlip: [], rollbackApi: [] };
  for (let run = 0; run < RUNS; run += 1) {
    const env = await world(bench);
    bench.azure.setStatus(200);
    let flippedAt = 0;
    const stop = env.route53.onChange(() => {
      if (env.route53.changes.length === 2) {
        setTimeout(
          () => {
            flippedAt = Date.now();
            bench.azure.setStatus(503);
          },
          Math.random() * 3 * PROBE_INTERVAL_MS,
        );
      }
    });
    const report = await runRollout(
      {
        ...bench.base,
        bakeMs: 10 * PROBE_INTERVAL_MS,
        probeIntervalMs: PROBE_INTERVAL_MS,
        thresholds: { ...bench.base.thresholds, minProbes: 3 },
      },
      { routers: env.routers, prober: bench.prober, log: bench.log },
      new AbortController().signal,
    );
    stop();
    if (report.outcome !== 'rolled-back' || !report.rollback)
      throw new Error(`expected a rollback, got ${report.outcome}`);
    const restoredAt = report.startedAt + report.durationMs;
    figures.detection.push(report.rollback.detectionToRestoredMs);
    figures.fromFlip.push(restoredAt - flippedAt);
    figures.rollbackApi.push(report.rollback.durationMs);
    await env.close();
  }
  bench.azure.setStatus(200);
  return figures;
}

function printFigures(steps: StepFigures, rollback: RollbackFigures): void {
  const perStep = (values: number[]): string =>
    (values.reduce((sum, value) => sum + value, 0) / steps.totalSteps).toFixed(2);
  const { detection, fromFlip, rollbackApi } = rollback;
  const rows = [
    ['control-plane time per step (median, ms)', median(steps.stepMs).toFixed(0)],
    ['control-plane time per step (max, ms)', Math.max(...steps.stepMs).toFixed(0)],
    ['Route 53 change batches per step (target 1)', perStep(steps.route53Batches)],
    ['Route 53 API calls per step (list + change + GetChange)', perStep(steps.route53)],
    [
      'Front Door updates per step / changed origins per step (target equal)',
      `${perStep(steps.frontDoorUpdates)} / ${perStep(steps.changedOrigins)}`,
    ],
    ['Front Door API calls per step (GET + PATCH + status polls)', perStep(steps.frontDoor)],
    ['probe interval (ms)', String(PROBE_INTERVAL_MS)],
    ['first failed probe -> initial split restored (median, ms)', median(detection).toFixed(0)],
    [
      'cloud unhealthy -> initial split restored (median / max, ms)',
      `${median(fromFlip).toFixed(0)} / ${Math.max(...fromFlip).toFixed(0)}`,
    ],
    ['rollback API time on both routers (median, ms)', median(rollbackApi).toFixed(0)],
    [
      '(unhealthy -> restored) / (interval + rollback API), max (target <= 1)',
      Math.max(
        ...fromFlip.map((value, index) => value / (PROBE_INTERVAL_MS + (rollbackApi[index] ?? 0))),
      ).toFixed(2),
    ],
  ];
  const width = Math.max(...rows.map(([name]) => (name ?? '').length));
  console.log(
    `traffic-shift bench: ${RUNS} runs of a 4-step canary (50/50 -> 100/0), stand-ins at zero latency, zero bake`,
  );
  for (const [name, value] of rows) console.log(`${(name ?? '').padEnd(width)}  ${value}`);
}
