/**
 * applySavedPlan against the real terraform binary: applied, refused as stale, refused because
 * another process holds the state lock (with who holds it), and a failing apply.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { applySavedPlan } from '../../src/terraform/apply.js';
import { describeLockHolder } from '../../src/terraform/state-lock.js';
import { Terraform } from '../../src/terraform/terraform-runner.js';
import { terraformAvailable, terraformFixture } from './terraform-fixture.js';

const describeWithTerraform = terraformAvailable() ? describe : describe.skip;

describeWithTerraform('applySavedPlan with real terraform', () => {
  it('tells a held lock, a stale plan and an applied plan apart', async () => {
    const fixture = terraformFixture('slow-apply');
    try {
      const terraform = new Terraform({ workingDirectory: fixture.dir, env: fixture.env });
      await terraform.init();
      const holder = spawn(
        'terraform',
        ['apply', '-auto-approve', '-input=false', '-no-color', '-var=hold_seconds=4'],
        { cwd: fixture.dir, env: { ...process.env, ...fixture.env }, stdio: 'ignore' },
      );
      const done = new Promise((resolve) => holder.on('close', resolve));
      try {
        const lockFile = join(fixture.dir, '.terraform.tfstate.lock.info');
        for (let i = 0; i < 200 && !existsSync(lockFile); i++) await sleep(50);
        const info = JSON.parse(readFileSync(lockFile, 'utf8')) as { ID: string; Who: string };
        // A plan may be made without the lock; applying it needs the lock.
        const planFile = join(fixture.dir, 'made-while-locked.tfplan');
        await terraform.run(['plan', '-lock=false', '-input=false', `-out=${planFile}`]);

        const locked = await applySavedPlan(terraform, planFile, { lockTimeout: '1s' });
        expect(locked.status).toBe('state-locked');
        if (locked.status !== 'state-locked') throw new Error('unreachable');
        expect(locked.lock?.id).toBe(info.ID);
        expect(locked.lock?.who).toBe(info.Who);
        expect(describeLockHolder(locked.lock)).toContain(info.Who);

        await done;
        // The holder's apply wrote the state after this plan was made.
        const stale = await applySavedPlan(terraform, planFile, { lockTimeout: '1s' });
        expect(stale.status).toBe('stale-plan');

        const fresh = join(fixture.dir, 'fresh.tfplan');
        await terraform.plan({ out: fresh });
        const applied = await applySavedPlan(terraform, fresh, { lockTimeout: '1s' });
        expect(applied.status).toBe('applied');
        if (applied.status === 'applied') expect(applied.stdout).toContain('Apply complete!');
      } finally {
        await done;
      }
    } finally {
      fixture.cleanup();
    }
  });

  it('returns Terraform error text when the apply fails', async () => {
    const fixture = terraformFixture('slow-apply');
    try {
      writeFileSync(
        join(fixture.dir, 'main.tf'),
        'resource "terraform_data" "fails" {\n  provisioner "local-exec" {\n    command = "echo refused by target >&2; exit 4"\n  }\n}\n',
      );
      const terraform = new Terraform({ workingDirectory: fixture.dir, env: fixture.env });
      await terraform.init();
      const planFile = join(fixture.dir, 'p.tfplan');
      await terraform.plan({ out: planFile });
      const outcome = await applySavedPlan(terraform, planFile);
      expect(outcome.status).toBe('failed');
      if (outcome.status !== 'failed') throw new Error('unreachable');
      expect(outcome.exitCode).toBe(1);
      expect(outcome.errorText).toContain('refused by target');
      expect(outcome.errorText).not.toMatch(/[╷│╵]/);
    } finally {
      fixture.cleanup();
    }
  });
});
