/**
 * THE cross-cloud rollout, defined once. For one cloud at a time:
 *
 *   plan    plan that cloud's stack; no changes: the cloud is left alone (no needless drain)
 *   verify  the apply action's checks on that saved plan (reviewed digest, data-loss guard),
 *           applying nothing: a refusal stops the job before any traffic moves (ADR 24)
 *   drain   traffic-shift to <cloud>=0 (the other cloud takes everything)
 *   apply   verified apply of that saved plan (checked again): the new version
 *   smoke   the cloud's own health URL answers, on the new version
 *   canary  traffic-shift back to the desired split, in canary steps
 *
 * `.github/workflows/deploy.yml` runs these steps, one job per cloud (its steps are checked
 * against this list by rollout/test/workflow-matches-sequence.test.ts), and `npm run rehearse`
 * executes the same list against the sandbox, resolving the same inputs. Inputs are written as
 * the workflow writes them: literal text, `${{ env.NAME }}`, where the environment is the one
 * `cellEnvironment` computes (in the workflow, the `cell-env` step puts it in GITHUB_ENV),
 * `${{ steps.<id>.outputs.<name> }}` of an earlier step of the sequence, and
 * `${{ secrets.NAME }}` (the rehearsal holds no secret: empty, as GitHub gives an unset one).
 * Control flow is GitHub's: steps run in order and the first failure stops the job, so the
 * second cloud's job never starts. A failed traffic-shift restores the split it started from,
 * so traffic stays on, or returns to, the healthy cloud.
 */
import { otherCloud, type Cloud } from '../../actions/shared/src/clouds.js';
import { formatSplit } from '../../actions/traffic-shift/src/rollout/split.js';
import { RolloutError } from './errors.js';
import type { RolloutSettings } from './settings.js';

export type StepId = 'plan' | 'verify' | 'drain' | 'apply' | 'smoke' | 'canary';

/** The one condition the sequence uses: the plan step found changes. */
export const WHEN_CHANGED = "steps.plan.outputs.has-changes == 'true'";

interface StepBase {
  id: StepId;
  name: string;
  /** The step's `if:` (absent: run while nothing failed, GitHub's default). */
  if?: typeof WHEN_CHANGED;
}

export interface ActionStep extends StepBase {
  /** A local action of this repository, run from its committed dist/. */
  uses: string;
  with: Record<string, string>;
}

export interface CommandStep extends StepBase {
  /** A `run:` line; the rehearsal runs the same command's code in-process. */
  run: string;
  command: 'smoke';
}

export type RolloutStep = ActionStep | CommandStep;

export const PLAN_ACTION = './actions/plan';
export const TRAFFIC_SHIFT_ACTION = './actions/traffic-shift';
export const APPLY_ACTION = './actions/apply';

/** The traffic-shift inputs that locate the routers and the cells' health URLs. */
export const ROUTING_INPUTS = [
  'route53-hosted-zone-id',
  'route53-record-name',
  'route53-record-type',
  'route53-set-identifiers',
  'azure-subscription-id',
  'frontdoor-resource-group',
  'frontdoor-profile',
  'frontdoor-origin-group',
  'frontdoor-origins',
  'smoke-urls',
] as const;
export type RoutingInput = (typeof ROUTING_INPUTS)[number];

/** `route53-record-name` travels as ROLLOUT_ROUTE53_RECORD_NAME. */
export function routingEnvName(input: RoutingInput): string {
  return `ROLLOUT_${input.toUpperCase().replace(/-/g, '_')}`;
}

const env = (name: string): string => `\${{ env.${name} }}`;

/**
 * The plan-digest key (ADR 3): the plan and apply steps take it as an input, never through the
 * job's environment, which every step (and the traffic-shift actions) would see.
 */
const DIGEST_KEY = '${{ secrets.PLAN_DIGEST_KEY }}';

const routerInputs = Object.fromEntries(
  ROUTING_INPUTS.map((input) => [input, env(routingEnvName(input))]),
);

const schedule = {
  'bake-seconds': env('ROLLOUT_BAKE_SECONDS'),
  'probe-interval-seconds': env('ROLLOUT_PROBE_INTERVAL_SECONDS'),
  'min-probes-per-step': env('ROLLOUT_MIN_PROBES'),
  'max-p95-latency-ms': env('ROLLOUT_MAX_P95_LATENCY_MS'),
};

/** What verify and apply both get: the same saved plan, stack and backend (ADR 24). */
const applyInputs: Readonly<Record<string, string>> = {
  'working-directory': env('ROLLOUT_STACK_DIR'),
  stack: env('ROLLOUT_CLOUD'),
  'digest-key': DIGEST_KEY,
  'plan-path': '${{ steps.plan.outputs.plan-path }}',
  'backend-config': env('ROLLOUT_BACKEND_CONFIG'),
  'lock-timeout': '10m',
};

