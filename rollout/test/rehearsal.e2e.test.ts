/**
 * `npm run rehearse` end to end: a real sandbox (both cells, the Route 53 and Front Door
 * stand-ins, the edge router), the real traffic-shift dist/ through the action runner, and a
 * steady 50 requests/s through the edge router for the whole rehearsal, counted by this test
 * independently of the rehearsal's own figures.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { launchSandbox, type LaunchedSandbox } from '../../sandbox/src/client.js';
import { LoadGenerator, type LoadReport } from '../../sandbox/src/load-generator.js';
import { runTypeScript } from '../../sandbox/src/paths.js';
import { effectiveWeights } from '../../sandbox/src/router/weights.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Short bakes and probe intervals keep the suite fast; the sequence is the workflow's. */
const QUICK = ['--bake-seconds', '1', '--probe-interval-seconds', '0.5', '--load-rps', '0'];

/** 50 requests/s; a slow answer on a busy machine is not a failure, a 5xx or no answer is. */
const LOAD = { rps: 50, flow: 'browse', timeoutMs: 30_000 } as const;

function rehearseCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...runTypeScript('rollout/src/rehearse-command.ts'), ...args],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** The lowest share `cloud` had on either router while watched (polled every 100 ms). */
function watchLowestShare(
  box: LaunchedSandbox,
  cloud: 'aws' | 'azure',
): { stop(): Promise<number> } {
  let lowest = 100;
  let stopped = false;
  const watching = (async (): Promise<void> => {
    while (!stopped) {
      const snapshot = await box.client.state();
      for (const router of ['route53', 'frontdoor'] as const)
        lowest = Math.min(lowest, effectiveWeights(snapshot.weights, router)[cloud]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await watching;
      return lowest;
    },
  };
}

function describeFailures(report: LoadReport): string {
  return report.failures
    .map((f) => `${f.at} ${f.method} ${f.path} ${f.status} ${f.cloud} ${f.detail}`)
    .join('\n');
}

describe('npm run rehearse under steady load through the edge router', () => {
  let sandbox: LaunchedSandbox | undefined;
  let load: LoadGenerator | undefined;

  beforeAll(async () => {
    sandbox = await launchSandbox({ timeoutMs: 120_000 });
  }, 150_000);

  afterAll(async () => {
    await load?.stop();
    await sandbox?.stop();
  }, 60_000);

  /** `npm run rehearse -- <args>` on this sandbox, with the test's own steady load around it. */
  async function rehearseUnderLoad(
    args: string[],
  ): Promise<{ run: { code: number | null; output: string }; report: LoadReport }> {
    const box = sandbox as LaunchedSandbox;
    load = new LoadGenerator(box.urls.router ?? '', { ...LOAD, tokens: box.tokens });
    load.start();
    const run = await rehearseCli(['--state-file', box.stateFile, ...args]);
    const report = await load.stop();
    load = undefined;
    return { run, report };
  }

  it('upgrades both cells one at a time, restores the split, and no request fails', async () => {
    const box = sandbox as LaunchedSandbox;
    const { run, report } = await rehearseUnderLoad(['--version', '2.0.0', ...QUICK]);

    // The test's own count of the load: steady traffic the whole time, on both clouds, none failed.
    expect({ failed: report.failed, failures: describeFailures(report) }).toEqual({
      failed: 0,
      failures: '',
    });
    expect({ code: run.code, tail: run.output.split('\n').slice(-25).join('\n') }).toEqual({
      code: 0,
      tail: expect.stringContaining('rollout of 2.0.0: completed'),
    });
    const lines = run.output.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('failed requests: 0');
    // The order of the sequence: AWS drained, applied, smoke-tested and back before Azure starts.
    const order = [
      ...run.output.matchAll(/\[(aws|azure) (plan|verify|drain|apply|smoke|canary)\] ok:/g),
    ].map((match) => `${match[1]} ${match[2]}`);
    expect(order).toEqual([
      'aws plan',
      'aws verify',
      'aws drain',
      'aws apply',
      'aws smoke',
      'aws canary',
      'azure plan',
      'azure verify',
      'azure drain',
      'azure apply',
      'azure smoke',
      'azure canary',
    ]);

    const state = await box.client.state();
    expect(state.cells.aws).toMatchObject({ version: '2.0.0', healthy: true });
    expect(state.cells.azure).toMatchObject({ version: '2.0.0', healthy: true });
    expect(state.split).toEqual({ aws: 50, azure: 50 });

    expect(report.requests).toBeGreaterThan(500);
    expect(report.perCloud.aws.requests).toBeGreaterThan(0);
    expect(report.perCloud.azure.requests).toBeGreaterThan(0);
  }, 150_000);

  it('the same version again: both plans have no changes, no cloud is drained', async () => {
    const box = sandbox as LaunchedSandbox;
    const before = await box.client.state();
    const run = await rehearseCli(['--state-file', box.stateFile, '--version', '2.0.0', ...QUICK]);
    expect(run.code).toBe(0);
    expect(run.output).toContain('rollout of 2.0.0: completed');
    expect(run.output).not.toMatch(/\[(aws|azure) drain\] ok:/);
    expect(run.output).toMatch(/aws +drain +skip/);
    expect(run.output).toMatch(/azure +canary +skip/);
    expect((await box.client.state()).weights).toEqual(before.weights);
  }, 60_000);

  it('--changed azure: only Azure gets the new build; AWS is never drained, no request fails', async () => {
    const box = sandbox as LaunchedSandbox;
    const awsBefore = (await box.client.state()).cells.aws.version;
    const { run, report } = await rehearseUnderLoad([
      '--changed',
      'azure',
      '--version',
      '2.0.1',
      ...QUICK,
    ]);

    expect({ failed: report.failed, failures: describeFailures(report) }).toEqual({
      failed: 0,
      failures: '',
    });
    expect(run.code).toBe(0);
    expect(run.output).toContain('new build for azure only');
    expect(run.output).toMatch(/\[aws plan\] ok: no changes/);
    expect(run.output).toMatch(/\[aws drain\] skipped/);
    // No traffic-shift ever asked for AWS at 0 %.
    expect(run.output).not.toMatch(/traffic-shift to aws=0,/);
    expect(run.output).toMatch(/\[azure drain\] ok: in force: aws=100,azure=0/);
    expect(run.output).toMatch(/\[azure canary\] ok: in force: aws=50,azure=50/);
    const state = await box.client.state();
    expect(state.cells.aws.version).toBe(awsBefore);
    expect(state.cells.azure.version).toBe('2.0.1');
    expect(run.output.trimEnd().split('\n').at(-1)).toBe('failed requests: 0');
  }, 150_000);

  it('--changed none: no plan has changes and no step moves traffic, no request fails', async () => {
    const box = sandbox as LaunchedSandbox;
    const before = await box.client.state();
    const { run, report } = await rehearseUnderLoad([
      '--changed',
      'none',
      '--version',
      '2.0.2',
      ...QUICK,
    ]);

    expect({ failed: report.failed, failures: describeFailures(report) }).toEqual({
      failed: 0,
      failures: '',
    });
    expect(run.code).toBe(0);
    expect(run.output).not.toContain('traffic-shift to');
    for (const cloud of ['aws', 'azure'])
      for (const step of ['drain', 'apply', 'smoke', 'canary'])
        expect(run.output).toMatch(new RegExp(`${cloud} +${step} +skip`));
    const after = await box.client.state();
    expect(after.weights).toEqual(before.weights);
    expect(after.cells.aws.version).toBe(before.cells.aws.version);
    expect(after.cells.azure.version).toBe(before.cells.azure.version);
    expect(run.output.trimEnd().split('\n').at(-1)).toBe('failed requests: 0');
  }, 150_000);

  it('--unapproved azure: AWS upgraded; Azure refused at verify, never drained; split after = before; the run fails; no request fails', async () => {
    const box = sandbox as LaunchedSandbox;
    const before = await box.client.state();
    const lowest = watchLowestShare(box, 'azure');
    const { run, report } = await rehearseUnderLoad([
      '--unapproved',
      'azure',
      '--version',
      '2.0.3',
      ...QUICK,
    ]);
    const azureLowest = await lowest.stop();

    expect({ failed: report.failed, failures: describeFailures(report) }).toEqual({
      failed: 0,
      failures: '',
    });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(
      /rollout of 2\.0\.3: FAILED at azure verify: plan-changed: the saved plan \(\w+\) is not the reviewed plan \(\w+\); nothing applied/,
    );
    // Azure's traffic never went below its share of the desired split, on either router.
    expect(azureLowest).toBeGreaterThan(0);
    expect(run.output).not.toMatch(/traffic-shift to aws=100,azure=0/);
    expect(run.output).not.toMatch(/\[azure (drain|apply|smoke|canary)\]/);
    expect(run.output).toMatch(/azure +verify +FAILED/);
    const splitBefore = /split before: (\S+)/.exec(run.output)?.[1];
    expect(splitBefore).toBe('aws=50,azure=50');
    expect(run.output).toContain(`split after:  ${splitBefore}`);
    expect(run.output).toContain('(the plan of azure was refused before any traffic moved)');
    expect(run.output.trimEnd().split('\n').at(-1)).toBe('failed requests: 0');
    const after = await box.client.state();
    expect(after.split).toEqual(before.split);
    expect(after.cells.aws.version).toBe('2.0.3');
    expect(after.cells.azure.version).toBe(before.cells.azure.version);
  }, 150_000);

  it('--unapproved aws: refused before anything moves; Azure not touched; weights unchanged', async () => {
    const box = sandbox as LaunchedSandbox;
    const before = await box.client.state();
    const { run, report } = await rehearseUnderLoad([
      '--unapproved',
      'aws',
      '--version',
      '2.0.4',
      ...QUICK,
    ]);

    expect(report.failed).toBe(0);
    expect(run.code).toBe(1);
    expect(run.output).toContain('rollout of 2.0.4: FAILED at aws verify: plan-changed');
    expect(run.output).not.toContain('traffic-shift to');
    expect(run.output).not.toContain('[azure ');
    expect(run.output).toContain('azure was not touched');
    expect(run.output.trimEnd().split('\n').at(-1)).toBe('failed requests: 0');
    const after = await box.client.state();
    expect(after.weights).toEqual(before.weights);
    expect(after.cells.aws.version).toBe(before.cells.aws.version);
  }, 150_000);

  it('--break azure: AWS upgraded, Azure fails its smoke test, traffic ends 100% on AWS, the run fails, no request fails', async () => {
    const box = sandbox as LaunchedSandbox;
    const { run, report } = await rehearseUnderLoad([
      '--version',
      '2.1.0',
      '--break',
      'azure',
      '--smoke-timeout-seconds',
      '3',
      ...QUICK,
    ]);

    // The test's own count first: when a request failed, which one and where says why.
    expect({ failed: report.failed, failures: describeFailures(report) }).toEqual({
      failed: 0,
      failures: '',
    });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(
      /rollout of 2\.1\.0: FAILED at azure smoke: smoke test failed: http:\/\/127\.0\.0\.1:\d+\/health did not answer 200 on version 2\.1\.0/,
    );
    expect(run.output).toContain('split after:  aws=100,azure=0');
    expect(run.output).toContain('\ntraffic now: aws=100,azure=0 (all on aws)\n');
    expect(run.output).not.toContain('[azure canary]');
    expect(run.output).toContain(
      'to recover: roll a fixed version out to azure first: npm run rehearse -- --order azure,aws',
    );
    expect(run.output.trimEnd().split('\n').at(-1)).toBe('failed requests: 0');

    const state = await box.client.state();
    expect(state.cells.aws).toMatchObject({ version: '2.1.0', healthy: true });
    expect(state.cells.azure).toMatchObject({ version: '2.1.0', healthy: false });
    expect(state.split).toEqual({ aws: 100, azure: 0 });
    expect(state.weights.frontDoor.azure.enabled).toBe(false);
    expect(state.weights.route53.azure).toBe(0);

    expect(report.requests).toBeGreaterThan(300);
  }, 150_000);

  it('recovers Azure first; AWS then degrades in its canary: traffic returns to Azure, the run fails', async () => {
    const box = sandbox as LaunchedSandbox;
    // Recover from the broken Azure release the way the summary says: a fixed version, Azure
    // first (it is drained, so nothing has to move onto it before it is healthy again). AWS's
    // copy of that version passes its smoke test, then fails once the canary gives it traffic.
    const { run, report } = await rehearseUnderLoad([
      '--version',
      '2.1.1',
      '--order',
      'azure,aws',
      '--degrade',
      'aws',
      ...QUICK,
      // Time for the sandbox to rebuild AWS's cell broken while the first canary step bakes.
      '--bake-seconds',
      '3',
    ]);

    expect(run.code).toBe(1);
    const ok = [...run.output.matchAll(/\[(aws|azure) (\w+)\] ok:/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(ok).toEqual([
      'azure plan',
      'azure verify',
      'azure drain',
      'azure apply',
      'azure smoke',
      'azure canary',
      'aws plan',
      'aws verify',
      'aws drain',
      'aws apply',
      'aws smoke',
    ]);
    expect(run.output).toMatch(
      /rollout of 2\.1\.1: FAILED at aws canary: aws probes: .*\(rolled back\)/,
    );
    expect(run.output).toContain('split after:  aws=0,azure=100');
    const state = await box.client.state();
    expect(state.split).toEqual({ aws: 0, azure: 100 });
    expect(state.cells.azure).toMatchObject({ version: '2.1.1', healthy: true });
    expect(state.cells.aws).toMatchObject({ version: '2.1.1', healthy: false });
    // The release fails its health check, not the shoppers' requests; had any failed, it could
    // only be one the first canary step sent to AWS (the canary's blast radius).
    expect(report.perCloud.azure.failed).toBe(0);
    expect(report.failures.every((failure) => failure.cloud === 'aws')).toBe(true);
  }, 150_000);

  it('--break aws: AWS fails its smoke test and stays drained, Azure is not touched, no request fails', async () => {
    const box = sandbox as LaunchedSandbox;
    const { run, report } = await rehearseUnderLoad([
      '--version',
      '2.2.0',
      '--break',
      'aws',
      '--smoke-timeout-seconds',
      '3',
      ...QUICK,
    ]);

    expect({ failed: report.failed, failures: describeFailures(report) }).toEqual({
      failed: 0,
      failures: '',
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain('rollout of 2.2.0: FAILED at aws smoke');
    expect(run.output).toContain(
      'traffic now: aws=0,azure=100 (all on azure); azure was not touched',
    );
    expect(run.output).not.toContain('[azure ');
    expect(run.output.trimEnd().split('\n').at(-1)).toBe('failed requests: 0');
    const state = await box.client.state();
    expect(state.cells.aws).toMatchObject({ version: '2.2.0', healthy: false });
    expect(state.cells.azure).toMatchObject({ version: '2.1.1', healthy: true });
    expect(state.split).toEqual({ aws: 0, azure: 100 });
  }, 150_000);

  it('--slow azure=+150ms: healthy and under the ceilings, but the canary fails on the comparison with AWS; traffic ends on AWS; no request fails', async () => {
    const box = sandbox as LaunchedSandbox;
    const { run, report } = await rehearseUnderLoad([
      '--version',
      '2.3.0',
      '--slow',
      'azure=+150ms',
      ...QUICK,
    ]);

    expect({ failed: report.failed, failures: describeFailures(report) }).toEqual({
      failed: 0,
      failures: '',
    });
    expect(run.code).toBe(1);
    // AWS's new version passed the same comparison against Azure (same speed).
    expect(run.output).toMatch(/\[aws canary\] ok: in force: aws=50,azure=50/);
    expect(run.output).toMatch(/\[azure smoke\] ok:/);
    expect(run.output).toMatch(
      /rollout of 2\.3\.0: FAILED at azure canary: canary analysis: azure latency [^\n]*\(rolled back\)/,
    );
    expect(run.output).toMatch(/Canary cells latency: fail/);
    expect(run.output).toMatch(/azure +canary +FAILED/);
    expect(run.output).toContain('split after:  aws=100,azure=0');
    expect(run.output.trimEnd().split('\n').at(-1)).toBe('failed requests: 0');
    const state = await box.client.state();
    expect(state.split).toEqual({ aws: 100, azure: 0 });
    expect(state.cells.azure).toMatchObject({ version: '2.3.0', healthy: true });
  }, 150_000);
});
