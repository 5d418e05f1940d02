// The bundled action judging a canary against the other cloud, end to end: the cells' own
// health endpoints and a public host name that picks a cell by the Route 53 weights.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runAction } from '../../../../test-bench/src/action-runner.js';
import {
  actionDir,
  startRolloutEnvironment,
  type RolloutEnvironment,
} from '../support/rollout-environment.js';

describe('traffic-shift end to end: canary analysis against the other cloud', () => {
  let world: RolloutEnvironment;

  beforeEach(async () => {
    world = await startRolloutEnvironment();
  });

  afterEach(async () => {
    await world.close();
  });

  const canaryInputs = (overrides: Record<string, string> = {}) =>
    world.inputs({
      target: 'aws=25,azure=75',
      steps: '100',
      'canary-cloud': 'azure',
      'public-health-url': world.publicHealthUrl,
      'max-p95-latency-ms': '5000',
      ...overrides,
    });

  it('rolls back a canary 150 ms slower than the other cloud, well under the p95 ceiling', async () => {
    world.azure.setLatency(150);
    const result = await runAction({ actionDir, inputs: canaryInputs(), env: world.env });

    expect(result.exitCode).toBe(1);
    expect(result.outputs['rolled-back']).toBe('true');
    expect(result.outputs['final-split']).toBe('aws=50,azure=50');
    expect(result.outputs['failure-reason']).toMatch(
      /^canary analysis: azure latency through the (cells|public host name): latency \+1[45]\d ms over the baseline \(Mann–Whitney p < 0\.001 at α = 0\.01\), more than the tolerance of 100 ms at step 1$/,
    );
    expect(world.route53Weights()).toEqual({ aws: 50, azure: 50 });
    // Both cells were probed every round of the bake, at least 20 times each.
    expect(world.azure.hits).toBeGreaterThanOrEqual(20 + 2);
    expect(result.summary).toMatch(
      /\| 1 \| cells \| latency \| 1[5-9]\d ms \(20\) \| \d+(\.\d)? ms \(20\) \|/,
    );
    expect(result.summary).toMatch(
      /\*\*Verdict: fail\*\* at step 1: canary analysis: azure latency/,
    );
    expect(result.stdout).toMatch(/Canary cells latency: fail/);
  });

  it('passes a canary as fast as the other cloud and says what each step could detect', async () => {
    const result = await runAction({ actionDir, inputs: canaryInputs(), env: world.env });

    expect(result.exitCode).toBe(0);
    expect(result.outputs['final-split']).toBe('aws=25,azure=75');
    expect(result.summary).toContain('**Verdict: pass**');
    expect(result.summary).toMatch(/\| 1 \| public name \| latency \|/);
    expect(result.summary).toMatch(
      /- step 1: 20 and 20 probes through the cells; 80 % of the time/,
    );
  });
});
