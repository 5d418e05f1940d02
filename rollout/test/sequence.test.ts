import { describe, expect, it } from '@jest/globals';

import { shiftInputs } from '../../sandbox/src/shift-runner.js';
import type { SandboxState } from '../../sandbox/src/state-file.js';
import { sandboxRouting, sandboxTargets } from '../src/rehearsal.js';
import {
  cellEnvironment,
  resolveInput,
  resolveInputs,
  ROLLOUT_STEPS,
  stepRuns,
  type ActionStep,
} from '../src/sequence.js';
import { parseRolloutSettings } from '../src/settings.js';

const routing = {
  'route53-hosted-zone-id': 'Z1',
  'route53-record-name': 'shop.example.com',
  'route53-record-type': 'CNAME',
  'route53-set-identifiers': 'aws=aws,azure=azure',
  'smoke-urls': 'aws=https://a.example/health,azure=https://b.example/health',
};

describe('the rollout sequence', () => {
  it('is plan, then (only when the plan has changes) verify, drain, apply, smoke, canary', () => {
    expect(ROLLOUT_STEPS.map((step) => [step.id, step.if !== undefined])).toEqual([
      ['plan', false],
      ['verify', true],
      ['drain', true],
      ['apply', true],
      ['smoke', true],
      ['canary', true],
    ]);
    const drain = ROLLOUT_STEPS[2] as ActionStep;
    expect(stepRuns(drain, { plan: { 'has-changes': 'true' } })).toBe(true);
    expect(stepRuns(drain, { plan: { 'has-changes': 'false' } })).toBe(false);
    expect(stepRuns(ROLLOUT_STEPS[0] as ActionStep, {})).toBe(true);
  });

  it('drains the cloud being deployed and brings it back to the desired split', () => {
    const settings = parseRolloutSettings({ DEPLOY_SPLIT: 'aws=70,azure=30' });
    const environment = cellEnvironment(settings, 'azure', { version: 'abc123', routing });
    const [plan, verify, drain, apply, , canary] = ROLLOUT_STEPS as ActionStep[];
    expect(resolveInputs(plan as ActionStep, environment)).toEqual({
      'working-directory': 'terraform/stacks/azure',
      stack: 'azure',
      // The plan-digest key is a secret; the rehearsal holds none.
      'digest-key': '',
      comment: 'false',
      'backend-config': '',
      'var-files': 'example.tfvars',
      'lock-timeout': '5m',
    });
    expect(resolveInputs(drain as ActionStep, environment)).toMatchObject({
      target: 'aws=100,azure=0',
      steps: '50,100',
      'bake-seconds': '300',
      'route53-record-name': 'shop.example.com',
      'frontdoor-profile': '',
      'smoke-urls': routing['smoke-urls'],
    });
    // Verify, then drain (ADR 24): the apply action checks the saved plan and applies nothing,
    // before the drain; then it checks and applies that same plan.
    const saved = { plan: { 'plan-path': '/tmp/azure.tfplan', 'has-changes': 'true' } };
    expect(resolveInputs(verify as ActionStep, environment, saved)).toEqual({
      'working-directory': 'terraform/stacks/azure',
      stack: 'azure',
      'digest-key': '',
      'plan-path': '/tmp/azure.tfplan',
      'backend-config': '',
      'lock-timeout': '10m',
      'verify-only': 'true',
    });
    expect(
      resolveInputs(apply as ActionStep, environment, {
        plan: { 'plan-path': '/tmp/azure.tfplan', 'has-changes': 'true' },
      }),
    ).toEqual({
      'working-directory': 'terraform/stacks/azure',
      stack: 'azure',
      'digest-key': '',
      'plan-path': '/tmp/azure.tfplan',
      'backend-config': '',
      'lock-timeout': '10m',
    });
    expect(resolveInputs(canary as ActionStep, environment)).toMatchObject({
      target: 'aws=70,azure=30',
      steps: '10,25,50,100',
      // The canary is judged against the other cloud (the drain is not: nothing new runs yet).
      'canary-cloud': 'azure',
    });
    expect(resolveInputs(drain as ActionStep, environment)['canary-cloud']).toBeUndefined();
    expect(environment.ROLLOUT_VERSION).toBe('abc123');
  });

  it('resolves only env.NAME, steps.<id>.outputs.<name> and secrets.NAME (none in the rehearsal), and refuses a missing env name', () => {
    expect(resolveInput('${{ secrets.PLAN_DIGEST_KEY }}', {})).toBe('');
    expect(resolveInput('x-${{ env.A }}-${{env.B}}', { A: '1', B: '2' })).toBe('x-1-2');
    expect(
      resolveInput('${{ steps.plan.outputs.plan-path }}', {}, { plan: { 'plan-path': 'p' } }),
    ).toBe('p');
    expect(resolveInput('${{ steps.drain.outputs.final-split }}', {}, {})).toBe('');
    expect(() => resolveInput('${{ env.MISSING }}', {})).toThrow(/has no MISSING/);
    expect(() => resolveInput('${{ vars.X }}', {})).toThrow(
      /only env.NAME, steps.<id>.outputs.<name> and secrets.NAME/,
    );
  });

  it('the rehearsal gives traffic-shift the sequence inputs plus only the sandbox endpoints', () => {
    const state: SandboxState = {
      pid: 1,
      startedAt: '',
      urls: { aws: 'http://127.0.0.1:1', azure: 'http://127.0.0.1:2' },
      shiftInputs: {
        'route53-hosted-zone-id': 'Z0SANDBOX',
        'route53-record-name': 'shop.multicloud.example',
        'route53-record-type': 'CNAME',
        'route53-set-identifiers': 'aws=aws,azure=azure',
        'aws-endpoint-url': 'http://127.0.0.1:3',
        'azure-subscription-id': 'sub',
        'frontdoor-resource-group': 'rg',
        'frontdoor-profile': 'afd',
        'frontdoor-origin-group': 'cells',
        'frontdoor-origins': 'aws=aws,azure=azure',
        'azure-resource-manager-url': 'https://127.0.0.1:4',
      },
      shiftEnv: {},
      auth: {
        issuer: 'http://127.0.0.1:5',
        audience: 'https://api.test',
        jwksUrl: 'http://127.0.0.1:5/.well-known/jwks.json',
        tokenUrl: 'http://127.0.0.1:5/oauth/token',
        clientId: 'sandbox',
        clientSecret: 'secret',
        adminScope: 'inventory:admin',
      },
    };
    const settings = parseRolloutSettings({});
    const environment = cellEnvironment(settings, 'aws', {
      version: '2.0.0',
      routing: sandboxRouting(state),
    });
    for (const step of ROLLOUT_STEPS) {
      if (!('uses' in step) || step.uses !== './actions/traffic-shift') continue;
      const inputs = resolveInputs(step, environment);
      const given = shiftInputs(
        { target: inputs.target ?? '', extraInputs: inputs },
        sandboxTargets(state),
      );
      for (const [name, value] of Object.entries(inputs)) expect(given[name]).toBe(value);
      const added = Object.keys(given)
        .filter((name) => !(name in inputs))
        .sort();
      expect(added).toEqual([
        'aws-endpoint-url',
        'azure-resource-manager-url',
        'change-poll-seconds',
        'dry-run',
      ]);
      expect(given['dry-run']).toBe('false');
    }
  });
});
