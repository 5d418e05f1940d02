// An emergency shift run as GitHub runs the bundle, when AWS is down: the job has no AWS
// credentials (the AWS login step failed), so Route 53 cannot be read; Front Door still moves
// to Azure, and the summary says which router moved and which could not (ADR 17).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runAction } from '../../../../test-bench/src/action-runner.js';
import {
  actionDir,
  startRolloutEnvironment,
  type RolloutEnvironment,
} from '../support/rollout-environment.js';

describe('traffic-shift end to end: emergency shift', () => {
  let world: RolloutEnvironment;

  beforeEach(async () => {
    world = await startRolloutEnvironment();
  });

  afterEach(async () => {
    await world.close();
  });

  /** The workflow step's environment when the AWS credentials step failed. */
  function withoutAwsCredentials(): Record<string, string> {
    const env = { ...world.env };
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    return env;
  }

  const emergencyInputs = {
    target: 'aws=0,azure=100',
    steps: '50,100',
    emergency: 'true',
    // force: the 60 s minimum bake would make this test a minute long.
    force: 'true',
  };

  it('moves Front Door although AWS credentials fail, and reports the router that could not move', async () => {
    world.aws.setStatus(503);
    const result = await runAction({
      actionDir,
      inputs: world.inputs(emergencyInputs),
      env: withoutAwsCredentials(),
    });

    expect(result.exitCode).toBe(1);
    expect(world.frontDoorState()).toEqual({ aws: 'off(250)', azure: '1000' });
    expect(world.route53Weights()).toEqual({ aws: 50, azure: 50 });
    expect(result.outputs['rolled-back']).toBe('false');
    expect(result.outputs['failure-reason']).toMatch(
      /^Route 53 .*could not be moved \(.*credentials.*\); Front Door .*moved to aws=0,azure=100$/i,
    );
    expect(result.summary).toContain('emergency shift, not every router moved');
    expect(result.summary).toMatch(/- Front Door[^\n]*: \*\*moved\*\* to aws=0,azure=100/);
    expect(result.summary).toMatch(/- Route 53[^\n]*: \*\*could not move\*\*: [^\n]*credentials/i);
    expect(world.secretsShown(result)).toEqual([]);
  });

  it('without emergency, the same run changes nothing and says how to move Front Door anyway', async () => {
    const result = await runAction({
      actionDir,
      inputs: world.inputs({ target: 'aws=0,azure=100' }),
      env: withoutAwsCredentials(),
    });

    expect(result.exitCode).toBe(1);
    expect(world.writeCount()).toBe(0);
    expect(result.outputs['failure-reason']).toContain(
      '(emergency: true moves the other routers regardless)',
    );
  });
});
