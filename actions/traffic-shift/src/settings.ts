/**
 * Every input of action.yml, parsed and checked before the action makes any call. Each mistake
 * is one InputError that names the input and the form it accepts.
 */
import {
  InputError,
  environmentInputs,
  readBoolean,
  readString,
  type InputSource,
} from '../../shared/src/inputs/index.js';
import type { CanaryOptions } from './canary/canary-analysis.js';
import { CLOUDS, isCloud, type Cloud, type PerCloud, type Split } from './rollout/split.js';

export interface Route53Settings {
  readonly hostedZoneId: string;
  readonly recordName: string;
  readonly recordType: string;
  readonly setIdentifiers: PerCloud<string>;
  /** Endpoint override (emulators, tests); undefined for the real Route 53. */
  readonly endpoint: string | undefined;
}

export interface FrontDoorSettings {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly profile: string;
  readonly originGroup: string;
  readonly origins: PerCloud<string>;
  readonly resourceManagerUrl: string;
}

export interface Settings {
  readonly target: Split;
  readonly steps: readonly number[];
  readonly bakeMs: number;
  readonly probeIntervalMs: number;
  readonly route53: Route53Settings | undefined;
  readonly frontDoor: FrontDoorSettings | undefined;
  readonly smokeUrls: PerCloud<string> | undefined;
  /** The public host name's health URL, probed during bakes (ADR 16). */
  readonly publicHealthUrl: string | undefined;
  /** Judge each bake's canary against the other cloud. */
  readonly canary: CanaryOptions | undefined;
  readonly smokeExpectedStatus: number;
  readonly maxErrorRate: number;
  readonly maxP95LatencyMs: number;
  readonly minProbesPerStep: number;
  readonly dryRun: boolean;
  /** Each router on its own: one that cannot be read or written is left out (ADR 20). */
  readonly emergency: boolean;
  /** The split every router must hold at the start (what the previous step of a rollout left). */
  readonly expectedInitialSplit: Split | undefined;
  readonly changeTimeoutMs: number;
  readonly changePollMs: number;
}

const CLOUD_LIST = CLOUDS.join(' and ');

/** A day: longer than any job runs, and well inside what a Node timer can wait (24.8 days). */
const MAX_SECONDS = 86_400;
const SECONDS_ABOVE_0 = `a number of seconds above 0, at most ${MAX_SECONDS}`;

/** `aws=<value>,azure=<value>` (commas or new lines between pairs), every cloud exactly once. */
export function parsePerCloud(name: string, text: string, placeholder: string): PerCloud<string> {
  const form = `${CLOUDS.map((cloud) => `${cloud}=<${placeholder}>`).join(',')}`;
  const values = new Map<Cloud, string>();
  for (const pair of text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new InputError(name, `'${pair}' is not cloud=value; expected ${form}.`);
    const cloud = pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1).trim();
    if (!(CLOUDS as readonly string[]).includes(cloud)) {
      throw new InputError(
        name,
        `unknown cloud '${cloud}'; the clouds are ${CLOUD_LIST}. Expected ${form}.`,
      );
    }
    if (values.has(cloud as Cloud))
      throw new InputError(name, `${cloud} is given twice; expected ${form}.`);
    if (value === '') throw new InputError(name, `${cloud} has no value; expected ${form}.`);
    values.set(cloud as Cloud, value);
  }
  const missing = CLOUDS.filter((cloud) => !values.has(cloud));
  if (missing.length > 0)
    throw new InputError(name, `${missing.join(' and ')} missing; expected ${form}.`);
  return Object.fromEntries(values) as PerCloud<string>;
}

export function parseSplit(name: string, text: string): Split {
  const values = parsePerCloud(name, text, 'percent');
  const split = {} as Record<Cloud, number>;
  for (const cloud of CLOUDS) {
    const value = values[cloud];
    if (!/^\d+$/.test(value) || Number(value) > 100) {
      throw new InputError(
        name,
        `${cloud}=${value} is not a whole percentage (0-100); expected e.g. aws=50,azure=50.`,
      );
    }
    split[cloud] = Number(value);
  }
  const sum = CLOUDS.reduce((total, cloud) => total + split[cloud], 0);
  if (sum !== 100) {
    throw new InputError(
      name,
      `the percentages sum to ${sum}, not 100; expected e.g. aws=50,azure=50.`,
    );
  }
  return split;
}

