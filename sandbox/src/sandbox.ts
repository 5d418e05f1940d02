import { randomBytes } from 'node:crypto';
/**
 * Starts the local sandbox: emulators, control planes, both cells, the edge router and the
 * dashboard, on loopback; seeds the data; writes the state file. Any failure stops what was
 * started. `startSandbox` lists the steps; each step below says what it starts and why there.
 */
import { CLOUDS, type PerCloud } from '../../actions/shared/src/clouds.js';
import {
  AzuritePortBusyError,
  startAzuriteBlob,
  type AzuriteBlob,
} from '../../stand-ins/src/azurite/index.js';
import {
  startS3ConditionalProxy,
  type S3ConditionalProxy,
} from '../../stand-ins/src/s3-conditional/index.js';
import { AWS_ENTRY, AwsCellRunner, createAwsResources } from './cells/aws-cell.js';
import { AZURE_ENTRY, AzureCellRunner } from './cells/azure-cell.js';
import type { CellRunner } from './cells/cell-runner.js';
import { preloadFunctionsBuild } from './cells/functions-build.js';
import { handleControl } from './control-api.js';
import type { OidcIssuer } from '../../stand-ins/src/oidc-issuer/index.js';
import { cellAuthOf, sandboxAuthOf, startSandboxIssuer } from './issuer.js';
import { startControlPlanes, type ControlPlanes } from './control-planes.js';
import { DashboardServer } from './dashboard/dashboard-server.js';
import { startFauxqsServer } from './emulators/fauxqs.js';
import { SandboxError } from './errors.js';
import { HealthMonitor } from './health-monitor.js';
import { ReplicaMonitor } from './replica-monitor.js';
import { RolloutLog } from './rollout-log.js';
import { ALL_HEALTHY } from './router/chain.js';
import { EdgeRouter } from './router/edge-router.js';
import { RequestCounters } from './router/request-counters.js';
import { RunningSandbox, type Sandbox } from './running-sandbox.js';
import { seedCells } from './seed.js';
import { portHint, type SandboxSettings } from './settings.js';
import { allStarted, StartUp } from './start-up.js';
import { defaultStateFile, removeState, writeState } from './state-file.js';

export type { Sandbox } from './running-sandbox.js';

/** What the router and the dashboard serve from before the rest exists. */
interface Front {
  router: EdgeRouter;
  dashboard: DashboardServer;
  counters: RequestCounters;
  rollout: RolloutLog;
  /** The cells' URLs, filled in once they listen (the router reads them per request). */
  cellUrls: PerCloud<string>;
  /** Set when the control planes are up, and when the sandbox is ready. */
  late: { planes?: ControlPlanes; sandbox?: RunningSandbox; monitor?: HealthMonitor };
}

interface Emulators {
  fauxqsUrl: string;
  fauxqs: Awaited<ReturnType<typeof startFauxqsServer>>;
  azurite: AzuriteBlob;
  /** The OIDC issuer whose tokens the cells require. */
  issuer: OidcIssuer;
  /** Started with the emulators, awaited with the cells' first deploy. */
  planesStarting: Promise<ControlPlanes>;
}

interface Cells {
  runners: PerCloud<CellRunner>;
  aws: AwsCellRunner;
  azure: AzureCellRunner;
  s3: S3ConditionalProxy;
}