export const ROLLOUT_STEPS: readonly RolloutStep[] = [
  {
    id: 'plan',
    name: "Plan this cloud's stack (the merged code)",
    uses: PLAN_ACTION,
    with: {
      'working-directory': env('ROLLOUT_STACK_DIR'),
      stack: env('ROLLOUT_CLOUD'),
      'digest-key': DIGEST_KEY,
      comment: 'false',
      'backend-config': env('ROLLOUT_BACKEND_CONFIG'),
      'var-files': env('ROLLOUT_VAR_FILES'),
      // A PR plan or drift check never locks (ADR 19); an apply may: wait for it.
      'lock-timeout': '5m',
    },
  },
  {
    // Verify, then drain (ADR 24): the same checks as `apply`, on the same saved plan, before
    // any traffic moves; a refusal fails the job with the split exactly as it was.
    id: 'verify',
    name: 'Verify that plan is the reviewed plan (before any traffic moves)',
    if: WHEN_CHANGED,
    uses: APPLY_ACTION,
    with: { ...applyInputs, 'verify-only': 'true' },
  },
  {
    id: 'drain',
    name: 'Drain this cloud (traffic-shift to 0%)',
    if: WHEN_CHANGED,
    uses: TRAFFIC_SHIFT_ACTION,
    with: {
      target: env('ROLLOUT_DRAIN_TARGET'),
      steps: env('ROLLOUT_DRAIN_STEPS'),
      ...schedule,
      ...routerInputs,
    },
  },
  {
    id: 'apply',
    name: 'Verified apply of that plan (the new version)',
    if: WHEN_CHANGED,
    uses: APPLY_ACTION,
    with: applyInputs,
  },
  {
    id: 'smoke',
    name: 'Smoke-test this cloud on its own URL',
    if: WHEN_CHANGED,
    run: 'node scripts/run-typescript.js rollout/src/workflow-commands.ts smoke',
    command: 'smoke',
  },
  {
    id: 'canary',
    name: 'Canary traffic back to the desired split',
    if: WHEN_CHANGED,
    uses: TRAFFIC_SHIFT_ACTION,
    with: {
      target: env('ROLLOUT_SPLIT'),
      steps: env('ROLLOUT_CANARY_STEPS'),
      ...schedule,
      ...routerInputs,
      // Each bake compares this cloud (the new version) with the other one, measured in the same
      // window (error rates, latency), with the action's default tolerances (ADR 20's canary).
      'canary-cloud': env('ROLLOUT_CLOUD'),
    },
  },
];

export interface CellContext {
  /** The version being rolled out (what the cell's /health reports once deployed). */
  version: string;
  /** Where the routers and health URLs are: traffic-shift input name to value ('' = none). */
  routing: Partial<Record<RoutingInput, string>>;
  /** The stack's backend settings and var files, as the plan action got them. */
  backendConfig?: string;
  varFiles?: string;
}

/** The environment the steps of one cloud's job read (`ROLLOUT_*`). */
export function cellEnvironment(
  settings: RolloutSettings,
  cloud: Cloud,
  context: CellContext,
): Record<string, string> {
  const other = otherCloud(cloud);
  const drained = { [cloud]: 0, [other]: 100 } as Record<Cloud, number>;
  const environment: Record<string, string> = {
    ROLLOUT_CLOUD: cloud,
    ROLLOUT_STACK_DIR: `terraform/stacks/${cloud}`,
    ROLLOUT_VERSION: context.version,
    ROLLOUT_DRAIN_TARGET: formatSplit(drained),
    ROLLOUT_DRAIN_STEPS: settings.drainSteps,
    ROLLOUT_SPLIT: formatSplit(settings.split),
    ROLLOUT_CANARY_STEPS: settings.canarySteps,
    ROLLOUT_BAKE_SECONDS: String(settings.bakeSeconds),
    ROLLOUT_PROBE_INTERVAL_SECONDS: String(settings.probeIntervalSeconds),
    ROLLOUT_MIN_PROBES: String(settings.minProbes),
    ROLLOUT_MAX_P95_LATENCY_MS: String(settings.maxP95LatencyMs),
    ROLLOUT_SMOKE_TIMEOUT_SECONDS: String(settings.smokeTimeoutSeconds),
    ROLLOUT_BACKEND_CONFIG: context.backendConfig ?? '',
    ROLLOUT_VAR_FILES: context.varFiles?.trim() ? context.varFiles : 'example.tfvars',
  };
  for (const input of ROUTING_INPUTS)
    environment[routingEnvName(input)] = context.routing[input] ?? '';
  return environment;
}

/** Outputs of the steps that ran so far, by step id (`steps.<id>.outputs.<name>`). */
export type StepOutputs = Partial<Record<StepId, Record<string, string>>>;

/**
 * Resolves `${{ env.NAME }}`, `${{ steps.<id>.outputs.<name> }}` and `${{ secrets.NAME }}` in
 * one input as the runner does (a step output or secret that is not set is ''; the rehearsal
 * holds no secret). Anything else
 * inside `${{ }}` is refused: the sequence keeps its expressions this simple so the rehearsal
 * resolves them as GitHub would.
 */
export function resolveInput(
  template: string,
  environment: Record<string, string>,
  outputs: StepOutputs = {},
): string {
  return template.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_match, expression: string) => {
    const fromEnv = /^env\.([A-Z][A-Z0-9_]*)$/.exec(expression);
    if (fromEnv?.[1]) {
      const value = environment[fromEnv[1]];
      if (value === undefined)
        throw new RolloutError(`the rollout environment has no ${fromEnv[1]}`);
      return value;
    }
    // The rehearsal holds no secret.
    if (/^secrets\.[A-Z][A-Z0-9_]*$/.test(expression)) return '';
    const fromStep = /^steps\.([a-z-]+)\.outputs\.([\w-]+)$/.exec(expression);
    if (fromStep?.[1] && fromStep[2]) return outputs[fromStep[1] as StepId]?.[fromStep[2]] ?? '';
    throw new RolloutError(
      `unsupported expression \${{ ${expression} }}: only env.NAME, steps.<id>.outputs.<name> and secrets.NAME`,
    );
  });
}

export function resolveInputs(
  step: ActionStep,
  environment: Record<string, string>,
  outputs: StepOutputs = {},
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(step.with).map(([name, template]) => [
      name,
      resolveInput(template, environment, outputs),
    ]),
  );
}

/** Whether a step runs, given the outputs so far (the one condition the sequence uses). */
export function stepRuns(step: RolloutStep, outputs: StepOutputs): boolean {
  return step.if === undefined || outputs.plan?.['has-changes'] === 'true';
}