export function parseSteps(name: string, text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const steps = parts.map((part) => {
    if (!/^\d+$/.test(part) || Number(part) < 1 || Number(part) > 100) {
      throw new InputError(
        name,
        `'${part}' is not a whole percentage 1-100; expected e.g. 10,25,50,100.`,
      );
    }
    return Number(part);
  });
  for (let index = 1; index < steps.length; index += 1) {
    if ((steps[index] as number) <= (steps[index - 1] as number)) {
      throw new InputError(
        name,
        `steps must be strictly increasing; ${steps[index]} follows ${steps[index - 1]}. Expected e.g. 10,25,50,100.`,
      );
    }
  }
  if (steps[steps.length - 1] !== 100) {
    throw new InputError(
      name,
      `the last step must be 100 (the target itself); got ${steps[steps.length - 1]}. Expected e.g. 10,25,50,100.`,
    );
  }
  return steps;
}

function readNumber(
  name: string,
  fallback: number,
  rule: {
    min: number;
    minInclusive: boolean;
    max?: number;
    maxInclusive?: boolean;
    integer?: boolean;
    form: string;
  },
  source: InputSource,
): number {
  const text = readString(name, { default: String(fallback) }, source);
  // Plain decimals only: Number() would also take 0x3c, 1e3 or Infinity.
  const value = /^-?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  const aboveMin = rule.minInclusive ? value >= rule.min : value > rule.min;
  const belowMax =
    rule.max === undefined || (rule.maxInclusive === false ? value < rule.max : value <= rule.max);
  if (
    text === '' ||
    !Number.isFinite(value) ||
    !aboveMin ||
    !belowMax ||
    (rule.integer && !Number.isInteger(value))
  ) {
    throw new InputError(name, `'${text}' is not ${rule.form}.`);
  }
  return value;
}

function readUrl(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(name, `'${text}' is not a URL; expected https://host[:port][/path].`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(
      name,
      `'${text}' is not an http(s) URL; expected https://host[:port][/path].`,
    );
  }
  return text;
}

/** The two clouds need two records or origins: one name for both would move nothing. */
function requireDistinct(name: string, values: PerCloud<string>, what: string): void {
  const [first, second] = CLOUDS;
  if (values[first] === values[second]) {
    throw new InputError(
      name,
      `${first} and ${second} both name '${values[first]}'; each cloud needs its own ${what}.`,
    );
  }
}

/** Checks one value against the form Azure or Route 53 accepts, before any call. */
function requireForm(name: string, value: string, pattern: RegExp, form: string): void {
  if (!pattern.test(value)) throw new InputError(name, `'${value}' is not ${form}.`);
}

// The forms Azure Resource Manager accepts (the @azure/arm-cdn parameter constraints).
const RESOURCE_GROUP = /^(?=.{1,90}$)[-\w.()]*[-\w()]$/;
const RESOURCE_GROUP_FORM =
  'a resource group name (1-90 letters, digits, ._-() characters, not ending in a period)';
const FRONT_DOOR_NAME = /^(?=.{1,260}$)[a-zA-Z0-9]+(-+[a-zA-Z0-9]+)*$/;
const FRONT_DOOR_NAME_FORM =
  'a Front Door name (letters, digits and hyphens, starting and ending with a letter or digit)';