export async function startSandbox(
  settings: SandboxSettings,
  log: (line: string) => void = () => undefined,
): Promise<Sandbox> {
  const startUp = new StartUp(log);
  try {
    const front = await listenFront(settings, startUp);
    startUp.phase('router and dashboard listening');
    const emulators = await startEmulators(settings, startUp);
    startUp.phase('fauxqs and Azurite up');
    const cells = await startCells(settings, startUp, emulators, front.cellUrls);
    const planes = await deployFirstRelease(settings, cells, emulators.planesStarting, front);
    startUp.phase('control planes up, both cells deployed');
    const seeded = await seedCells(front.cellUrls, emulators.issuer.adminToken());
    // Leases on the seeded stock before the first order (the timers renew every 2 s after).
    await Promise.all(CLOUDS.map((cloud) => cells.runners[cloud].renewLeases()));
    startUp.phase('seed data written');
    front.rollout.add('sandbox', `both cells on ${settings.version}; seeded ${seeded}`);
    const monitor = await startHealthMonitor(front.cellUrls, startUp);
    front.late.monitor = monitor;
    const replicas = new ReplicaMonitor(front.cellUrls, () => emulators.issuer.adminToken());
    startUp.onStop(() => replicas.stop());
    replicas.start();
    trimRequestLogs(
      [cells.s3, cells.azure.eventHubs, cells.azure.notificationHubs],
      planes,
      startUp,
    );
    const urls = endpointUrls(front, emulators, cells, planes);
    const stateFile = saveState(settings, urls, planes, emulators.issuer, startUp);
    const sandbox = new RunningSandbox({
      ...front,
      planes,
      cells: cells.runners,
      monitor,
      replicas,
      urls,
      stateFile,
      startupMs: startUp.elapsedMs(),
      stop: () => startUp.stopAll(),
    });
    front.late.sandbox = sandbox;
    log(`ready in ${sandbox.startupMs} ms`);
    return sandbox;
  } catch (error) {
    await startUp.abort();
    throw error;
  }
}

/**
 * The edge router and the dashboard listen first, on their fixed ports: a busy port fails
 * before anything heavy starts. Both answer from pieces that exist only later (`late`).
 */
async function listenFront(settings: SandboxSettings, startUp: StartUp): Promise<Front> {
  const counters = new RequestCounters();
  const late: Front['late'] = {};
  const cellUrls = {} as PerCloud<string>;
  const router = new EdgeRouter({
    cells: cellUrls,
    readWeights: () => {
      if (!late.planes) throw new Error('control planes not started');
      return late.planes.readWeights();
    },
    // Until the first checks are in, every cell counts as healthy (as a new health check does).
    readHealth: () => late.monitor?.routingHealth() ?? ALL_HEALTHY,
    mode: settings.routerMode,
    counters,
  });
  await router.listen(settings.ports.router, portHint('router'));
  startUp.onStop(() => router.close());
  const dashboard = new DashboardServer(
    () => {
      if (!late.sandbox) throw new Error('not ready');
      return late.sandbox.snapshot();
    },
    async (path, body) => (late.sandbox ? handleControl(late.sandbox, path, body) : undefined),
  );
  await dashboard.listen(settings.ports.dashboard, portHint('dashboard'));
  startUp.onStop(() => dashboard.close());
  return { router, dashboard, counters, rollout: new RolloutLog(), cellUrls, late };
}

/**
 * fauxqs, Azurite and the OIDC issuer, side by side; meanwhile the first release builds and the
 * control planes (with their test certificate) start. Each registers its stop as soon as it is up, so a
 * failure of one still stops the others.
 */
async function startEmulators(settings: SandboxSettings, startUp: StartUp): Promise<Emulators> {
  preloadFunctionsBuild(AWS_ENTRY, `aws-${settings.version}`);
  preloadFunctionsBuild(AZURE_ENTRY, `azure-${settings.version}`);
  const planesStarting = startUp.track(startControlPlanes(), (planes) => planes.close());
  const [fauxqs, azurite, issuer] = await allStarted([
    startUp.track(startFauxqsServer(settings.ports.fauxqs, portHint('fauxqs')), (f) => f.stop()),
    startUp.track(startAzurite(settings.ports.azurite), (a) => a.stop()),
    startUp.track(startSandboxIssuer(), (i) => i.close()),
  ]);
  return {
    fauxqs,
    fauxqsUrl: `http://127.0.0.1:${fauxqs.port}`,
    azurite,
    issuer,
    planesStarting,
  };
}

async function startAzurite(port: number): Promise<AzuriteBlob> {
  try {
    return await startAzuriteBlob({ port });
  } catch (error) {
    if (!(error instanceof AzuritePortBusyError)) throw error;
    throw new SandboxError(`${error.message} (choose another with ${portHint('azurite')})`);
  }
}

/**
 * Both cells' hosts, on their ports. The S3 proxy adds the conditional writes fauxqs ignores;
 * the Azure cell's Event Hubs and Notification Hubs stand-ins start with it. Each cell
 * forwards the other cell's IDs to the other's URL.
 */
