/**
 * The rollout's `run:` steps of deploy.yml, run as the workflow runs them
 * (`node scripts/run-typescript.js rollout/src/workflow-commands.ts <command>` with GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY files).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { runTypeScript } from '../../sandbox/src/paths.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Reads `name<<delimiter` / `name=value` entries as the runner does. */
function readFileCommands(path: string): Record<string, string> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const values: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc?.[1] && heredoc[2]) {
      const end = lines.indexOf(heredoc[2], i + 1);
      values[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return values;
}

interface RunnerFiles {
  GITHUB_OUTPUT: string;
  GITHUB_ENV: string;
  GITHUB_STEP_SUMMARY: string;
}

describe('the rollout commands of the deploy workflow', () => {
  let dir: string;
  let server: Server;
  let health = '';
  const versions = { aws: 'abc123', azure: 'abc123' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rollout-commands-'));
    server = createServer((req, res) => {
      const cloud = req.url?.startsWith('/aws') ? 'aws' : 'azure';
      res.writeHead(cloud === 'azure' ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ cloud, version: versions[cloud] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    health = `aws=${base}/aws/health,azure=${base}/azure/health`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  function run(
    command: string,
    env: Record<string, string>,
  ): Promise<{ code: number | null; stdout: string; files: RunnerFiles }> {
    const files: RunnerFiles = {
      GITHUB_OUTPUT: join(dir, `${command}-output`),
      GITHUB_ENV: join(dir, `${command}-env`),
      GITHUB_STEP_SUMMARY: join(dir, `${command}-summary`),
    };
    for (const path of Object.values(files)) writeFileSync(path, '');
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [...runTypeScript('rollout/src/workflow-commands.ts'), command],
        {
          cwd: repoRoot,
          env: { PATH: process.env.PATH ?? '', ...files, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.once('exit', (code) => resolve({ code, stdout, files }));
    });
  }

  it('plan: the cloud order from DEPLOY_ORDER; a bad variable is one error, no output', async () => {
    const ok = await run('plan', { DEPLOY_ORDER: 'azure,aws' });
    expect(ok.code).toBe(0);
    expect(readFileCommands(ok.files.GITHUB_OUTPUT)).toEqual({
      first: 'azure',
      second: 'aws',
      split: 'aws=50,azure=50',
    });

    const bad = await run('plan', { DEPLOY_SPLIT: 'aws=60,azure=60' });
    expect(bad.code).toBe(1);
    expect(bad.stdout.trim()).toBe(
      '::error title=rollout plan::DEPLOY_SPLIT (--split) must be aws=<n>,azure=<n>, whole percentages that sum to 100, got "aws=60,azure=60"',
    );
    expect(readFileSync(bad.files.GITHUB_OUTPUT, 'utf8')).toBe('');
  }, 30_000);

  it('cell-env: the environment the sequence reads, from the global stack outputs', async () => {
    const outputs = {
      route53_hosted_zone_id: { value: 'Z123', type: 'string', sensitive: false },
      route53_record_name: { value: 'api.example.com', type: 'string', sensitive: false },
      frontdoor_profile: { value: null, type: 'string', sensitive: false },
      smoke_urls: { value: health, type: 'string', sensitive: false },
    };
    const result = await run('cell-env', {
      ROLLOUT_CLOUD: 'azure',
      DEPLOY_VERSION: 'abc123',
      DEPLOY_SPLIT: 'aws=70,azure=30',
      ROLLOUT_ROUTING_JSON: JSON.stringify(outputs),
      TF_BACKEND_CONFIG: 'storage_account_name=tfstate\ncontainer_name=azure',
    });
    expect(result.code).toBe(0);
    const env = readFileCommands(result.files.GITHUB_ENV);
    expect(env).toMatchObject({
      ROLLOUT_CLOUD: 'azure',
      ROLLOUT_STACK_DIR: 'terraform/stacks/azure',
      ROLLOUT_DRAIN_TARGET: 'aws=100,azure=0',
      ROLLOUT_SPLIT: 'aws=70,azure=30',
      ROLLOUT_VERSION: 'abc123',
      ROLLOUT_ROUTE53_HOSTED_ZONE_ID: 'Z123',
      ROLLOUT_FRONTDOOR_PROFILE: '',
      ROLLOUT_SMOKE_URLS: health,
      ROLLOUT_BACKEND_CONFIG: 'storage_account_name=tfstate\ncontainer_name=azure',
      ROLLOUT_VAR_FILES: 'example.tfvars',
    });
    // Backend settings can name storage accounts and keys: not echoed in the log.
    expect(result.stdout).not.toContain('storage_account_name');
  }, 30_000);

  it('smoke: passes on the new version, fails with the reason otherwise', async () => {
    const common = {
      ROLLOUT_SMOKE_URLS: health,
      ROLLOUT_VERSION: 'abc123',
      ROLLOUT_SMOKE_TIMEOUT_SECONDS: '1',
      ROLLOUT_MIN_PROBES: '2',
      ROLLOUT_PROBE_INTERVAL_SECONDS: '0.1',
    };
    const ok = await run('smoke', { ...common, ROLLOUT_CLOUD: 'aws' });
    expect(ok.code).toBe(0);
    expect(readFileCommands(ok.files.GITHUB_OUTPUT)).toEqual({
      version: 'abc123',
      result: 'passed',
    });

    const failed = await run('smoke', { ...common, ROLLOUT_CLOUD: 'azure' });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /::error title=rollout smoke::smoke test of azure failed: http:\/\/127\.0\.0\.1:\d+\/azure\/health did not answer 200 on version abc123 2 times in a row within 1 s; last answer: HTTP 503, version abc123/,
    );
  }, 30_000);

  it('summary: which cloud runs which version, where traffic is; fails when the rollout stopped', async () => {
    const result = await run('summary', {
      DEPLOY_VERSION: 'abc123',
      ROLLOUT_SMOKE_URLS: health,
      FIRST_CLOUD: 'aws',
      FIRST_RESULT: 'success',
      FIRST_CHANGES: 'true',
      FIRST_VERIFY: 'success',
      FIRST_DRAIN: 'success',
      FIRST_APPLY: 'success',
      FIRST_SMOKE: 'success',
      FIRST_CANARY: 'success',
      FIRST_SPLIT: 'aws=50,azure=50',
      SECOND_CLOUD: 'azure',
      SECOND_RESULT: 'failure',
      SECOND_CHANGES: 'true',
      SECOND_VERIFY: 'success',
      SECOND_DRAIN: 'success',
      SECOND_APPLY: 'success',
      SECOND_SMOKE: 'failure',
      SECOND_CANARY: '',
      SECOND_SPLIT: 'aws=100,azure=0',
    });
    expect(result.code).toBe(1);
    const summary = readFileSync(result.files.GITHUB_STEP_SUMMARY, 'utf8');
    expect(summary).toContain('## Rollout of abc123: FAILED');
    expect(summary).toContain('Stopped at **azure** (failure)');
    expect(summary).toContain('**Traffic now:** `aws=100,azure=0`');
    expect(summary).toContain(
      '**Next:** fix the release, then deploy it with `DEPLOY_ORDER=azure,aws`',
    );
    expect(summary).toContain(
      '| aws | success | yes | success | success | success | success | success | abc123 (health 200) |',
    );
    expect(summary).toContain(
      '| azure | failure | yes | success | success | success | failure | not run | abc123 (health 503) |',
    );
    expect(result.stdout).toContain(
      '::error title=rollout summary::the rollout did not complete: stopped at azure',
    );
  }, 30_000);

  it('summary: a plan refused by the verify step moved no traffic, and says so (ADR 24)', async () => {
    const result = await run('summary', {
      DEPLOY_VERSION: 'abc123',
      ROLLOUT_SMOKE_URLS: health,
      FIRST_CLOUD: 'aws',
      FIRST_RESULT: 'failure',
      FIRST_CHANGES: 'true',
      FIRST_VERIFY: 'failure',
      FIRST_REASON: 'plan-changed',
      SECOND_CLOUD: 'azure',
      SECOND_RESULT: 'skipped',
    });
    expect(result.code).toBe(1);
    const summary = readFileSync(result.files.GITHUB_STEP_SUMMARY, 'utf8');
    expect(summary).toContain(
      'Stopped at **aws** (failure): plan-changed. Its plan was refused before any traffic moved: traffic is where it was; azure was not touched.',
    );
    expect(summary).toContain('**Traffic now:** `unchanged (no traffic-shift ran)`');
    expect(summary).not.toContain('**Next:**');
    expect(summary).toContain('| aws | failure | yes | failure | not run | not run |');
  }, 30_000);

  it('summary: says so when the rollout never started (the global stack failed)', async () => {
    const result = await run('summary', {
      DEPLOY_VERSION: 'abc123',
      GLOBAL_RESULT: 'failure',
      ROLLOUT_SMOKE_URLS: health,
      FIRST_CLOUD: 'aws',
      FIRST_RESULT: 'skipped',
      SECOND_CLOUD: 'azure',
      SECOND_RESULT: 'skipped',
    });
    expect(result.code).toBe(1);
    const summary = readFileSync(result.files.GITHUB_STEP_SUMMARY, 'utf8');
    expect(summary).toContain(
      "The rollout did not start: the `global` stack's job was failure. No cloud was touched.",
    );
    expect(summary).toContain('**Traffic now:** `unchanged (no traffic-shift ran)`');
    expect(summary).not.toContain('**Next:**');
  }, 30_000);
});