// A DNS name as Route 53 takes it: labels of letters, digits, -, _ and a leading *, at most 255.
const RECORD_NAME =
  /^(?=.{1,255}$)(\*\.)?([a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?\.)*[a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?\.?$/;
const RECORD_NAME_FORM = 'a DNS name (e.g. app.example.com)';
const SET_IDENTIFIER = /^.{1,128}$/;
const SET_IDENTIFIER_FORM = 'a set identifier (1-128 characters)';

/** A router block: all of its inputs or none; a half-filled block is a mistake. */
function readBlock<K extends string>(
  blockName: string,
  names: readonly K[],
  source: InputSource,
): Record<K, string> | undefined {
  const values = Object.fromEntries(
    names.map((name) => [name, readString(name, {}, source)]),
  ) as Record<K, string>;
  const given = names.filter((name) => values[name] !== '');
  if (given.length === 0) return undefined;
  const missing = names.filter((name) => values[name] === '');
  if (missing.length > 0) {
    throw new InputError(
      missing[0] as string,
      `is required when the ${blockName} block is used (${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set); set ${missing.join(', ')} too, or none of the ${blockName} inputs.`,
    );
  }
  return values;
}

/** Every input, group by group, in the order the errors are reported. */
export function readSettings(source: InputSource = environmentInputs): Settings {
  const schedule = readSchedule(source);
  const route53 = readRoute53(source);
  const frontDoor = readFrontDoor(source);
  if (!route53 && !frontDoor) {
    throw new InputError(
      'route53-hosted-zone-id',
      'no router given: set the Route 53 inputs (route53-hosted-zone-id, route53-record-name, route53-record-type, route53-set-identifiers), the Front Door inputs (azure-subscription-id, frontdoor-resource-group, frontdoor-profile, frontdoor-origin-group, frontdoor-origins), or both.',
    );
  }
  const probes = readProbes(source);
  const canary = readCanary(source, probes.smokeUrls !== undefined);
  const dryRun = readBoolean('dry-run', false, source);
  const emergency = readBoolean('emergency', false, source);
  const force = readBoolean('force', false, source);
  if (emergency && !force) requireSafeguards(schedule, probes.smokeUrls);
  const expectedText = readString('expected-initial-split', {}, source);
  const expectedInitialSplit =
    expectedText === '' ? undefined : parseSplit('expected-initial-split', expectedText);
  return {
    ...schedule,
    route53,
    frontDoor,
    ...probes,
    ...canary,
    dryRun,
    emergency,
    expectedInitialSplit,
    ...readChangeWaits(source),
  };
}

/** The shortest bake a manual shift may ask for without `force`: Route 53's propagation time. */
export const MIN_MANUAL_BAKE_SECONDS = 60;

/**
 * A manual (emergency) shift is typed by a person under pressure: bake 0, a single step or no
 * smoke URLs would move traffic unchecked. They are refused unless the run says force: true.
 */
function requireSafeguards(
  schedule: { readonly steps: readonly number[]; readonly bakeMs: number },
  smokeUrls: PerCloud<string> | undefined,
): void {
  const unless = 'a manual (emergency) shift needs it unless force: true';
  if (smokeUrls === undefined) {
    throw new InputError(
      'smoke-urls',
      `is required: ${unless} (aws=<url>,azure=<url>, each cloud's own health URL).`,
    );
  }
  if (schedule.bakeMs < MIN_MANUAL_BAKE_SECONDS * 1000) {
    throw new InputError(
      'bake-seconds',
      `must be at least ${MIN_MANUAL_BAKE_SECONDS}: ${unless} (changes take up to 60 s to reach every Route 53 name server).`,
    );
  }
  if (schedule.steps.length < 2) {
    throw new InputError('steps', `needs at least two steps, e.g. 50,100: ${unless}.`);
  }
}

/** target, steps, bake-seconds, probe-interval-seconds. */
function readSchedule(
  source: InputSource,
): Pick<Settings, 'target' | 'steps' | 'bakeMs' | 'probeIntervalMs'> {
  const targetText = readString('target', {}, source);
  if (targetText === '') {
    throw new InputError(
      'target',
      'is required: the split to reach, whole percentages that sum to 100, e.g. aws=50,azure=50 or aws=100,azure=0.',
    );
  }
  const target = parseSplit('target', targetText);
  const steps = parseSteps('steps', readString('steps', { default: '10,25,50,100' }, source));
  const bakeSeconds = readNumber(
    'bake-seconds',
    60,
    {
      min: 0,
      minInclusive: true,
      max: MAX_SECONDS,
      form: `a number of seconds from 0 to ${MAX_SECONDS}`,
    },
    source,
  );
  return {
    target,
    steps,
    bakeMs: bakeSeconds * 1000,
    probeIntervalMs: readSecondsAbove0('probe-interval-seconds', 5, source) * 1000,
  };
}

const ROUTE53_BLOCK = [
  'route53-hosted-zone-id',
  'route53-record-name',
  'route53-record-type',
  'route53-set-identifiers',
] as const;
const ROUTE53_RECORD_TYPE =
  /^(A|AAAA|CNAME|TXT|MX|SRV|CAA|NS|PTR|SPF|NAPTR|DS|HTTPS|SVCB|TLSA|SSHFP)$/;

/** The Route 53 block (all or none of its inputs) and aws-endpoint-url. */
function readRoute53(source: InputSource): Route53Settings | undefined {
  const block = readBlock('Route 53', ROUTE53_BLOCK, source);
  const endpoint = readString('aws-endpoint-url', {}, source);
  if (endpoint !== '') readUrl('aws-endpoint-url', endpoint);
  if (!block) return undefined;
  const route53: Route53Settings = {
    hostedZoneId: block['route53-hosted-zone-id'].replace(/^\/?hostedzone\//, ''),
    recordName: block['route53-record-name'],
    recordType: block['route53-record-type'].toUpperCase(),
    setIdentifiers: parsePerCloud(
      'route53-set-identifiers',
      block['route53-set-identifiers'],
      'set identifier',
    ),
    endpoint: endpoint === '' ? undefined : endpoint,
  };
  if (!/^[A-Z0-9]+$/.test(route53.hostedZoneId)) {
    throw new InputError(
      'route53-hosted-zone-id',
      `'${route53.hostedZoneId}' is not a hosted zone ID (e.g. Z0123456789ABCDEFGHIJ).`,
    );
  }
  if (!ROUTE53_RECORD_TYPE.test(route53.recordType)) {
    throw new InputError(
      'route53-record-type',
      `'${route53.recordType}' is not a Route 53 record type (A, AAAA, CNAME...).`,
    );
  }
  requireForm('route53-record-name', route53.recordName, RECORD_NAME, RECORD_NAME_FORM);
  for (const cloud of CLOUDS) {
    requireForm(
      'route53-set-identifiers',
      route53.setIdentifiers[cloud],
      SET_IDENTIFIER,
      SET_IDENTIFIER_FORM,
    );
  }
  requireDistinct('route53-set-identifiers', route53.setIdentifiers, 'weighted record');
  return route53;
}

const FRONT_DOOR_BLOCK = [
  'azure-subscription-id',
  'frontdoor-resource-group',
  'frontdoor-profile',
  'frontdoor-origin-group',
  'frontdoor-origins',
] as const;
const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Front Door block (all or none of its inputs) and azure-resource-manager-url. */
function readFrontDoor(source: InputSource): FrontDoorSettings | undefined {
  const block = readBlock('Front Door', FRONT_DOOR_BLOCK, source);
  const resourceManagerUrl = readUrl(
    'azure-resource-manager-url',
    readString('azure-resource-manager-url', { default: 'https://management.azure.com' }, source),
  );
  if (!block) return undefined;
  const frontDoor: FrontDoorSettings = {
    subscriptionId: block['azure-subscription-id'],
    resourceGroup: block['frontdoor-resource-group'],
    profile: block['frontdoor-profile'],
    originGroup: block['frontdoor-origin-group'],
    origins: parsePerCloud('frontdoor-origins', block['frontdoor-origins'], 'origin name'),
    resourceManagerUrl,
  };
  if (!SUBSCRIPTION_ID.test(frontDoor.subscriptionId)) {
    throw new InputError(
      'azure-subscription-id',
      `'${frontDoor.subscriptionId}' is not a subscription ID (a GUID, e.g. 00000000-0000-0000-0000-000000000000).`,
    );
  }
  requireForm(
    'frontdoor-resource-group',
    frontDoor.resourceGroup,
    RESOURCE_GROUP,
    RESOURCE_GROUP_FORM,
  );
  requireForm('frontdoor-profile', frontDoor.profile, FRONT_DOOR_NAME, FRONT_DOOR_NAME_FORM);
  requireForm(
    'frontdoor-origin-group',
    frontDoor.originGroup,
    FRONT_DOOR_NAME,
    FRONT_DOOR_NAME_FORM,
  );
  for (const cloud of CLOUDS) {
    requireForm(
      'frontdoor-origins',
      frontDoor.origins[cloud],
      FRONT_DOOR_NAME,
      FRONT_DOOR_NAME_FORM,
    );
  }
  requireDistinct('frontdoor-origins', frontDoor.origins, 'origin');
  if (!resourceManagerUrl.startsWith('https://')) {
    throw new InputError(
      'azure-resource-manager-url',
      'must be an https:// URL (Azure SDKs send tokens over TLS only).',
    );
  }
  return frontDoor;
}

/** smoke-urls and the thresholds the smoke test and the probes are judged by. */
function readProbes(
  source: InputSource,
): Pick<
  Settings,
  'smokeUrls' | 'smokeExpectedStatus' | 'maxErrorRate' | 'maxP95LatencyMs' | 'minProbesPerStep'
> {
  const smokeText = readString('smoke-urls', {}, source);
  let smokeUrls: PerCloud<string> | undefined;
  if (smokeText !== '') {
    const urls = parsePerCloud('smoke-urls', smokeText, 'health URL');
    for (const cloud of CLOUDS) readUrl('smoke-urls', urls[cloud]);
    smokeUrls = urls;
  }
  return {
    smokeUrls,
    smokeExpectedStatus: readNumber(
      'smoke-expected-status',
      200,
      { min: 100, minInclusive: true, max: 599, integer: true, form: 'an HTTP status (100-599)' },
      source,
    ),
    maxErrorRate: readNumber(
      'max-error-rate',
      0.01,
      {
        min: 0,
        minInclusive: true,
        max: 1,
        maxInclusive: false,
        form: 'a fraction from 0 up to (not including) 1, e.g. 0.01',
      },
      source,
    ),
    maxP95LatencyMs: readNumber(
      'max-p95-latency-ms',
      1000,
      { min: 0, minInclusive: false, form: 'a number of milliseconds above 0' },
      source,
    ),
    minProbesPerStep: readNumber(
      'min-probes-per-step',
      3,
      {
        min: 1,
        minInclusive: true,
        max: 1000,
        integer: true,
        form: 'a whole number from 1 to 1000',
      },
      source,
    ),
  };
}

/**
 * public-health-url and the canary analysis: canary-cloud (the cloud running the new version),
 * its tolerances and the significance level of its tests.
 */
function readCanary(
  source: InputSource,
  haveSmokeUrls: boolean,
): Pick<Settings, 'publicHealthUrl' | 'canary'> {
  const publicText = readString('public-health-url', {}, source);
  const publicHealthUrl = publicText === '' ? undefined : readUrl('public-health-url', publicText);
  if (publicHealthUrl && !haveSmokeUrls) {
    throw new InputError(
      'public-health-url',
      "needs smoke-urls: the public host name is probed beside each cloud's own health URL.",
    );
  }
  const cloud = readString('canary-cloud', {}, source);
  const maxLatencyIncreaseMs = readNumber(
    'canary-max-latency-increase-ms',
    100,
    { min: 0, minInclusive: true, max: 3_600_000, form: 'a number of milliseconds, 0 or more' },
    source,
  );
  const maxErrorRateIncrease = readNumber(
    'canary-max-error-rate-increase',
    0,
    {
      min: 0,
      minInclusive: true,
      max: 1,
      maxInclusive: false,
      form: 'a fraction from 0 up to (not including) 1, e.g. 0.01 for one percentage point',
    },
    source,
  );
  const alpha = readNumber(
    'canary-significance',
    0.01,
    {
      min: 0,
      minInclusive: false,
      max: 0.5,
      maxInclusive: false,
      form: 'a significance level above 0 and below 0.5, e.g. 0.01',
    },
    source,
  );
  if (cloud === '') return { publicHealthUrl, canary: undefined };
  if (!isCloud(cloud)) {
    throw new InputError(
      'canary-cloud',
      `'${cloud}' is not a cloud; expected ${CLOUD_LIST.replace(' and ', ' or ')} (the cloud running the new version), or empty for no comparison.`,
    );
  }
  if (!haveSmokeUrls) {
    throw new InputError(
      'canary-cloud',
      'needs smoke-urls: the canary and the other cloud are compared on their own health URLs.',
    );
  }
  return {
    publicHealthUrl,
    canary: { cloud, maxLatencyIncreaseMs, maxErrorRateIncrease, alpha },
  };
}

/** change-timeout-seconds, change-poll-seconds. */
function readChangeWaits(source: InputSource): Pick<Settings, 'changeTimeoutMs' | 'changePollMs'> {
  return {
    changeTimeoutMs: readSecondsAbove0('change-timeout-seconds', 600, source) * 1000,
    changePollMs: readSecondsAbove0('change-poll-seconds', 2, source) * 1000,
  };
}

function readSecondsAbove0(name: string, fallback: number, source: InputSource): number {
  return readNumber(
    name,
    fallback,
    { min: 0, minInclusive: false, max: MAX_SECONDS, form: SECONDS_ABOVE_0 },
    source,
  );
}
