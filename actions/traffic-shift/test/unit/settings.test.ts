import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { InputError } from '../../../shared/src/inputs/index.js';
import { parseSplit, parseSteps, readSettings } from '../../src/settings.js';

const ROUTE53 = {
  'route53-hosted-zone-id': 'Z0TRAFFIC',
  'route53-record-name': 'app.example.com',
  'route53-record-type': 'cname',
  'route53-set-identifiers': 'aws=aws-cell,azure=azure-cell',
};
const FRONT_DOOR = {
  'azure-subscription-id': '00000000-0000-0000-0000-000000000001',
  'frontdoor-resource-group': 'rg',
  'frontdoor-profile': 'afd',
  'frontdoor-origin-group': 'cells',
  'frontdoor-origins': 'aws=a,azure=b',
};

const SMOKE = {
  'smoke-urls': 'aws=https://aws.example.net/health,azure=https://azure.example.net/health',
};

/** A manual shift with every safeguard: smoke URLs, two steps, a 60 s bake. */
const EMERGENCY = {
  target: 'aws=100,azure=0',
  ...ROUTE53,
  ...FRONT_DOOR,
  ...SMOKE,
  emergency: 'true',
  steps: '50,100',
  'bake-seconds': '60',
};

function read(inputs: Record<string, string>) {
  return readSettings((name) => (inputs[name] ?? '').trim());
}

