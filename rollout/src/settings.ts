import { CLOUDS, isCloud, type Cloud, type PerCloud } from '../../actions/shared/src/clouds.js';
import { RolloutError } from './errors.js';

/**
 * The rollout's knobs. In the workflow they are repository variables (Settings > Secrets and
 * variables > Actions > Variables); the rehearsal takes the same names as flags
 * (`DEPLOY_BAKE_SECONDS` is `--bake-seconds`). Every one is optional.
 */
export const ROLLOUT_VARIABLES = {
  DEPLOY_ORDER: { default: 'aws,azure', flag: '--order', form: 'aws,azure or azure,aws' },
  DEPLOY_SPLIT: {
    default: 'aws=50,azure=50',
    flag: '--split',
    form: 'aws=<n>,azure=<n>, whole percentages that sum to 100',
  },
  DEPLOY_DRAIN_STEPS: {
    default: '50,100',
    flag: '--drain-steps',
    form: 'strictly increasing percentages ending in 100, e.g. 50,100',
  },
  DEPLOY_CANARY_STEPS: {
    default: '10,25,50,100',
    flag: '--canary-steps',
    form: 'strictly increasing percentages ending in 100, e.g. 10,25,50,100',
  },
  // Front Door takes minutes to reach every edge and Route 53 answers are cached for the
  // record's TTL (60 s): a step is baked long enough for both before it counts as healthy.
  DEPLOY_BAKE_SECONDS: { default: '300', flag: '--bake-seconds', form: 'seconds, 0 or more' },
  DEPLOY_PROBE_INTERVAL_SECONDS: {
    default: '10',
    flag: '--probe-interval-seconds',
    form: 'seconds above 0',
  },
  DEPLOY_MIN_PROBES: { default: '3', flag: '--min-probes', form: 'a whole number from 1 to 100' },
  DEPLOY_MAX_P95_LATENCY_MS: {
    default: '1000',
    flag: '--max-p95-latency-ms',
    form: 'milliseconds above 0',
  },
  DEPLOY_SMOKE_TIMEOUT_SECONDS: {
    default: '300',
    flag: '--smoke-timeout-seconds',
    form: 'seconds above 0',
  },
} as const;

export type RolloutVariable = keyof typeof ROLLOUT_VARIABLES;

export interface RolloutSettings {
  order: [Cloud, Cloud];
  split: PerCloud<number>;
  drainSteps: string;
  canarySteps: string;
  bakeSeconds: number;
  probeIntervalSeconds: number;
  minProbes: number;
  maxP95LatencyMs: number;
  smokeTimeoutSeconds: number;
}

function fail(name: RolloutVariable, value: string): never {
  const { flag, form } = ROLLOUT_VARIABLES[name];
  throw new RolloutError(`${name} (${flag}) must be ${form}, got "${value}"`);
}

export function parseOrder(value: string): [Cloud, Cloud] {
  const clouds = value.split(',').map((part) => part.trim());
  const [first, second] = clouds;
  if (
    clouds.length !== 2 ||
    !first ||
    !second ||
    !isCloud(first) ||
    !isCloud(second) ||
    first === second
  )
    fail('DEPLOY_ORDER', value);
  return [first, second];
}

export function parseSplit(
  value: string,
  name: RolloutVariable = 'DEPLOY_SPLIT',
): PerCloud<number> {
  const split: Partial<PerCloud<number>> = {};
  for (const part of value.split(',')) {
    const match = /^\s*(\w+)\s*=\s*(\d{1,3})\s*$/.exec(part);
    const cloud = match?.[1] ?? '';
    if (!match || !isCloud(cloud) || cloud in split) fail(name, value);
    split[cloud] = Number(match[2]);
  }
  if (CLOUDS.some((cloud) => split[cloud] === undefined)) fail(name, value);
  const whole = split as PerCloud<number>;
  if (whole.aws + whole.azure !== 100) fail(name, value);
  return whole;
}

function parseSteps(name: RolloutVariable, value: string): string {
  const steps = value.split(',').map((part) => part.trim());
  let previous = 0;
  for (const step of steps) {
    if (!/^\d{1,3}$/.test(step) || Number(step) <= previous || Number(step) > 100)
      fail(name, value);
    previous = Number(step);
  }
  if (previous !== 100) fail(name, value);
  return steps.join(',');
}

/** A non-negative number (seconds or milliseconds). */
function parseSeconds(name: RolloutVariable, value: string, allowZero: boolean): number {
  const seconds = Number(value);
  if (
    value.trim() === '' ||
    !Number.isFinite(seconds) ||
    seconds < 0 ||
    (!allowZero && seconds === 0)
  )
    fail(name, value);
  return seconds;
}

/**
 * Parses the variables (unset or empty means the default) and rejects anything else before the
 * rollout touches a router or a stack.
 */
export function parseRolloutSettings(
  variables: Partial<Record<RolloutVariable, string | undefined>>,
): RolloutSettings {
  const value = (name: RolloutVariable): string => {
    const given = variables[name]?.trim();
    return given ? given : ROLLOUT_VARIABLES[name].default;
  };
  const minProbes = value('DEPLOY_MIN_PROBES');
  if (!/^\d{1,3}$/.test(minProbes) || Number(minProbes) < 1 || Number(minProbes) > 100)
    fail('DEPLOY_MIN_PROBES', minProbes);
  return {
    order: parseOrder(value('DEPLOY_ORDER')),
    split: parseSplit(value('DEPLOY_SPLIT')),
    drainSteps: parseSteps('DEPLOY_DRAIN_STEPS', value('DEPLOY_DRAIN_STEPS')),
    canarySteps: parseSteps('DEPLOY_CANARY_STEPS', value('DEPLOY_CANARY_STEPS')),
    bakeSeconds: parseSeconds('DEPLOY_BAKE_SECONDS', value('DEPLOY_BAKE_SECONDS'), true),
    probeIntervalSeconds: parseSeconds(
      'DEPLOY_PROBE_INTERVAL_SECONDS',
      value('DEPLOY_PROBE_INTERVAL_SECONDS'),
      false,
    ),
    minProbes: Number(minProbes),
    maxP95LatencyMs: parseSeconds(
      'DEPLOY_MAX_P95_LATENCY_MS',
      value('DEPLOY_MAX_P95_LATENCY_MS'),
      false,
    ),
    smokeTimeoutSeconds: parseSeconds(
      'DEPLOY_SMOKE_TIMEOUT_SECONDS',
      value('DEPLOY_SMOKE_TIMEOUT_SECONDS'),
      false,
    ),
  };
}

/** The variables as the environment holds them (the workflow passes `vars.*` through `env`). */
export function variablesFromEnv(env: NodeJS.ProcessEnv): Partial<Record<RolloutVariable, string>> {
  const variables: Partial<Record<RolloutVariable, string>> = {};
  for (const name of Object.keys(ROLLOUT_VARIABLES) as RolloutVariable[]) {
    const value = env[name];
    if (value !== undefined) variables[name] = value;
  }
  return variables;
}
