// The bundled action (dist/index.js) run as the GitHub runner runs it, against the Route 53,
// Front Door and Entra stand-ins and two health endpoints, all on loopback.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runAction } from '../../../../test-bench/src/action-runner.js';
import {
  actionDir,
  startRolloutEnvironment,
  type RolloutEnvironment,
} from '../support/rollout-environment.js';

describe('traffic-shift end to end: successful runs', () => {
  let world: RolloutEnvironment;

  beforeEach(async () => {
    world = await startRolloutEnvironment();
  });

  afterEach(async () => {
    await world.close();
  });

  it('runs a full canary to the target on both routers in lockstep', async () => {
    const result = await runAction({ actionDir, inputs: world.inputs(), env: world.env });

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({
      'initial-split': 'aws=50,azure=50',
      'final-split': 'aws=100,azure=0',
      // The routers are parallel entries here (both origins priority 1): the Route 53 split.
      'client-split': 'aws=100,azure=0',
      'steps-completed': '3',
      'rolled-back': 'false',
      'failure-reason': '',
    });
    expect(world.route53Weights()).toEqual({ aws: 100, azure: 0 });
    // 0 % disables the origin (weight 0 is invalid on Front Door) and keeps its last weight.
    expect(world.frontDoorState()).toEqual({ aws: '1000', azure: 'off(250)' });
    // One Route 53 change batch per step, each UPSERTing both records with TTL and health check kept.
    expect(
      world.route53.changes.map((batch) =>
        batch.changes.map(
          (change) =>
            `${change.action} ${change.recordSet.setIdentifier}=${change.recordSet.weight}`,
        ),
      ),
    ).toEqual([
      ['UPSERT aws-cell=63', 'UPSERT azure-cell=37'],
      ['UPSERT aws-cell=75', 'UPSERT azure-cell=25'],
      ['UPSERT aws-cell=100', 'UPSERT azure-cell=0'],
    ]);
    expect(world.route53.recordSets('Z0TRAFFICSHIFT').filter((set) => set.setIdentifier)).toEqual([
      expect.objectContaining({
        setIdentifier: 'aws-cell',
        ttl: 60,
        healthCheckId: 'hc-aws',
        resourceRecords: ['aws.cells.example.net'],
      }),
      expect.objectContaining({
        setIdentifier: 'azure-cell',
        ttl: 60,
        healthCheckId: 'hc-azure',
        resourceRecords: ['azure.cells.example.net'],
      }),
    ]);
    // One Front Door update per origin that changes.
    expect(
      world.frontDoor.updates.map((update) => `${update.origin}:${JSON.stringify(update.changes)}`),
    ).toEqual([
      'aws-origin:{"weight":630,"enabledState":"Enabled"}',
      'azure-origin:{"weight":370,"enabledState":"Enabled"}',
      'aws-origin:{"weight":750,"enabledState":"Enabled"}',
      'azure-origin:{"weight":250,"enabledState":"Enabled"}',
      'aws-origin:{"weight":1000,"enabledState":"Enabled"}',
      'azure-origin:{"weight":250,"enabledState":"Disabled"}',
    ]);
    // Azure no longer carries traffic in the last step, so it is no longer probed there.
    expect(result.summary).toContain(
      '### Traffic shift: aws=50,azure=50 → aws=100,azure=0 — completed',
    );
    expect(result.summary).toMatch(
      /\| 3 \| 100\/0 \| INSYNC [\d.]+ s \| Succeeded [\d.]+ s \(azure disabled\) \|/,
    );
    expect(result.summary).toContain('line [50, 63, 75, 100]');
    expect(result.stdout).toContain('Step 2/3: aws=75,azure=25');
    // The Azure SDK authenticated with the federated token through the local Entra endpoint only.
    expect(world.identity.issuedTokens.length).toBeGreaterThan(0);
    expect(world.secretsShown(result)).toEqual([]);
  });

  it('retries Route 53 throttling, PriorRequestNotComplete and 5xx, then succeeds', async () => {
    world.route53.injectError('ChangeResourceRecordSets', 'Throttling', { times: 2 });
    world.route53.injectError('GetChange', 'PriorRequestNotComplete');
    world.route53.injectError('ListResourceRecordSets', 'ServiceUnavailable');
    const result = await runAction({
      actionDir,
      inputs: world.inputs({ target: 'aws=0,azure=100', steps: '50,100' }),
      env: world.env,
    });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Route 53 ChangeResourceRecordSets: Throttling; retry 1 of 5/);
    expect(result.stdout).toMatch(/Route 53 ChangeResourceRecordSets: Throttling; retry 2 of 5/);
    expect(result.stdout).toMatch(/Route 53 GetChange: PriorRequestNotComplete; retry 1 of 5/);
    expect(result.stdout).toMatch(/Route 53 ListResourceRecordSets: HTTP 503 \S+; retry 1 of 5/);
    expect(world.route53.writeRequests().map((request) => request.status)).toEqual([
      400, 400, 200, 200,
    ]);
    expect(world.route53.changes).toHaveLength(2);
    expect(world.route53Weights()).toEqual({ aws: 0, azure: 100 });
    expect(world.frontDoorState()).toEqual({ aws: 'off(250)', azure: '1000' });
  });

  it('retries Front Door 429 (Retry-After) and succeeds', async () => {
    world.frontDoor.injectError('updateOrigin', { status: 429, retryAfterSeconds: 0, times: 2 });
    const result = await runAction({
      actionDir,
      inputs: world.inputs({ target: 'aws=60,azure=40', steps: '100' }),
      env: world.env,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /Front Door update of origin \S+: HTTP 429 TooManyRequests; retry 1 of 5 in 0 ms/,
    );
    expect(world.frontDoorState()).toEqual({ aws: '600', azure: '400' });
  });

  it('dry run reads and plans but writes nothing', async () => {
    // A function key in a health URL (Azure Functions `?code=`) is masked before anything runs.
    const result = await runAction({
      actionDir,
      inputs: world.inputs({
        'dry-run': 'true',
        'smoke-urls': `aws=${world.aws.healthUrl},azure=${world.azure.healthUrl}?code=fn-key/42==`,
      }),
      env: world.env,
    });
    expect(result.masks).toEqual(expect.arrayContaining(['fn-key/42==', 'fn-key%2F42%3D%3D']));
    expect(world.azure.hits).toBeGreaterThan(0);

    expect(result.exitCode).toBe(0);
    expect(world.writeCount()).toBe(0);
    expect(world.route53.requests.every((request) => request.method === 'GET')).toBe(true);
    expect(world.frontDoor.requests.every((request) => request.method === 'GET')).toBe(true);
    expect(world.route53.requests.length).toBeGreaterThan(0);
    expect(world.route53Weights()).toEqual({ aws: 50, azure: 50 });
    expect(result.outputs['steps-completed']).toBe('0');
    expect(result.summary).toContain('— dry run, nothing changed');
    expect(result.summary).toContain(
      '| 3 | 100/0 | one change batch: UPSERT aws-cell weight 100, azure-cell weight 0 | aws-origin weight 1000, azure-origin disabled |',
    );
  });

  it('is a no-op success when the target is already in force', async () => {
    const result = await runAction({
      actionDir,
      inputs: world.inputs({ target: 'aws=50,azure=50' }),
      env: world.env,
    });
    expect(result.exitCode).toBe(0);
    expect(world.writeCount()).toBe(0);
    expect(result.outputs['steps-completed']).toBe('0');
    expect(result.outputs['final-split']).toBe('aws=50,azure=50');
    expect(result.summary).toContain('already in force, nothing to do');
    // Nothing to shift, so nothing to smoke-test.
    expect(world.aws.hits + world.azure.hits).toBe(0);
  });

  it('warns when the Front Door latency sensitivity is 0 ms and brings disagreeing routers together', async () => {
    world.frontDoor.setLatencySensitivity('cells', 0);
    world.frontDoor.setOrigin('cells', 'aws-origin', { weight: 900 });
    world.frontDoor.setOrigin('cells', 'azure-origin', { weight: 100 });
    const result = await runAction({
      actionDir,
      inputs: world.inputs({ target: 'aws=100,azure=0', steps: '50,100' }),
      env: world.env,
    });
    expect(result.exitCode).toBe(0);
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('latency sensitivity of 0 ms'),
      }),
    );
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('The routers disagree'),
      }),
    );
    // The least advanced router (Route 53 at 50/50) sets the pace; step 1 aligns both.
    expect(result.outputs['initial-split']).toBe('aws=50,azure=50');
    expect(world.frontDoor.updates[0]?.changes).toEqual({ weight: 750, enabledState: 'Enabled' });
    expect(world.route53Weights()).toEqual({ aws: 100, azure: 0 });
  });
  it('never leaves loopback: the guard in every run refuses and reports what would have', async () => {
    // Every end-to-end run carries the guard, and close() fails a test whose run tried to reach
    // beyond loopback (Entra instance discovery at login.microsoftonline.com, IMDS...). Here a
    // health URL off loopback shows the guard is in place and the run fails safe.
    const result = await runAction({
      actionDir,
      inputs: world.inputs({
        'smoke-urls': `aws=http://example.com/health,azure=${world.azure.healthUrl}`,
      }),
      env: world.env,
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).toMatch(
      /^smoke test failed before the first step: aws /,
    );
    expect(world.writeCount()).toBe(0);
    expect(await world.takeTrafficOffLoopback()).toContainEqual(
      expect.stringContaining('example.com'),
    );
  });
});