async function startCells(
  settings: SandboxSettings,
  startUp: StartUp,
  emulators: Emulators,
  cellUrls: PerCloud<string>,
): Promise<Cells> {
  // One key per run, as Terraform writes one secret into Secrets Manager and Key Vault (ADR 17).
  const peerKey = randomBytes(48).toString('base64');
  const [s3, azure] = await allStarted([
    startUp.track(startS3ConditionalProxy({ upstream: emulators.fauxqsUrl }), (p) => p.close()),
    startUp.track(
      AzureCellRunner.create(
        emulators.azurite,
        cellAuthOf(emulators.issuer),
        () => cellUrls.aws,
        peerKey,
      ),
      (runner) => runner.stop(),
    ),
  ]);
  startUp.phase('S3 proxy and Azure cell services up');
  const resources = createAwsResources(emulators.fauxqs);
  const aws = new AwsCellRunner(
    emulators.fauxqsUrl,
    s3,
    resources,
    cellAuthOf(emulators.issuer),
    () => cellUrls.azure,
    peerKey,
  );
  startUp.onStop(() => aws.stop());
  await aws.host.listen(settings.ports.aws, portHint('aws'));
  await azure.listen(settings.ports.azure, portHint('azure'));
  cellUrls.aws = aws.url;
  cellUrls.azure = azure.url;
  return { runners: { aws, azure }, aws, azure, s3 };
}

/** The first release into both cells, while the control planes finish starting. */
async function deployFirstRelease(
  settings: SandboxSettings,
  cells: Cells,
  planesStarting: Promise<ControlPlanes>,
  front: Front,
): Promise<ControlPlanes> {
  const [planes] = await allStarted([
    planesStarting,
    ...CLOUDS.map((cloud) => cells.runners[cloud].deploy(settings.version)),
  ]);
  front.late.planes = planes;
  planes.onWeightChange((change) => front.rollout.add(change.router, change.text));
  return planes;
}

async function startHealthMonitor(
  cellUrls: PerCloud<string>,
  startUp: StartUp,
): Promise<HealthMonitor> {
  const monitor = new HealthMonitor(cellUrls);
  startUp.onStop(() => monitor.stop());
  await Promise.all(CLOUDS.map((cloud) => monitor.check(cloud)));
  monitor.start();
  return monitor;
}

/**
 * Every stand-in keeps a log of the requests it served (for tests' assertions); in a sandbox
 * that runs for hours under load, the S3 proxy's alone would grow without bound.
 */
function trimRequestLogs(
  cellServices: { server: { clearRequests(): void } }[],
  planes: ControlPlanes,
  startUp: StartUp,
): void {
  const logs = [...cellServices, planes.route53, planes.frontDoor, planes.identity].map(
    (standIn) => standIn.server,
  );
  const timer = setInterval(() => logs.forEach((server) => server.clearRequests()), 30_000);
  timer.unref();
  startUp.onStop(() => clearInterval(timer));
}

/** In the banner's order: what a newcomer needs first, then what the cells talk to. */
function endpointUrls(
  front: Front,
  emulators: Emulators,
  cells: Cells,
  planes: ControlPlanes,
): Record<string, string> {
  return {
    router: front.router.url,
    dashboard: front.dashboard.url,
    aws: cells.aws.url,
    azure: cells.azure.url,
    route53: planes.route53.url,
    frontdoor: planes.frontDoor.url,
    identity: planes.identity.url,
    issuer: emulators.issuer.issuer,
    fauxqs: emulators.fauxqsUrl,
    azurite: emulators.azurite.url,
    eventhubs: cells.azure.eventHubs.url,
    notificationhubs: cells.azure.notificationHubs.url,
  };
}

/**
 * The state file `npm run shift`, `load`, `token` and `rehearse` find the sandbox by (0600: it
 * holds the token endpoint's client secret); removed last.
 */
function saveState(
  settings: SandboxSettings,
  urls: Record<string, string>,
  planes: ControlPlanes,
  issuer: OidcIssuer,
  startUp: StartUp,
): string {
  const stateFile = settings.stateFile ?? defaultStateFile();
  writeState(stateFile, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    urls,
    shiftInputs: planes.shiftInputs(),
    shiftEnv: planes.shiftEnv(),
    auth: sandboxAuthOf(issuer),
  });
  startUp.onStopLast(() => removeState(stateFile));
  return stateFile;
}
