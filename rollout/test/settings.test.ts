import { describe, expect, it } from '@jest/globals';

import { parseRolloutSettings } from '../src/settings.js';

describe('rollout settings (repository variables)', () => {
  it('defaults: AWS then Azure, back to 50/50, canary 10,25,50,100 with 300 s bakes', () => {
    expect(parseRolloutSettings({})).toEqual({
      order: ['aws', 'azure'],
      split: { aws: 50, azure: 50 },
      drainSteps: '50,100',
      canarySteps: '10,25,50,100',
      bakeSeconds: 300,
      probeIntervalSeconds: 10,
      minProbes: 3,
      maxP95LatencyMs: 1000,
      smokeTimeoutSeconds: 300,
    });
  });

  it('takes an order, a split and a schedule; empty means the default', () => {
    const settings = parseRolloutSettings({
      DEPLOY_ORDER: ' azure, aws ',
      DEPLOY_SPLIT: 'azure=30,aws=70',
      DEPLOY_CANARY_STEPS: '50,100',
      DEPLOY_BAKE_SECONDS: '0',
      DEPLOY_PROBE_INTERVAL_SECONDS: '0.5',
      DEPLOY_MIN_PROBES: '',
    });
    expect(settings).toMatchObject({
      order: ['azure', 'aws'],
      split: { aws: 70, azure: 30 },
      canarySteps: '50,100',
      bakeSeconds: 0,
      probeIntervalSeconds: 0.5,
      minProbes: 3,
    });
  });

  it.each([
    ['DEPLOY_ORDER', 'aws', /DEPLOY_ORDER \(--order\) must be aws,azure or azure,aws, got "aws"/],
    ['DEPLOY_ORDER', 'aws,aws', /DEPLOY_ORDER/],
    ['DEPLOY_ORDER', 'aws,gcp', /DEPLOY_ORDER/],
    [
      'DEPLOY_SPLIT',
      'aws=60,azure=60',
      /DEPLOY_SPLIT \(--split\) must be aws=<n>,azure=<n>, whole percentages that sum to 100/,
    ],
    ['DEPLOY_SPLIT', 'aws=100', /DEPLOY_SPLIT/],
    ['DEPLOY_SPLIT', 'aws=50.5,azure=49.5', /DEPLOY_SPLIT/],
    [
      'DEPLOY_CANARY_STEPS',
      '50,25,100',
      /DEPLOY_CANARY_STEPS \(--canary-steps\) must be strictly increasing/,
    ],
    ['DEPLOY_DRAIN_STEPS', '50', /DEPLOY_DRAIN_STEPS/],
    [
      'DEPLOY_BAKE_SECONDS',
      '-1',
      /DEPLOY_BAKE_SECONDS \(--bake-seconds\) must be seconds, 0 or more, got "-1"/,
    ],
    ['DEPLOY_PROBE_INTERVAL_SECONDS', '0', /DEPLOY_PROBE_INTERVAL_SECONDS/],
    ['DEPLOY_MIN_PROBES', '0', /DEPLOY_MIN_PROBES/],
    ['DEPLOY_SMOKE_TIMEOUT_SECONDS', 'soon', /DEPLOY_SMOKE_TIMEOUT_SECONDS/],
  ])('%s=%s is refused with the accepted form', (name, value, message) => {
    expect(() => parseRolloutSettings({ [name]: value })).toThrow(message);
  });
});