describe('traffic-shift end to end: bad inputs fail before the first request', () => {
  let world: RolloutEnvironment;

  beforeEach(async () => {
    world = await startRolloutEnvironment();
  });

  afterEach(async () => {
    await world.close();
  });

  const cases: [string, Record<string, string>, string][] = [
    [
      'a sum other than 100',
      { target: 'aws=60,azure=50' },
      "Input 'target': the percentages sum to 110, not 100",
    ],
    ['an unknown cloud', { target: 'aws=50,gcp=50' }, "Input 'target': unknown cloud 'gcp'"],
    [
      'steps not increasing',
      { steps: '10,50,25,100' },
      "Input 'steps': steps must be strictly increasing; 25 follows 50",
    ],
    [
      'a half-filled Route 53 block',
      { 'route53-record-type': '' },
      "Input 'route53-record-type': is required when the Route 53 block is used",
    ],
    [
      'a half-filled Front Door block',
      { 'frontdoor-origins': '' },
      "Input 'frontdoor-origins': is required when the Front Door block is used",
    ],
    [
      'an unknown cloud in the smoke URLs',
      { 'smoke-urls': 'aws=http://127.0.0.1:1/health,azrue=http://127.0.0.1:1/health' },
      "Input 'smoke-urls': unknown cloud 'azrue'",
    ],
  ];

  it.each(cases)('%s', async (_name, overrides, message) => {
    const result = await runAction({ actionDir, inputs: world.inputs(overrides), env: world.env });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((annotation) => annotation.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(message);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
    expect(world.controlPlaneRequests()).toBe(0);
    expect(world.aws.hits + world.azure.hits).toBe(0);
  });
});
