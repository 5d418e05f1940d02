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
import { startAzureIdentityStandIn } from '../stand-ins/src/azure-identity/index.js';
import { startFrontDoorStandIn } from '../stand-ins/src/front-door/index.js';
import { createTestCertificate } from '../stand-ins/src/http/test-certificate.js';
import { startRoute53StandIn } from '../stand-ins/src/route53/index.js';
import { startSmokeTarget } from '../stand-ins/src/smoke-target/index.js';
import { httpProber } from '../actions/traffic-shift/src/probes/http-prober.js';
import { runRollout, type RolloutOptions } from '../actions/traffic-shift/src/rollout/engine.js';
import { DEFAULT_RETRY_POLICY } from '../actions/traffic-shift/src/rollout/retry.js';
import { FrontDoorRouter } from '../actions/traffic-shift/src/routers/front-door-router.js';
import { Route53Router } from '../actions/traffic-shift/src/routers/route53-router.js';

const RUNS = Number(process.env.BENCH_TRAFFIC_RUNS ?? 5);
const PROBE_INTERVAL_MS = Number(process.env.BENCH_PROBE_INTERVAL_MS ?? 500);
const TENANT = '11111111-1111-1111-1111-111111111111';
const CLIENT = '22222222-2222-2222-2222-222222222222';
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

export async function main(): Promise<number> {
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

  async function world() {
    const route53 = await startRoute53StandIn({
      zones: [
        {
          id: 'ZBENCH',
          name: 'example.com',
          recordSets: ['aws', 'azure'].map((cloud) => ({
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
      tls: certificate,
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg',
      profile: 'afd',
      originGroups: [
        {
          name: 'cells',
          additionalLatencyInMilliseconds: 500,
          origins: [
            { name: 'aws', hostName: 'aws.example.net', weight: 500 },
            { name: 'azure', hostName: 'azure.example.net', weight: 500 },
          ],
        },
      ],
      operationDelayMs: 0,
    });
    const options = { policy: DEFAULT_RETRY_POLICY, pollIntervalMs: 10 };
    const route53Client = new Route53Client({
      endpoint: route53.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    });
    const cdn = new CdnManagementClient(credential, SUBSCRIPTION, {
      endpoint: frontDoor.url,
      credentialScopes: [`${frontDoor.url}/.default`],
      tlsOptions: { ca: certificate.cert },
      retryOptions: { maxRetries: 0 },
    });
    const routers = [
      new Route53Router(
        route53Client,
        {
          hostedZoneId: 'ZBENCH',
          recordName: 'app.example.com',
          recordType: 'CNAME',
          setIdentifiers: { aws: 'aws', azure: 'azure' },
        },
        options,
      ),
      new FrontDoorRouter(
        cdn,
        {
          resourceGroup: 'rg',
          profile: 'afd',
          originGroup: 'cells',
          origins: { aws: 'aws', azure: 'azure' },
        },
        options,
      ),
    ];
    return {
      route53,
      frontDoor,
      routers,
      async close() {
        route53Client.destroy();
        await Promise.all([route53.close(), frontDoor.close()]);
      },
    };
  }

  const prober = httpProber({
    urls: { aws: aws.healthUrl, azure: azure.healthUrl },
    expectedStatus: 200,
    timeoutMs: 2000,
  });
  const log = { info: () => undefined, warning: () => undefined };
  const base: RolloutOptions = {
    target: { aws: 100, azure: 0 },
    steps: [10, 25, 50, 100],
    bakeMs: 0,
    probeIntervalMs: 1,
    thresholds: { maxErrorRate: 0.01, maxP95LatencyMs: 1000, minProbes: 1 },
    dryRun: false,
    changeTimeoutMs: 30_000,
  };

  // 1. Control-plane time and API calls per step.
  const stepMs: number[] = [];
  const calls = {
    route53: [] as number[],
    route53Batches: [] as number[],
    frontDoor: [] as number[],
    frontDoorUpdates: [] as number[],
    changedOrigins: [] as number[],
  };
  let totalSteps = 0;
  for (let run = 0; run < RUNS + 1; run += 1) {
    const env = await world();
    const before = {
      route53: env.route53.requests.length,
      frontDoor: env.frontDoor.requests.length,
    };
    const report = await runRollout(
      base,
      { routers: env.routers, prober, log },
      new AbortController().signal,
    );
    if (report.outcome !== 'completed')
      throw new Error(`bench rollout ${report.outcome}: ${report.failureReason ?? ''}`);
    // Run 0 warms up (token, TLS sessions, JIT) and is not counted.
    if (run > 0) {
      totalSteps += report.steps.length;
      for (const step of report.steps) stepMs.push(step.inForceMs);
      calls.route53.push(env.route53.requests.length - before.route53);
      calls.frontDoor.push(env.frontDoor.requests.length - before.frontDoor);
      calls.route53Batches.push(env.route53.changes.length);
      calls.frontDoorUpdates.push(env.frontDoor.updates.length);
      calls.changedOrigins.push(
        report.steps.reduce(
          (sum, step) =>
            sum + (step.routers.find((entry) => entry.id === 'frontdoor')?.change?.writes ?? 0),
          0,
        ),
      );
    }
    await env.close();
  }
  const perStep = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / totalSteps;

  // 2. From the first failed probe to the initial split restored everywhere.
  const detection: number[] = [];
  const fromFlip: number[] = [];
  const rollbackApi: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const env = await world();
    azure.setStatus(200);
    let flippedAt = 0;
    // Azure fails at a random moment of step 2's bake.
    const stop = env.route53.onChange(() => {
      if (env.route53.changes.length === 2) {
        setTimeout(
          () => {
            flippedAt = Date.now();
            azure.setStatus(503);
          },
          Math.random() * 3 * PROBE_INTERVAL_MS,
        );
      }
    });
    const report = await runRollout(
      {
        ...base,
        bakeMs: 10 * PROBE_INTERVAL_MS,
        probeIntervalMs: PROBE_INTERVAL_MS,
        thresholds: { ...base.thresholds, minProbes: 3 },
      },
      { routers: env.routers, prober, log },
      new AbortController().signal,
    );
    stop();
    if (report.outcome !== 'rolled-back' || !report.rollback)
      throw new Error(`expected a rollback, got ${report.outcome}`);
    const restoredAt = report.startedAt + report.durationMs;
    detection.push(report.rollback.detectionToRestoredMs);
    fromFlip.push(restoredAt - flippedAt);
    rollbackApi.push(report.rollback.durationMs);
    await env.close();
  }
  azure.setStatus(200);

  const rows = [
    ['control-plane time per step (median, ms)', median(stepMs).toFixed(0)],
    ['control-plane time per step (max, ms)', Math.max(...stepMs).toFixed(0)],
    ['Route 53 change batches per step (target 1)', perStep(calls.route53Batches).toFixed(2)],
    ['Route 53 API calls per step (list + change + GetChange)', perStep(calls.route53).toFixed(2)],
    [
      'Front Door updates per step / changed origins per step (target equal)',
      `${perStep(calls.frontDoorUpdates).toFixed(2)} / ${perStep(calls.changedOrigins).toFixed(2)}`,
    ],
    [
      'Front Door API calls per step (GET + PATCH + status polls)',
      perStep(calls.frontDoor).toFixed(2),
    ],
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

  await Promise.all([aws.close(), azure.close(), identity.close()]);
  await certificate.remove();
  await rm(dir, { recursive: true, force: true });
  return 0;
}
