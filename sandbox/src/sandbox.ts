import { CLOUDS, isCloud, type Cloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import {
  AzuritePortBusyError,
  startAzuriteBlob,
  type AzuriteBlob,
} from '../../stand-ins/src/azurite/index.js';
import { startS3ConditionalProxy } from '../../stand-ins/src/s3-conditional/index.js';
import { AWS_ENTRY, AwsCellRunner, createAwsResources } from './cells/aws-cell.js';
import { AZURE_ENTRY, AzureCellRunner } from './cells/azure-cell.js';
import type { CellDeployOptions, CellRunner } from './cells/cell-runner.js';
import { preloadFunctionsBuild } from './cells/functions-build.js';
import { startControlPlanes, type ControlPlanes } from './control-planes.js';
import { DashboardServer } from './dashboard/dashboard-server.js';
import type { SandboxSnapshot } from './dashboard/snapshot.js';
import { startFauxqsServer } from './emulators/fauxqs.js';
import { SandboxError } from './errors.js';
import { HealthMonitor } from './health-monitor.js';
import { RolloutLog } from './rollout-log.js';
import { EdgeRouter } from './router/edge-router.js';
import { RequestCounters, type CountersSnapshot } from './router/request-counters.js';
import { effectiveWeights, isRouterMode, percentages, type RouterMode } from './router/weights.js';
import { seedCells } from './seed.js';
import { portHint, type PortName, type SandboxSettings } from './settings.js';
import { runTrafficShift, type ShiftRequest, type ShiftResult } from './shift-runner.js';
import { defaultStateFile, removeState, writeState, type SandboxState } from './state-file.js';

export interface Sandbox {
  /** `<name>: <url>` in print order: router, dashboard, aws, azure, route53, frontdoor, ... */
  readonly urls: Record<string, string>;
  readonly stateFile: string;
  /** Milliseconds from the call to ready (every server up, cells deployed, data seeded). */
  readonly startupMs: number;
  snapshot(): SandboxSnapshot;
  counters(): CountersSnapshot;
  resetCounters(): void;
  /** "Deploys" a new build to one cell: the functions are rebuilt from source and swapped in. */
  restartCell(cloud: Cloud, version: string, options?: CellDeployOptions): Promise<void>;
  setRouterMode(mode: RouterMode): void;
  /** Runs the real traffic-shift action against this sandbox. */
  shift(request: ShiftRequest, onLine?: (line: string) => void): Promise<ShiftResult>;
  stop(): Promise<void>;
}

/**
 * Starts everything on loopback: emulators, control planes, both cells, the edge router and
 * the dashboard; seeds the data; writes the state file. Any failure stops what was started.
 */
export async function startSandbox(
  settings: SandboxSettings,
  log: (line: string) => void = () => undefined,
): Promise<Sandbox> {
  const started = Date.now();
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error(`while stopping: ${(error as Error).message}`);
      }
    }
    stops.length = 0;
  };
  const hint = (name: PortName): string => portHint(name);
  let phaseStarted = started;
  // Where start-up time goes (`SANDBOX_DEBUG=1 npm start` prints it).
  const phase = (what: string): void => {
    const now = Date.now();
    log(`start-up: ${what} (+${now - phaseStarted} ms)`);
    phaseStarted = now;
  };

  // Pieces still starting when something fails: waited for, so that they are stopped too.
  const inFlight: Promise<unknown>[] = [];
  try {
    const counters = new RequestCounters();
    const rollout = new RolloutLog();
    // Filled in as the pieces start; the router and dashboard exist before them.
    const late: { planes?: ControlPlanes; sandbox?: Sandbox } = {};
    const cellUrls = {} as PerCloud<string>;
    const urls: Record<string, string> = {};

    // Listen on every fixed port first: a busy port fails before anything heavy starts.
    const router = new EdgeRouter({
      cells: cellUrls,
      readWeights: () => {
        if (!late.planes) throw new Error('control planes not started');
        return late.planes.readWeights();
      },
      mode: settings.routerMode,
      counters,
    });
    await router.listen(settings.ports.router, hint('router'));
    stops.push(() => router.close());

    const dashboard = new DashboardServer(
      () => {
        if (!late.sandbox) throw new Error('not ready');
        return late.sandbox.snapshot();
      },
      (path, body) => handleControl(path, body),
    );
    await dashboard.listen(settings.ports.dashboard, hint('dashboard'));
    phase('router and dashboard listening');
    stops.push(() => dashboard.close());

    // The emulators start side by side; each registers its stop as soon as it is up, so a
    // failure of one still stops the others.
    const track = <T>(
      starting: Promise<T>,
      stop: (started: T) => Promise<void> | void,
    ): Promise<T> => {
      const tracked = starting.then((started) => {
        stops.push(() => stop(started));
        return started;
      });
      inFlight.push(tracked);
      return tracked;
    };
    // The first release builds, and the control planes (with their test certificate) start,
    // while the emulators start.
    preloadFunctionsBuild(AWS_ENTRY, `aws-${settings.version}`);
    preloadFunctionsBuild(AZURE_ENTRY, `azure-${settings.version}`);
    const planesStarting = track(startControlPlanes(), (c) => c.close());
    const fauxqsStarting = track(startFauxqsServer(settings.ports.fauxqs, hint('fauxqs')), (f) =>
      f.stop(),
    );
    const [fauxqs, azurite] = await allStarted([
      fauxqsStarting,
      track(startAzurite(settings.ports.azurite), (a) => a.stop()),
    ]);
    phase('fauxqs and Azurite up');
    const fauxqsUrl = `http://127.0.0.1:${fauxqs.port}`;
    // fauxqs ignores S3's conditional-write headers: the project's proxy adds them in front.
    const [s3, azure] = await allStarted([
      track(startS3ConditionalProxy({ upstream: fauxqsUrl }), (p) => p.close()),
      track(
        AzureCellRunner.create(azurite, () => cellUrls.aws),
        (runner) => runner.stop(),
      ),
    ]);
    phase('S3 proxy and Azure cell services up');
    const aws = new AwsCellRunner(
      fauxqsUrl,
      s3.url,
      createAwsResources(fauxqs),
      () => cellUrls.azure,
    );
    stops.push(() => aws.stop());
    await aws.host.listen(settings.ports.aws, hint('aws'));
    await azure.listen(settings.ports.azure, hint('azure'));
    cellUrls.aws = aws.url;
    cellUrls.azure = azure.url;
    const cells: PerCloud<CellRunner> = { aws, azure };

    const [planes] = await allStarted([
      planesStarting,
      ...CLOUDS.map((cloud) => cells[cloud].deploy(settings.version)),
    ]);
    phase('control planes up, both cells deployed');
    late.planes = planes;
    planes.onWeightChange((change) => rollout.add(change.router, change.text));

    const seeded = await seedCells(cellUrls);
    phase('seed data written');
    rollout.add('sandbox', `both cells on ${settings.version}; seeded ${seeded}`);

    const monitor = new HealthMonitor(cellUrls);
    stops.push(() => monitor.stop());
    await Promise.all(CLOUDS.map((cloud) => monitor.check(cloud)));
    monitor.start();

    // Every stand-in keeps a log of the requests it served (for tests' assertions); in a
    // sandbox that runs for hours under load, the S3 proxy's alone would grow without bound.
    const logs = [
      s3.server,
      azure.eventHubs.server,
      azure.notificationHubs.server,
      planes.route53.server,
      planes.frontDoor.server,
      planes.identity.server,
    ];
    const trimLogs = setInterval(() => logs.forEach((server) => server.clearRequests()), 30_000);
    trimLogs.unref();
    stops.push(() => clearInterval(trimLogs));

    Object.assign(urls, {
      router: router.url,
      dashboard: dashboard.url,
      aws: aws.url,
      azure: azure.url,
      route53: planes.route53.url,
      frontdoor: planes.frontDoor.url,
      identity: planes.identity.url,
      fauxqs: fauxqsUrl,
      azurite: azurite.url,
      eventhubs: azure.eventHubs.url,
      notificationhubs: azure.notificationHubs.url,
    });

    let shifting: Promise<ShiftResult> | undefined;
    const shift = async (
      request: ShiftRequest,
      onLine?: (line: string) => void,
    ): Promise<ShiftResult> => {
      if (shifting)
        throw new SandboxError(
          "a traffic shift is already running: one at a time, as the workflow's concurrency group allows",
        );
      rollout.add('shift', `traffic-shift to ${request.target} started`);
      shifting = runTrafficShift(
        request,
        { shiftInputs: planes.shiftInputs(), shiftEnv: planes.shiftEnv(), cells: cellUrls },
        (line) => {
          rollout.add('shift', line);
          onLine?.(line);
        },
      );
      try {
        const result = await shifting;
        rollout.add(
          'shift',
          result.exitCode === 0
            ? `traffic-shift to ${request.target} done`
            : `traffic-shift to ${request.target} failed (exit ${result.exitCode})`,
        );
        return result;
      } finally {
        shifting = undefined;
      }
    };

    const restartCell = async (
      cloud: Cloud,
      version: string,
      options: CellDeployOptions = {},
    ): Promise<void> => {
      rollout.add(
        'cell',
        `${cloud}: deploying ${version}${options.breakHealth ? ' (a release whose health check fails)' : ''}`,
      );
      await cells[cloud].deploy(version, options);
      const status = await monitor.check(cloud);
      rollout.add(
        'cell',
        `${cloud}: running ${version}, ${status.healthy ? 'healthy' : `unhealthy (health ${status.healthStatus})`}`,
      );
    };

    const handleControl = async (
      path: string,
      body: unknown,
    ): Promise<{ status: number; body: unknown } | undefined> => {
      const input = (body ?? {}) as Record<string, unknown>;
      try {
        const restart = /^\/api\/cells\/([^/]+)\/deploy$/.exec(path);
        if (restart) {
          const cloud = restart[1] ?? '';
          if (!isCloud(cloud))
            return { status: 404, body: { error: `no cell "${cloud}": aws or azure` } };
          if (typeof input.version !== 'string' || !/^[\w.+-]{1,64}$/.test(input.version)) {
            return {
              status: 400,
              body: {
                error: 'version must be a string of letters, digits, dots, dashes (at most 64)',
              },
            };
          }
          await restartCell(cloud, input.version, {
            breakHealth: input.breakHealth === true,
            downtimeMs: typeof input.downtimeMs === 'number' ? input.downtimeMs : 0,
          });
          return { status: 200, body: { cell: monitor.snapshot()[cloud] } };
        }
        if (path === '/api/router') {
          if (typeof input.mode !== 'string' || !isRouterMode(input.mode)) {
            return { status: 400, body: { error: 'mode must be route53 or frontdoor' } };
          }
          late.sandbox?.setRouterMode(input.mode);
          return { status: 200, body: { mode: input.mode } };
        }
        if (path === '/api/rollout') {
          if (typeof input.text !== 'string' || input.text.length > 2000) {
            return {
              status: 400,
              body: { error: 'text must be a string of at most 2000 characters' },
            };
          }
          rollout.add(
            typeof input.source === 'string' ? input.source.slice(0, 20) : 'note',
            input.text,
          );
          return { status: 200, body: {} };
        }
        if (path === '/api/counters/reset') {
          counters.reset();
          return { status: 200, body: counters.snapshot() };
        }
        if (path === '/api/shift') {
          if (typeof input.target !== 'string')
            return { status: 400, body: { error: 'target is required, e.g. aws=100,azure=0' } };
          const result = await shift({
            target: input.target,
            ...(typeof input.steps === 'string' ? { steps: input.steps } : {}),
            ...(typeof input.bakeSeconds === 'number' ? { bakeSeconds: input.bakeSeconds } : {}),
            ...(typeof input.probeIntervalSeconds === 'number'
              ? { probeIntervalSeconds: input.probeIntervalSeconds }
              : {}),
            ...(typeof input.minProbesPerStep === 'number'
              ? { minProbesPerStep: input.minProbesPerStep }
              : {}),
            ...(input.extraInputs && typeof input.extraInputs === 'object'
              ? { extraInputs: input.extraInputs as Record<string, string> }
              : {}),
          });
          return { status: result.exitCode === 0 ? 200 : 409, body: result };
        }
      } catch (error) {
        if (error instanceof SandboxError) return { status: 400, body: { error: error.message } };
        throw error;
      }
      return undefined;
    };

    const stateFile = settings.stateFile ?? defaultStateFile();
    const state: SandboxState = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      urls,
      shiftInputs: planes.shiftInputs(),
      shiftEnv: planes.shiftEnv(),
    };
    writeState(stateFile, state);
    stops.unshift(() => removeState(stateFile));

    const sandbox: Sandbox = {
      urls,
      stateFile,
      startupMs: Date.now() - started,
      snapshot: (): SandboxSnapshot => {
        const weights = planes.readWeights();
        return {
          at: new Date().toISOString(),
          routerMode: router.mode,
          weights,
          split: percentages(effectiveWeights(weights, router.mode)),
          counters: counters.snapshot(),
          history: counters.history(),
          cells: monitor.snapshot(),
          rollout: rollout.latest(),
          urls,
        };
      },
      counters: () => counters.snapshot(),
      resetCounters: () => counters.reset(),
      restartCell,
      setRouterMode: (mode) => {
        router.mode = mode;
        rollout.add(
          'sandbox',
          `edge router now follows ${mode === 'route53' ? 'Route 53' : 'Front Door'}`,
        );
      },
      shift,
      stop: stopAll,
    };
    late.sandbox = sandbox;
    log(`ready in ${sandbox.startupMs} ms`);
    return sandbox;
  } catch (error) {
    await Promise.allSettled(inFlight);
    await stopAll();
    throw error;
  }
}

/**
 * Promise.all that waits for every piece to settle before failing, so that whatever did start
 * has registered its stop and is stopped with the rest.
 */
async function allStarted<T extends readonly unknown[]>(
  starting: [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(starting);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

async function startAzurite(port: number): Promise<AzuriteBlob> {
  try {
    return await startAzuriteBlob({ port });
  } catch (error) {
    if (!(error instanceof AzuritePortBusyError)) throw error;
    throw new SandboxError(`${error.message} (choose another with ${portHint('azurite')})`);
  }
}
