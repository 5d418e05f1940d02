/**
 * The rollout sequence (./sequence.ts) executed against the local sandbox: the same steps, the
 * same inputs, the real traffic-shift action's dist/ through the test bench's action runner.
 * Only what cannot exist on one machine is stood in, each in one place below:
 * - `plan` finds changes when the cell runs another version than the one rolled out; its digest
 *   is a hash of that change, and the reviewed digest is the same hash unless `--unapproved`
 *   names the cell (`verify` and `apply` then refuse with plan-changed, as the apply action does);
 * - `apply` (Terraform deploying the new build) is the sandbox restarting that cell on a fresh
 *   build of the functions, after the drain is in force on the edge router and the requests in
 *   flight to that cell have finished;
 * - the action's router endpoints point at the sandbox's Route 53 and Front Door stand-ins.
 */
import { createHash } from 'node:crypto';

import { CLOUDS, otherCloud, type Cloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import { formatSplit } from '../../actions/traffic-shift/src/rollout/split.js';
import type { SandboxClient } from '../../sandbox/src/client.js';
import type { CellStatus, SandboxSnapshot } from '../../sandbox/src/dashboard/snapshot.js';
import { effectiveWeights } from '../../sandbox/src/router/weights.js';
import { runTrafficShift, type SandboxTargets } from '../../sandbox/src/shift-runner.js';
import type { SandboxState } from '../../sandbox/src/state-file.js';
import { RolloutError } from './errors.js';
import {
  cellEnvironment,
  PLAN_ACTION,
  resolveInputs,
  ROLLOUT_STEPS,
  ROUTING_INPUTS,
  stepRuns,
  TRAFFIC_SHIFT_ACTION,
  type ActionStep,
  type StepOutputs,
  type RolloutStep,
  type RoutingInput,
  type StepId,
} from './sequence.js';
import type { RolloutSettings } from './settings.js';
import { smokeStep } from './smoke-test.js';

export interface RehearsalOptions {
  settings: RolloutSettings;
  /** The version rolled out to the cells that get a new build. */
  version: string;
  /**
   * The cells that get a new build (`--changed`); the others are rolled out with the version
   * they already run, so their plan has no changes and their traffic is never touched.
   * Default: both.
   */
  changed?: readonly Cloud[];
  /**
   * This cloud's reviewed plan is not the plan the deploy makes (`--unapproved`): its apply is
   * refused, which the verify step finds before any traffic moves.
   */
  unapprovedCloud?: Cloud;
  /** This cloud's new version fails its health check (to rehearse the rollback). */
  breakCloud?: Cloud;
  /**
   * This cloud's new version answers every request this much slower (`--slow azure=+150ms`):
   * healthy, within the ceilings, but worse than the other cloud, which the canary's comparison
   * catches.
   */
  slow?: { cloud: Cloud; latencyMs: number };
  /**
   * This cloud's new version passes its smoke test, then fails its health check once the
   * canary gives it traffic (a release that degrades under load), to rehearse the canary's
   * rollback.
   */
  degradeCloud?: Cloud;
  /** How long a cell answers 503 while it restarts on the new build. */
  restartDowntimeMs?: number;
  state: SandboxState;
  client: SandboxClient;
  log?: (line: string) => void;
}

export interface StepRecord {
  cloud: Cloud;
  step: StepId;
  ok: boolean;
  /** Its `if:` was false (the plan found no changes). */
  skipped: boolean;
  ms: number;
  detail: string;
}

export interface RehearsalResult {
  completed: boolean;
  failure: { cloud: Cloud; step: StepId; reason: string } | undefined;
  steps: StepRecord[];
  before: SandboxSnapshot;
  after: SandboxSnapshot;
  durationMs: number;
}

/** The traffic-shift inputs for the sandbox: its routers and its cells' own health URLs. */
export function sandboxRouting(state: SandboxState): Partial<Record<RoutingInput, string>> {
  const routing: Partial<Record<RoutingInput, string>> = {};
  for (const input of ROUTING_INPUTS) {
    const value = state.shiftInputs[input];
    if (value !== undefined) routing[input] = value;
  }
  routing['smoke-urls'] = `aws=${state.urls.aws}/health,azure=${state.urls.azure}/health`;
  return routing;
}

export function sandboxTargets(state: SandboxState): SandboxTargets {
  const { aws, azure } = state.urls;
  if (!aws || !azure) throw new RolloutError("the sandbox state lacks the cells' URLs");
  return { shiftInputs: state.shiftInputs, shiftEnv: state.shiftEnv, cells: { aws, azure } };
}

/** Share of traffic the edge router gives each cloud under BOTH routers' weights. */
function liveShares(snapshot: SandboxSnapshot): PerCloud<{ route53: number; frontdoor: number }> {
  const r53 = effectiveWeights(snapshot.weights, 'route53');
  const afd = effectiveWeights(snapshot.weights, 'frontdoor');
  return {
    aws: { route53: r53.aws, frontdoor: afd.aws },
    azure: { route53: r53.azure, frontdoor: afd.azure },
  };
}

export function splitText(snapshot: SandboxSnapshot): string {
  return formatSplit(snapshot.split);
}

/**
 * Before a cell restarts: the edge router must no longer pick it (0 weight in force on both
 * routers) and the requests already sent to it must have finished, seen as its request count
 * standing still for a while. A real deploy gets the same from the drain's bake (DNS TTL and
 * Front Door propagation); here it is checked, not assumed.
 */
async function waitUntilDrained(
  client: SandboxClient,
  cloud: Cloud,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastCount = -1;
  let still = 0;
  while (Date.now() < deadline) {
    const snapshot = await client.state();
    const shares = liveShares(snapshot)[cloud];
    const count = snapshot.counters[cloud].requests + snapshot.counters[cloud].failed;
    if (shares.route53 === 0 && shares.frontdoor === 0) {
      still = count === lastCount ? still + 1 : 0;
      if (still >= 3) return;
    } else {
      still = 0;
    }
    lastCount = count;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new RolloutError(
    `the edge router still sends requests to ${cloud} ${timeoutMs / 1000} s after the drain: not restarting it`,
  );
}

/**
 * Watches the routers until the canary gives `cloud` traffic, then redeploys the same version
 * with a failing health check: the release "degrades under load" after it passed its smoke
 * test, so the canary's probes catch it and traffic-shift rolls back.
 */
function degradeOnceItHasTraffic(
  client: SandboxClient,
  cloud: Cloud,
  version: string,
  say: (line: string) => void,
): { stop(): Promise<void> } {
  let stopped = false;
  const watching = (async (): Promise<void> => {
    while (!stopped) {
      const shares = liveShares(await client.state())[cloud];
      if (shares.route53 > 0 && shares.frontdoor > 0) {
        say(`(rehearsal) ${cloud} ${version} now degrades under traffic: its health check fails`);
        await client.deployCell(cloud, version, { breakHealth: true });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await watching.catch(() => undefined);
    },
  };
}

type StepOutcome = { ok: boolean; detail: string; outputs?: Record<string, string> };

/** What a stand-in step gets: the cloud, its rollout environment, the options, its logger. */
interface StandInContext {
  cloud: Cloud;
  environment: Record<string, string>;
  options: RehearsalOptions;
  say: (line: string) => void;
}

/**
 * The digest of a stand-in plan: Terraform's plan of one cell is, here, "from the version it
 * runs to the version rolled out"; the same change always hashes the same.
 */
export function standInPlanDigest(cloud: Cloud, running: string, version: string): string {
  return createHash('sha256').update(`${cloud} ${running} -> ${version}`).digest('hex');
}

/**
 * The plan that was reviewed on the pull request: the same change, except for the cell of
 * `--unapproved`, whose comment shows the plan of another build (the code changed after review).
 */
function reviewedDigest(context: StandInContext, running: string): string {
  const version = context.environment.ROLLOUT_VERSION ?? '';
  return context.options.unapprovedCloud === context.cloud
    ? standInPlanDigest(context.cloud, running, `${version}, as reviewed before a later push`)
    : standInPlanDigest(context.cloud, running, version);
}

/** The plan action: Terraform would compare the stack with the new build; here the version. */
async function planStandIn(context: StandInContext, directory: string): Promise<StepOutcome> {
  const { cloud, environment, options, say } = context;
  const running = (await options.client.state()).cells[cloud].version ?? '?';
  const changes = running !== environment.ROLLOUT_VERSION;
  say(`plan ${directory} (stand-in): ${cloud} runs ${running}`);
  return {
    ok: true,
    detail: changes ? `changes: ${running} -> ${environment.ROLLOUT_VERSION}` : 'no changes',
    outputs: {
      'has-changes': String(changes),
      'plan-path': `${cloud}.tfplan`,
      'plan-digest': standInPlanDigest(cloud, running, environment.ROLLOUT_VERSION ?? ''),
    },
  };
}

/**
 * The apply action's approval check (verify-only, and again at apply): the saved plan's digest
 * must be the reviewed one, or it refuses with plan-changed and changes nothing.
 */
async function approvalStandIn(
  context: StandInContext,
  outputs: StepOutputs,
): Promise<StepOutcome | undefined> {
  const running = (await context.options.client.state()).cells[context.cloud].version ?? '?';
  const planned = outputs.plan?.['plan-digest'] ?? '';
  const reviewed = reviewedDigest(context, running);
  if (planned === reviewed) return undefined;
  return {
    ok: false,
    detail: `plan-changed: the saved plan (${planned.slice(0, 12)}) is not the reviewed plan (${reviewed.slice(0, 12)}); nothing applied`,
    outputs: { verified: 'false', applied: 'false', 'failure-reason': 'plan-changed' },
  };
}

async function verifyStandIn(context: StandInContext, outputs: StepOutputs): Promise<StepOutcome> {
  context.say(`verify ${context.cloud}'s saved plan against the reviewed plan (stand-in)`);
  const refused = await approvalStandIn(context, outputs);
  if (refused) return refused;
  return {
    ok: true,
    detail: `the reviewed plan (${outputs.plan?.['plan-digest']?.slice(0, 12)}); verify-only, nothing applied`,
    outputs: { verified: 'true', applied: 'false', 'failure-reason': '' },
  };
}

/** The apply action: Terraform would deploy the new build; the sandbox restarts the cell. */
async function applyStandIn(
  context: StandInContext,
  directory: string,
  outputs: StepOutputs,
): Promise<StepOutcome> {
  const { cloud, environment, options, say } = context;
  const refused = await approvalStandIn(context, outputs);
  if (refused) return refused;
  say(`waiting until the edge router sends ${cloud} nothing and its requests have finished`);
  await waitUntilDrained(options.client, cloud);
  const broken = options.breakCloud === cloud;
  const latencyMs = options.slow?.cloud === cloud ? options.slow.latencyMs : 0;
  say(
    `apply ${directory} (stand-in): ${cloud} restarts on ${environment.ROLLOUT_VERSION}${broken ? ' (a release whose health check fails)' : ''}${latencyMs ? ` (a release ${latencyMs} ms slower)` : ''}`,
  );
  const status: CellStatus = await options.client.deployCell(
    cloud,
    environment.ROLLOUT_VERSION ?? '',
    { breakHealth: broken, downtimeMs: options.restartDowntimeMs ?? 1000, latencyMs },
  );
  return { ok: true, detail: `${cloud} runs ${status.version ?? '?'}` };
}

/** The real traffic-shift action (dist/) against the sandbox's routers. */
async function shiftStep(
  context: StandInContext,
  step: ActionStep,
  inputs: Record<string, string>,
): Promise<StepOutcome> {
  const { cloud, environment, options, say } = context;
  say(
    `traffic-shift to ${inputs.target} (steps ${inputs.steps}, bake ${inputs['bake-seconds']} s)`,
  );
  const degrade =
    step.id === 'canary' && options.degradeCloud === cloud
      ? degradeOnceItHasTraffic(options.client, cloud, environment.ROLLOUT_VERSION ?? '', say)
      : undefined;
  let result;
  try {
    result = await runTrafficShift(
      { target: inputs.target ?? '', extraInputs: inputs },
      sandboxTargets(options.state),
      (line) => say(`  ${line}`),
    );
  } finally {
    await degrade?.stop();
  }
  const final = result.outputs['final-split'] ?? '?';
  if (result.exitCode === 0)
    return { ok: true, detail: `in force: ${final}`, outputs: result.outputs };
  const reason = result.outputs['failure-reason'] || `the action exited ${result.exitCode}`;
  return {
    ok: false,
    detail: `${reason}${result.outputs['rolled-back'] === 'true' ? ' (rolled back)' : ''}; split now ${final}`,
  };
}

async function runStep(
  step: RolloutStep,
  context: StandInContext,
  outputs: StepOutputs,
): Promise<StepOutcome> {
  const { environment, say } = context;
  if ('uses' in step) {
    const inputs = resolveInputs(step, environment, outputs);
    const directory = inputs['working-directory'] ?? '';
    if (step.uses === PLAN_ACTION) return planStandIn(context, directory);
    if (step.uses === TRAFFIC_SHIFT_ACTION) return shiftStep(context, step, inputs);
    if (inputs['verify-only'] === 'true') return verifyStandIn(context, outputs);
    return applyStandIn(context, directory, outputs);
  }
  // The smoke command: the very function the deploy workflow's `smoke` step runs.
  say(
    `smoke test of ${context.cloud}'s own health URL (expects version ${environment.ROLLOUT_VERSION})`,
  );
  const smoke = await smokeStep(environment);
  return smoke.ok
    ? { ok: true, detail: `healthy on ${smoke.version} (${smoke.attempts} checks)` }
    : { ok: false, detail: `smoke test failed: ${smoke.reason}` };
}

/** Runs the sequence for each cloud in order; stops at the first failed step, as the workflow does. */
export async function rehearse(options: RehearsalOptions): Promise<RehearsalResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const before = await options.client.state();
  const steps: StepRecord[] = [];
  let failure: RehearsalResult['failure'];

  outer: for (const cloud of options.settings.order) {
    const unchanged = options.changed !== undefined && !options.changed.includes(cloud);
    const environment = cellEnvironment(options.settings, cloud, {
      version: (unchanged ? before.cells[cloud].version : undefined) ?? options.version,
      routing: sandboxRouting(options.state),
    });
    const outputs: StepOutputs = {};
    for (const step of ROLLOUT_STEPS) {
      const say = (line: string): void => {
        log(`${new Date().toISOString().slice(11, 23)} [${cloud} ${step.id}] ${line}`);
        if (!line.startsWith('  '))
          void options.client
            .note('rollout', `${cloud} ${step.id}: ${line}`)
            .catch(() => undefined);
      };
      if (!stepRuns(step, outputs)) {
        steps.push({
          cloud,
          step: step.id,
          ok: true,
          skipped: true,
          ms: 0,
          detail: 'skipped: no changes',
        });
        say('skipped: the plan has no changes');
        continue;
      }
      const stepStarted = Date.now();
      let outcome: StepOutcome;
      try {
        outcome = await runStep(step, { cloud, environment, options, say }, outputs);
      } catch (error) {
        outcome = { ok: false, detail: (error as Error).message };
      }
      outputs[step.id] = outcome.outputs ?? {};
      const record = {
        cloud,
        step: step.id,
        ok: outcome.ok,
        skipped: false,
        detail: outcome.detail,
        ms: Date.now() - stepStarted,
      };
      steps.push(record);
      say(
        `${outcome.ok ? 'ok' : 'FAILED'}: ${outcome.detail} (${(record.ms / 1000).toFixed(1)} s)`,
      );
      if (!outcome.ok) {
        failure = { cloud, step: step.id, reason: outcome.detail };
        break outer;
      }
    }
  }
  const after = await options.client.state();
  return { completed: !failure, failure, steps, before, after, durationMs: Date.now() - started };
}

export interface TrafficFigures {
  served: PerCloud<number>;
  failed: number;
}

/** Requests the edge router answered between two snapshots; unplaced requests count as failed. */
export function trafficBetween(before: SandboxSnapshot, after: SandboxSnapshot): TrafficFigures {
  const served = {} as PerCloud<number>;
  let failed = after.counters.unrouted - before.counters.unrouted;
  for (const cloud of CLOUDS) {
    served[cloud] = after.counters[cloud].requests - before.counters[cloud].requests;
    failed += after.counters[cloud].failed - before.counters[cloud].failed;
  }
  return { served, failed };
}

/** Where traffic is after a failed rollout, and how to recover. */
function failureLines(
  result: RehearsalResult,
  failure: NonNullable<RehearsalResult['failure']>,
): string[] {
  const untouched = CLOUDS.find(
    (cloud) => !result.steps.some((s) => s.cloud === cloud && !s.skipped),
  );
  const notTouched = untouched ? `; ${untouched} was not touched` : '';
  if (failure.step === 'verify')
    return [
      `traffic now: ${splitText(result.after)} (the plan of ${failure.cloud} was refused before any traffic moved)${notTouched}`,
      `to recover: have the plan ${failure.cloud} makes now reviewed (push to the pull request or open a new one), then merge again`,
    ];
  const only = CLOUDS.find((cloud) => result.after.split[cloud] === 100);
  return [
    `traffic now: ${splitText(result.after)} (${only ? `all on ${only}` : 'as before the failed step'})${notTouched}`,
    // The failed cloud is drained: a rollout that starts with the other one would have to put
    // all traffic on it, which traffic-shift refuses. Fixed release first, on that cloud.
    `to recover: roll a fixed version out to ${failure.cloud} first: npm run rehearse -- --order ${failure.cloud},${otherCloud(failure.cloud)}`,
  ];
}

/** The summary the command prints; its last line is `failed requests: N`. */
export function renderSummary(
  result: RehearsalResult,
  settings: RolloutSettings,
  version: string,
): string {
  const traffic = trafficBetween(result.before, result.after);
  const cell = (snapshot: SandboxSnapshot, cloud: Cloud): string => {
    const status = snapshot.cells[cloud];
    return `${cloud} ${status.version ?? '?'} (${status.healthy ? 'healthy' : `unhealthy, health ${status.healthStatus}`})`;
  };
  const lines = [
    '',
    `rollout of ${version}: ${
      result.completed
        ? 'completed'
        : `FAILED at ${result.failure?.cloud} ${result.failure?.step}: ${result.failure?.reason}`
    }`,
  ];
  if (result.failure) lines.push(...failureLines(result, result.failure));
  lines.push(
    `order: ${settings.order.join(' then ')}; desired split ${formatSplit(settings.split)}`,
    `versions before: ${CLOUDS.map((cloud) => cell(result.before, cloud)).join(', ')}`,
    `versions after:  ${CLOUDS.map((cloud) => cell(result.after, cloud)).join(', ')}`,
    `split before: ${splitText(result.before)}`,
    `split after:  ${splitText(result.after)}`,
    'steps:',
    ...result.steps.map(
      (s) =>
        `  ${s.cloud.padEnd(5)} ${s.step.padEnd(6)} ${s.skipped ? 'skip  ' : s.ok ? 'ok    ' : 'FAILED'} ${(s.ms / 1000).toFixed(1).padStart(5)} s  ${s.detail}`,
    ),
    `duration: ${(result.durationMs / 1000).toFixed(1)} s`,
    `requests served: ${traffic.served.aws + traffic.served.azure} (${CLOUDS.map((cloud) => `${cloud} ${traffic.served[cloud]}`).join(', ')})`,
    `failed requests: ${traffic.failed}`,
  );
  return lines.join('\n');
}
