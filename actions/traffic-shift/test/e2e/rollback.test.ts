// Failures, cancellation and crashes: the bundled action restores the initial split on every
// router it touched, and a re-run after a crash converges.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runAction, startAction } from '../../../../test-bench/src/action-runner.js';
import { DEFAULT_RETRY_POLICY } from '../../src/rollout/retry.js';
import {
  actionDir,
  startRolloutEnvironment,
  type RolloutEnvironment,
} from '../support/rollout-environment.js';

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('traffic-shift end to end: rollback', () => {
  let world: RolloutEnvironment;

  afterEach(async () => {
    await world.close();
  });

  describe('with fast control planes', () => {
    beforeEach(async () => {
      world = await startRolloutEnvironment();
    });

    it('fails on a smoke-test failure before the first step and changes nothing', async () => {
      world.azure.setStatus(503);
      const result = await runAction({ actionDir, inputs: world.inputs(), env: world.env });

      expect(result.exitCode).toBe(1);
      expect(world.writeCount()).toBe(0);
      expect(result.outputs['rolled-back']).toBe('false');
      expect(result.outputs['steps-completed']).toBe('0');
      expect(result.outputs['failure-reason']).toBe(
        'smoke test failed before the first step: azure 2 of 2 failed (HTTP 503)',
      );
      expect(result.summary).toContain('— failed, nothing changed: smoke test failed');
      expect(result.summary).toContain(
        '| smoke | 50/50 | — | — | — | — | aws 2/2, azure 0/2 | 2 |',
      );
    });

    it('restores the initial split on both routers when probes fail at step 3', async () => {
      // Azure turns unhealthy as soon as step 3 reaches Route 53.
      world.route53.onChange(() => {
        if (world.route53.changes.length === 3) world.azure.setStatus(503);
      });
      const result = await runAction({
        actionDir,
        inputs: world.inputs({ steps: '10,25,50,100', 'min-probes-per-step': '3' }),
        env: world.env,
      });

      expect(result.exitCode).toBe(1);
      expect(result.outputs).toMatchObject({
        'initial-split': 'aws=50,azure=50',
        'final-split': 'aws=50,azure=50',
        'steps-completed': '2',
        'rolled-back': 'true',
        'failure-reason': 'azure probes: 1 of 1 failed (HTTP 503) at step 3',
      });
      expect(world.route53Weights()).toEqual({ aws: 50, azure: 50 });
      expect(world.frontDoorState()).toEqual({ aws: '500', azure: '500' });
      // Steps 1-3, then the rollback: still one batch each.
      expect(world.route53.changes).toHaveLength(4);
      expect(result.summary).toContain(
        '— rolled back: azure probes: 1 of 1 failed (HTTP 503) at step 3',
      );
      expect(result.summary).toMatch(
        /\| rollback \| 50\/50 \| restored [\d.]+ s \| restored [\d.]+ s \|/,
      );
      expect(result.summary).toContain('line [50, 55, 63, 75, 50]');
      expect(result.annotations).toContainEqual(
        expect.objectContaining({
          level: 'error',
          message: 'traffic-shift: azure probes: 1 of 1 failed (HTTP 503) at step 3',
        }),
      );
    });

    it('rolls Route 53 back too when Front Door answers 500 mid-step', async () => {
      // Step 1 updates both origins; from then on every update fails until the retries of
      // both step-2 updates are spent, so the rollback's own updates go through.
      world.frontDoor.onUpdate(() => {
        if (world.frontDoor.updates.length === 2) {
          world.frontDoor.injectError('updateOrigin', {
            status: 500,
            times: 2 * DEFAULT_RETRY_POLICY.attempts,
          });
        }
      });
      const result = await runAction({ actionDir, inputs: world.inputs(), env: world.env });

      expect(result.exitCode).toBe(1);
      expect(result.outputs['rolled-back']).toBe('true');
      expect(result.outputs['steps-completed']).toBe('1');
      expect(result.outputs['failure-reason']).toMatch(
        /^Front Door: update of origin (aws|azure)-origin failed after 6 attempts \(HTTP 500 InternalServerError\) at step 2$/,
      );
      // Route 53 had taken step 2 (75/25); it is back at 50/50.
      expect(world.route53.changes.map((batch) => batch.changes[0]?.recordSet.weight)).toEqual([
        63, 75, 50,
      ]);
      expect(world.route53Weights()).toEqual({ aws: 50, azure: 50 });
      expect(world.frontDoorState()).toEqual({ aws: '500', azure: '500' });
      expect(result.summary).toMatch(
        /\| 2 \| 75\/25 \| INSYNC [\d.]+ s \| failed: update of origin/,
      );
    });

    it('says exactly what each router holds when the rollback itself fails', async () => {
      world.route53.onChange(() => {
        if (world.route53.changes.length === 2) {
          world.azure.setStatus(503);
          // Front Door refuses everything from now on, the rollback included.
          world.frontDoor.injectError('updateOrigin', {
            status: 400,
            code: 'BadRequest',
            times: Infinity,
          });
        }
      });
      const result = await runAction({ actionDir, inputs: world.inputs(), env: world.env });

      expect(result.exitCode).toBe(1);
      expect(result.summary).toContain('— ROLLBACK FAILED:');
      expect(result.outputs['final-split']).toMatch(
        /^route53: aws=50, azure=50 \(weights of 255\); frontdoor: /,
      );
      expect(result.outputs['failure-reason']).toContain(
        'the rollback failed: Route 53 holds aws=50, azure=50 (weights of 255); Front Door holds ',
      );
      expect(world.route53Weights()).toEqual({ aws: 50, azure: 50 });
      expect(result.summary).toContain('> [!CAUTION]');
      expect(world.secretsShown(result)).toEqual([]);
    });
  });

  it('rolls back when a change is not in force in time', async () => {
    // Route 53 stays PENDING for 5 s; the action gives each change 0.5 s.
    world = await startRolloutEnvironment({ insyncDelayMs: 5000 });
    const result = await runAction({
      actionDir,
      inputs: world.inputs({ 'change-timeout-seconds': '0.5' }),
      env: world.env,
    });

    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toBe('Route 53: not in force after 0.5 s at step 1');
    expect(result.outputs['rolled-back']).toBe('true');
    expect(world.route53Weights()).toEqual({ aws: 50, azure: 50 });
    expect(world.frontDoorState()).toEqual({ aws: '500', azure: '500' });
    // The restoring batch was accepted; only its INSYNC was not seen within the timeout.
    expect(result.summary).toContain(
      '- Route 53: restored to aws=50, azure=50 (weights of 255) (not confirmed in force after 0.5 s)',
    );
  });

  it('rolls back when the job is cancelled (SIGTERM) during a bake', async () => {
    world = await startRolloutEnvironment();
    const { child, result } = await startAction({
      actionDir,
      inputs: world.inputs({ 'bake-seconds': '30', 'probe-interval-seconds': '0.05' }),
      env: world.env,
    });
    // Step 1 is in force and the bake's probes have started (the smoke test took 2 per cloud).
    await until(() => world.route53.changes.length === 1 && world.aws.hits >= 4, 'the first bake');
    child.kill('SIGTERM');
    const finished = await result;

    expect(finished.signal).toBeNull();
    expect(finished.exitCode).toBe(1);
    expect(finished.outputs).toMatchObject({
      'rolled-back': 'true',
      'steps-completed': '0',
      'failure-reason': 'cancelled (SIGTERM) during the bake of step 1',
      'final-split': 'aws=50,azure=50',
    });
    expect(world.route53Weights()).toEqual({ aws: 50, azure: 50 });
    expect(world.frontDoorState()).toEqual({ aws: '500', azure: '500' });
    expect(finished.summary).toContain(
      '— rolled back: cancelled (SIGTERM) during the bake of step 1',
    );
    expect(finished.stdout).toContain(
      'Received SIGTERM: stopping the rollout and restoring the initial split.',
    );
    expect(world.secretsShown(finished)).toEqual([]);
  });

  it('rolls back when the job is cancelled (SIGINT) while a step is being written', async () => {
    world = await startRolloutEnvironment({ operationDelayMs: 1000 });
    const { child, result } = await startAction({
      actionDir,
      inputs: world.inputs(),
      env: world.env,
    });
    // Both step-1 origin updates accepted, their operations still running.
    await until(() => world.frontDoor.updates.length === 2, 'the step 1 updates');
    child.kill('SIGINT');
    const finished = await result;

    expect(finished.exitCode).toBe(1);
    expect(finished.outputs).toMatchObject({
      'rolled-back': 'true',
      'steps-completed': '0',
      'failure-reason': 'cancelled (SIGINT)',
      'final-split': 'aws=50,azure=50',
    });
    expect(world.route53Weights()).toEqual({ aws: 50, azure: 50 });
    expect(world.frontDoorState()).toEqual({ aws: '500', azure: '500' });
  });

  it('converges when re-run after the process was killed mid-step', async () => {
    // Slow Front Door operations, so the kill lands while step 2 is being written.
    world = await startRolloutEnvironment({ operationDelayMs: 400 });
    const first = await startAction({ actionDir, inputs: world.inputs(), env: world.env });
    await until(() => world.route53.changes.length === 2, 'step 2 on Route 53');
    first.child.kill('SIGKILL');
    const killed = await first.result;
    expect(killed.signal).toBe('SIGKILL');
    // Left mid-step: Route 53 at step 2, Front Door with an update in flight.
    expect(world.route53Weights()).toEqual({ aws: 75, azure: 25 });

    const rerun = await runAction({ actionDir, inputs: world.inputs(), env: world.env });

    expect(rerun.exitCode).toBe(0);
    expect(rerun.outputs['final-split']).toBe('aws=100,azure=0');
    expect(world.route53Weights()).toEqual({ aws: 100, azure: 0 });
    expect(world.frontDoorState()).toMatchObject({
      aws: '1000',
      azure: expect.stringMatching(/^off\(/),
    });
    // The re-run started from the live state (Route 53 at step 2, Front Door at step 1 or 2,
    // the least advanced setting the pace), not from the first run's 50/50.
    expect(rerun.outputs['initial-split']).toMatch(/^aws=(63|75),azure=(37|25)$/);
  });
});