function errorOf(inputs: Record<string, string>): InputError {
  try {
    read(inputs);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

const REJECTIONS: [string, Record<string, string>, string, string][] = [
  [
    'no target',
    { ...ROUTE53 },
    'target',
    'is required: the split to reach, whole percentages that sum to 100, e.g. aws=50,azure=50',
  ],
  ['no router', { target: 'aws=50,azure=50' }, 'route53-hosted-zone-id', 'no router given'],
  [
    'half a Route 53 block',
    { target: 'aws=50,azure=50', ...ROUTE53, 'route53-set-identifiers': '' },
    'route53-set-identifiers',
    'is required when the Route 53 block is used',
  ],
  [
    'half a Front Door block',
    { target: 'aws=50,azure=50', 'frontdoor-profile': 'afd' },
    'azure-subscription-id',
    'set azure-subscription-id, frontdoor-resource-group, frontdoor-origin-group, frontdoor-origins too',
  ],
  [
    'a bad set identifier map',
    { target: 'aws=50,azure=50', ...ROUTE53, 'route53-set-identifiers': 'aws=x' },
    'route53-set-identifiers',
    'azure missing; expected aws=<set identifier>,azure=<set identifier>',
  ],
  [
    'a bad record type',
    { target: 'aws=50,azure=50', ...ROUTE53, 'route53-record-type': 'WEIGHTED' },
    'route53-record-type',
    'not a Route 53 record type',
  ],
  [
    'a bad subscription',
    { target: 'aws=50,azure=50', ...FRONT_DOOR, 'azure-subscription-id': 'prod' },
    'azure-subscription-id',
    'not a subscription ID',
  ],
  [
    'an http resource manager',
    {
      target: 'aws=50,azure=50',
      ...FRONT_DOOR,
      'azure-resource-manager-url': 'http://arm.local',
    },
    'azure-resource-manager-url',
    'must be an https:// URL',
  ],
  [
    'a bad endpoint',
    { target: 'aws=50,azure=50', ...ROUTE53, 'aws-endpoint-url': 'localhost:4566' },
    'aws-endpoint-url',
    "'localhost:4566' is not an http(s) URL; expected https://host[:port][/path]",
  ],
  [
    'a bad smoke URL',
    { target: 'aws=50,azure=50', ...ROUTE53, 'smoke-urls': 'aws=https://a/health,azure=nope' },
    'smoke-urls',
    "'nope' is not a URL",
  ],
  [
    'negative bake',
    { target: 'aws=50,azure=50', ...ROUTE53, 'bake-seconds': '-1' },
    'bake-seconds',
    'a number of seconds from 0 to 86400',
  ],
  [
    'zero interval',
    { target: 'aws=50,azure=50', ...ROUTE53, 'probe-interval-seconds': '0' },
    'probe-interval-seconds',
    'above 0',
  ],
  [
    'error rate of 1',
    { target: 'aws=50,azure=50', ...ROUTE53, 'max-error-rate': '1' },
    'max-error-rate',
    'from 0 up to (not including) 1',
  ],
  [
    'a percent error rate',
    { target: 'aws=50,azure=50', ...ROUTE53, 'max-error-rate': '1%' },
    'max-error-rate',
    "'1%' is not",
  ],
  [
    'fractional probes',
    { target: 'aws=50,azure=50', ...ROUTE53, 'min-probes-per-step': '2.5' },
    'min-probes-per-step',
    'a whole number',
  ],
  [
    'a bad status',
    { target: 'aws=50,azure=50', ...ROUTE53, 'smoke-expected-status': '600' },
    'smoke-expected-status',
    'an HTTP status',
  ],
  [
    'a bad dry-run',
    { target: 'aws=50,azure=50', ...ROUTE53, 'dry-run': 'yes' },
    'dry-run',
    'must be true or false',
  ],
  [
    'a bad emergency',
    { target: 'aws=50,azure=50', ...ROUTE53, emergency: 'on' },
    'emergency',
    'must be true or false',
  ],
  [
    'a bad force',
    { target: 'aws=50,azure=50', ...ROUTE53, force: '1' },
    'force',
    'must be true or false',
  ],
  [
    'an emergency shift without smoke URLs',
    { target: 'aws=100,azure=0', ...ROUTE53, emergency: 'true', 'bake-seconds': '120' },
    'smoke-urls',
    'a manual (emergency) shift needs it unless force: true',
  ],
  [
    'an emergency shift with bake 0',
    { ...EMERGENCY, 'bake-seconds': '0' },
    'bake-seconds',
    'must be at least 60: a manual (emergency) shift needs it unless force: true',
  ],
  [
    'an emergency shift in a single step',
    { ...EMERGENCY, steps: '100' },
    'steps',
    'needs at least two steps, e.g. 50,100: a manual (emergency) shift needs it unless force: true',
  ],
  [
    'a bad expected-initial-split',
    { target: 'aws=50,azure=50', ...ROUTE53, 'expected-initial-split': 'aws=60,azure=60' },
    'expected-initial-split',
    'the percentages sum to 120, not 100',
  ],
  [
    'a bad target',
    { ...ROUTE53, target: '50/50' },
    'target',
    "'50/50' is not cloud=value; expected aws=<percent>,azure=<percent>",
  ],
  [
    'bad steps',
    { target: 'aws=50,azure=50', ...ROUTE53, steps: '10,50' },
    'steps',
    'the last step must be 100',
  ],
  [
    'a bake in exponent form',
    { target: 'aws=50,azure=50', ...ROUTE53, 'bake-seconds': '1e3' },
    'bake-seconds',
    "'1e3' is not a number of seconds from 0 to 86400",
  ],
  [
    'a bake longer than a day',
    { target: 'aws=50,azure=50', ...ROUTE53, 'bake-seconds': '100000' },
    'bake-seconds',
    'from 0 to 86400',
  ],
  [
    'a bad hosted zone ID',
    { target: 'aws=50,azure=50', ...ROUTE53, 'route53-hosted-zone-id': 'example.com' },
    'route53-hosted-zone-id',
    "'example.com' is not a hosted zone ID",
  ],
  [
    'a URL as the record name',
    { target: 'aws=50,azure=50', ...ROUTE53, 'route53-record-name': 'https://app.example.com' },
    'route53-record-name',
    "'https://app.example.com' is not a DNS name (e.g. app.example.com)",
  ],
  [
    'one set identifier for both clouds',
    { target: 'aws=50,azure=50', ...ROUTE53, 'route53-set-identifiers': 'aws=cell,azure=cell' },
    'route53-set-identifiers',
    "aws and azure both name 'cell'; each cloud needs its own weighted record",
  ],
  [
    'a bad resource group',
    { target: 'aws=50,azure=50', ...FRONT_DOOR, 'frontdoor-resource-group': 'rg/prod' },
    'frontdoor-resource-group',
    "'rg/prod' is not a resource group name",
  ],
  [
    'a bad profile name',
    { target: 'aws=50,azure=50', ...FRONT_DOOR, 'frontdoor-profile': 'afd_prod' },
    'frontdoor-profile',
    "'afd_prod' is not a Front Door name (letters, digits and hyphens",
  ],
  [
    'a bad origin group name',
    { target: 'aws=50,azure=50', ...FRONT_DOOR, 'frontdoor-origin-group': '-cells' },
    'frontdoor-origin-group',
    "'-cells' is not a Front Door name",
  ],
  [
    'one origin for both clouds',
    { target: 'aws=50,azure=50', ...FRONT_DOOR, 'frontdoor-origins': 'aws=cell,azure=cell' },
    'frontdoor-origins',
    "aws and azure both name 'cell'; each cloud needs its own origin",
  ],
  [
    'a p95 limit of 0',
    { target: 'aws=50,azure=50', ...ROUTE53, 'max-p95-latency-ms': '0' },
    'max-p95-latency-ms',
    "'0' is not a number of milliseconds above 0",
  ],
  [
    'a change timeout in words',
    { target: 'aws=50,azure=50', ...ROUTE53, 'change-timeout-seconds': 'soon' },
    'change-timeout-seconds',
    "'soon' is not a number of seconds above 0, at most 86400",
  ],
  [
    'a canary without a cloud name',
    { target: 'aws=50,azure=50', ...ROUTE53, ...SMOKE, 'canary-cloud': 'gcp' },
    'canary-cloud',
    "'gcp' is not a cloud; expected aws or azure (the cloud running the new version)",
  ],
  [
    'a canary without smoke URLs',
    { target: 'aws=50,azure=50', ...ROUTE53, 'canary-cloud': 'azure' },
    'canary-cloud',
    'needs smoke-urls: the canary and the other cloud are compared on their own health URLs',
  ],
  [
    'a public health URL without smoke URLs',
    {
      target: 'aws=50,azure=50',
      ...ROUTE53,
      'public-health-url': 'https://api.example.com/health',
    },
    'public-health-url',
    "needs smoke-urls: the public host name is probed beside each cloud's own health URL",
  ],
  [
    'a public health URL that is not one',
    { target: 'aws=50,azure=50', ...ROUTE53, ...SMOKE, 'public-health-url': 'api.example.com' },
    'public-health-url',
    "'api.example.com' is not a URL",
  ],
  [
    'an error tolerance in percent',
    { target: 'aws=50,azure=50', ...ROUTE53, 'canary-max-error-rate-increase': '2%' },
    'canary-max-error-rate-increase',
    "'2%' is not a fraction from 0 up to (not including) 1, e.g. 0.01 for one percentage point",
  ],
  [
    'a negative latency tolerance',
    { target: 'aws=50,azure=50', ...ROUTE53, 'canary-max-latency-increase-ms': '-5' },
    'canary-max-latency-increase-ms',
    "'-5' is not a number of milliseconds, 0 or more",
  ],
  [
    'a significance level of a half',
    { target: 'aws=50,azure=50', ...ROUTE53, 'canary-significance': '0.5' },
    'canary-significance',
    "'0.5' is not a significance level above 0 and below 0.5",
  ],
  [
    'a hexadecimal poll interval',
    { target: 'aws=50,azure=50', ...ROUTE53, 'change-poll-seconds': '0x10' },
    'change-poll-seconds',
    "'0x10' is not a number of seconds above 0",
  ],
];

describe('readSettings', () => {
  it('reads both router blocks with the defaults', () => {
    const settings = read({ target: 'aws=100,azure=0', ...ROUTE53, ...FRONT_DOOR });
    expect(settings).toMatchObject({
      target: { aws: 100, azure: 0 },
      steps: [10, 25, 50, 100],
      bakeMs: 60_000,
      probeIntervalMs: 5000,
      route53: {
        hostedZoneId: 'Z0TRAFFIC',
        recordType: 'CNAME',
        setIdentifiers: { aws: 'aws-cell', azure: 'azure-cell' },
        endpoint: undefined,
      },
      frontDoor: {
        origins: { aws: 'a', azure: 'b' },
        resourceManagerUrl: 'https://management.azure.com',
      },
      smokeUrls: undefined,
      smokeExpectedStatus: 200,
      maxErrorRate: 0.01,
      maxP95LatencyMs: 1000,
      minProbesPerStep: 3,
      dryRun: false,
      changeTimeoutMs: 600_000,
      changePollMs: 2000,
    });
  });

  it('accepts one router block alone and a /hostedzone/ prefix', () => {
    const settings = read({
      target: 'aws=0,azure=100',
      ...ROUTE53,
      'route53-hosted-zone-id': '/hostedzone/Z0TRAFFIC',
    });
    expect(settings.frontDoor).toBeUndefined();
    expect(settings.route53?.hostedZoneId).toBe('Z0TRAFFIC');
  });

  it('accepts a manual shift with its safeguards, and without them only under force', () => {
    expect(read(EMERGENCY)).toMatchObject({ emergency: true, steps: [50, 100], bakeMs: 60_000 });
    const forced = read({
      target: 'aws=100,azure=0',
      ...FRONT_DOOR,
      emergency: 'true',
      force: 'true',
      steps: '100',
      'bake-seconds': '0',
    });
    expect(forced).toMatchObject({
      emergency: true,
      steps: [100],
      bakeMs: 0,
      smokeUrls: undefined,
    });
    // Outside emergency mode (a deploy's rollout step) the safeguards are the caller's business.
    expect(
      read({ target: 'aws=0,azure=100', ...ROUTE53, steps: '100', 'bake-seconds': '0' }),
    ).toMatchObject({ emergency: false, bakeMs: 0 });
  });

  it('reads the expected initial split', () => {
    const settings = read({ ...EMERGENCY, 'expected-initial-split': 'azure=100,aws=0' });
    expect(settings.expectedInitialSplit).toEqual({ aws: 0, azure: 100 });
  });

  it.each(REJECTIONS)('rejects %s, naming the input', (_name, inputs, input, text) => {
    const error = errorOf(inputs);
    expect(error.input).toBe(input);
    expect(error.message).toContain(`Input '${input}'`);
    expect(error.message).toContain(text);
  });
});

describe('action.yml', () => {
  it('has a rejection case above for every input', async () => {
    const action = parse(
      await readFile(join(dirname(fileURLToPath(import.meta.url)), '../../action.yml'), 'utf8'),
    ) as { inputs: Record<string, unknown> };
    const covered = new Set(REJECTIONS.map(([, , input]) => input));
    expect(Object.keys(action.inputs).filter((input) => !covered.has(input))).toEqual([]);
  });
});

describe('parseSplit', () => {
  it('reads whole percentages in any order, with spaces or new lines', () => {
    expect(parseSplit('target', ' azure=30 ,\naws=70 ')).toEqual({ aws: 70, azure: 30 });
  });

  it.each([
    ['aws=50', 'azure missing'],
    ['aws=50,azure=50,gcp=0', "unknown cloud 'gcp'; the clouds are aws and azure"],
    ['aws=50,aws=50', 'aws is given twice'],
    ['aws=50.5,azure=49.5', 'aws=50.5 is not a whole percentage'],
    ['aws=-10,azure=110', 'aws=-10 is not a whole percentage'],
    ['aws=60,azure=60', 'the percentages sum to 120, not 100'],
    ['50/50', "'50/50' is not cloud=value"],
    ['aws=,azure=100', 'aws has no value'],
  ])('rejects %s', (text, message) => {
    expect(() => parseSplit('target', text)).toThrow(message);
  });
});

describe('parseSteps', () => {
  it('accepts strictly increasing steps ending at 100', () => {
    expect(parseSteps('steps', '5, 20,100')).toEqual([5, 20, 100]);
    expect(parseSteps('steps', '100')).toEqual([100]);
  });

  it.each([
    ['10,10,100', 'strictly increasing; 10 follows 10'],
    ['10,50', 'the last step must be 100'],
    ['0,100', "'0' is not a whole percentage 1-100"],
    ['10,,100', "'' is not a whole percentage"],
    ['25%,100', "'25%' is not"],
  ])('rejects %s', (text, message) => {
    expect(() => parseSteps('steps', text)).toThrow(message);
  });
});
