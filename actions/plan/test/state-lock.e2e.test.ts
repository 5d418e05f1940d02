/**
 * The plan action and the state lock, end to end: dist/ run as the runner runs it, real
 * Terraform, a lock held by another process (an apply whose provisioner sleeps). A pull request
 * plan or a drift check (lock: false) plans through a held lock and never takes one; the
 * deploy's plan (lock-timeout) waits for the lock, and fails naming it when the wait runs out.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { runAction, type ActionResult } from '../../../test-bench/src/action-runner.js';
import {
  terraformAvailable,
  terraformFixture,
  terraformSync,
  type TerraformFixture,
} from '../../shared/test/terraform/terraform-fixture.js';
import { join } from 'node:path';

const actionDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const describeWithTerraform = terraformAvailable() ? describe : describe.skip;

/** Starts an apply that holds the lock for `seconds`; resolves once the lock file exists. */
async function holdLock(fixture: TerraformFixture, seconds: number) {
  const holder = spawn(
    'terraform',
    ['apply', '-auto-approve', '-input=false', '-no-color', `-var=hold_seconds=${seconds}`],
    { cwd: fixture.dir, env: { ...process.env, ...fixture.env }, stdio: 'ignore' },
  );
  const released = new Promise((done) => holder.on('close', done));
  const lockFile = join(fixture.dir, '.terraform.tfstate.lock.info');
  for (let i = 0; i < 200 && !existsSync(lockFile); i++) await sleep(50);
  if (!existsSync(lockFile)) throw new Error('the holder never took the lock');
  return { lockFile, released };
}

function plan(fixture: TerraformFixture, inputs: Record<string, string>): Promise<ActionResult> {
  return runAction({
    actionDir,
    inputs: { 'working-directory': 'stack', stack: 'app', comment: 'false', ...inputs },
    workspace: dirname(fixture.dir),
    env: fixture.env,
  });
}

describeWithTerraform('plan action and the state lock', () => {
  it('lock: false plans while another run holds the lock, and takes none itself', async () => {
    const fixture = terraformFixture('slow-apply');
    try {
      terraformSync(fixture, ['init', '-input=false']);
      const { released } = await holdLock(fixture, 6);
      try {
        const result = await plan(fixture, { lock: 'false' });
        expect([result.exitCode, result.stderr]).toEqual([0, expect.any(String)]);
        expect(result.outputs['has-changes']).toBe('true');
        expect(result.stdout).toMatch(/terraform plan .*-lock=false/);
        expect(result.stdout).not.toContain('-lock-timeout');
      } finally {
        await released;
      }
    } finally {
      fixture.cleanup();
    }
  });

  it('lock-timeout waits for a held lock and plans once it is released', async () => {
    const fixture = terraformFixture('slow-apply');
    try {
      terraformSync(fixture, ['init', '-input=false']);
      const { lockFile, released } = await holdLock(fixture, 3);
      expect(existsSync(lockFile)).toBe(true);
      const result = await plan(fixture, { 'lock-timeout': '60s' });
      await released;
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/terraform plan .*-lock-timeout=60s/);
    } finally {
      fixture.cleanup();
    }
  });

  it('fails, saying the state is locked, when the wait runs out', async () => {
    const fixture = terraformFixture('slow-apply');
    try {
      terraformSync(fixture, ['init', '-input=false']);
      const { released } = await holdLock(fixture, 6);
      try {
        const result = await plan(fixture, { 'lock-timeout': '1s' });
        expect(result.exitCode).toBe(1);
        expect(result.summary).toContain('state lock');
        expect(result.annotations.map((annotation) => annotation.message).join('\n')).toContain(
          'state lock',
        );
      } finally {
        await released;
      }
    } finally {
      fixture.cleanup();
    }
  });

  it('refuses a lock-timeout with lock: false before running anything', async () => {
    const fixture = terraformFixture('slow-apply');
    try {
      const result = await plan(fixture, { lock: 'false', 'lock-timeout': '5m' });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(
        "Input 'lock-timeout': is '5m' but lock is false: a plan that takes no lock waits for none.",
      );
      expect(result.stdout).not.toContain('terraform init');
    } finally {
      fixture.cleanup();
    }
  });
});
