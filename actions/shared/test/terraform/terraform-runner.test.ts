/** The Terraform runner against the real terraform binary and terraform_data fixtures. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  COMMENT_LIMIT,
  countChanges,
  parsePlan,
  planDigest,
  renderPlanComment,
  renderPlanSummary,
} from '../../src/plan/index.js';
import { Terraform, TerraformError } from '../../src/terraform/index.js';
import {
  terraformAvailable,
  terraformFixture,
  type TerraformFixture,
} from './terraform-fixture.js';

const describeWithTerraform = terraformAvailable() ? describe : describe.skip;

async function planJson(terraform: Terraform, fixture: TerraformFixture, varFiles: string[] = []) {
  const out = join(fixture.dir, 'test.tfplan');
  const result = await terraform.plan({ out, varFiles });
  const jsonPath = join(fixture.dir, 'test.plan.json');
  await terraform.showJsonToFile(out, jsonPath);
  return { result, out, text: readFileSync(jsonPath, 'utf8') };
}

function varFile(fixture: TerraformFixture, name: string, values: Record<string, unknown>): string {
  const path = join(fixture.dir, `${name}.tfvars.json`);
  writeFileSync(path, JSON.stringify(values));
  return path;
}

describeWithTerraform('Terraform runner with real terraform', () => {
  let fixture: TerraformFixture;
  let terraform: Terraform;

  beforeAll(async () => {
    fixture = terraformFixture('changes');
    terraform = new Terraform({ workingDirectory: fixture.dir, env: fixture.env });
    await terraform.init();
  });
  afterAll(() => fixture.cleanup());

  it('reports the version', async () => {
    expect(await terraform.version()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('plans creates with exit code 2 as changes, in nested modules, without leaking secrets', async () => {
    const { result, text } = await planJson(terraform, fixture);
    expect(result.exitCode).toBe(2);
    expect(result.hasChanges).toBe(true);
    const plan = parsePlan(text);
    expect(countChanges(plan)).toMatchObject({
      add: 7,
      change: 0,
      replace: 0,
      destroy: 0,
      outputs: 2,
    });
    expect(plan.resourceChanges.map((change) => change.address)).toContain(
      'module.app.module.inner.terraform_data.worker["a"]',
    );
    // show -json prints the sensitive variable in clear: the model must know it is secret.
    expect(text).toContain('initial-password-4f1c');
    expect(plan.sensitiveStrings.has('initial-password-4f1c')).toBe(true);
    const comment = renderPlanComment(plan, { stack: 'changes', digest: planDigest(plan) });
    expect(comment).toContain('**Module `module.app.module.inner`**');
    expect(comment).not.toContain('initial-password-4f1c');
    expect(renderPlanSummary(plan, { stack: 'changes' })).not.toContain('initial-password-4f1c');
  });

  it('applies, then plans no changes with exit code 0', async () => {
    const { out } = await planJson(terraform, fixture);
    await terraform.apply(out);
    const { result, text } = await planJson(terraform, fixture);
    expect(result.exitCode).toBe(0);
    expect(result.hasChanges).toBe(false);
    const plan = parsePlan(text);
    expect(renderPlanComment(plan, { stack: 'changes' })).toContain(
      '### Terraform plan for `changes`: no changes.',
    );
    const outputs = await terraform.output();
    expect(outputs['keep']).toEqual({ sensitive: false, type: 'string', value: 'one' });
    expect(outputs['password']?.sensitive).toBe(true);
  });

  it('plans update, replace, delete and a changed sensitive value from var files', async () => {
    const vars = varFile(fixture, 'next', {
      keep_value: 'two',
      generation: 2,
      extra_count: 0,
      db_password: 'rotated-password-9e2b',
    });
    const { result, text } = await planJson(terraform, fixture, [vars]);
    expect(result.exitCode).toBe(2);
    const plan = parsePlan(text);
    expect(countChanges(plan)).toMatchObject({ add: 0, change: 5, replace: 1, destroy: 1 });
    const comment = renderPlanComment(plan, { stack: 'changes', digest: planDigest(plan) });
    expect(comment).toContain(
      '> - destroy `terraform_data.extra[0]` (count index no longer in range)',
    );
    expect(comment).toContain(
      '> - replace `terraform_data.replace_me` (`triggers_replace` cannot be updated in place)',
    );
    expect(comment).toContain('| `input.password` | (sensitive) | (sensitive, changed) |');
    expect(comment).toContain('| `input` | `"one"` | `"two"` |');
    for (const secret of ['initial-password-4f1c', 'rotated-password-9e2b']) {
      expect(comment).not.toContain(secret);
      expect(plan.sensitiveStrings.has(secret)).toBe(true);
    }
    // The same plan made again gives the same digest.
    const again = parsePlan((await planJson(terraform, fixture, [vars])).text);
    expect(planDigest(again)).toBe(planDigest(plan));
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
  });

  it('fails with Terraform error text, without the box drawing', async () => {
    const broken = terraformFixture('broken');
    try {
      const runner = new Terraform({ workingDirectory: broken.dir, env: broken.env });
      await runner.init();
      const error = await runner
        .plan({ out: join(broken.dir, 'p.tfplan') })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TerraformError);
      const terraformError = error as TerraformError;
      expect(terraformError.exitCode).toBe(1);
      expect(terraformError.errorText).toContain('Error: Reference to undeclared resource');
      expect(terraformError.errorText).toContain(
        'on main.tf line 3, in resource "terraform_data" "broken":',
      );
      expect(terraformError.errorText).not.toMatch(/[╷│╵]/);
      expect(terraformError.message).toBe(
        'terraform plan failed (exit code 1): Error: Reference to undeclared resource',
      );
    } finally {
      broken.cleanup();
    }
  });

  it('says which run holds the state lock', async () => {
    const locked = terraformFixture('slow-apply');
    const runner = new Terraform({ workingDirectory: locked.dir, env: locked.env });
    await runner.init();
    const holder = spawn(
      'terraform',
      ['apply', '-auto-approve', '-input=false', '-no-color', '-var=hold_seconds=3'],
      {
        cwd: locked.dir,
        env: { ...process.env, ...locked.env },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((resolve) => holder.on('close', resolve));
    try {
      const lockFile = join(locked.dir, '.terraform.tfstate.lock.info');
      for (let i = 0; i < 100 && !existsSync(lockFile); i++) await sleep(100);
      expect(existsSync(lockFile)).toBe(true);
      const error = (await runner
        .plan({ out: join(locked.dir, 'p.tfplan'), lockTimeout: '0s' })
        .catch((caught: unknown) => caught)) as TerraformError;
      expect(error).toBeInstanceOf(TerraformError);
      expect(error.lock?.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(error.lock?.operation).toBe('OperationTypeApply');
      expect(error.lock?.path).toContain('terraform.tfstate');
      expect(error.message).toContain('the state is locked by another run');
    } finally {
      // Let the apply finish by itself: killing it could orphan its provisioner's sleep.
      await exited;
      locked.cleanup();
    }
  });

  it('plans 3,000 resources and renders them within the comment limit', async () => {
    const large = terraformFixture('large');
    try {
      const runner = new Terraform({ workingDirectory: large.dir, env: large.env });
      await runner.init();
      const { text } = await planJson(runner, large);
      const plan = parsePlan(text);
      expect(countChanges(plan).add).toBe(3000);
      const comment = renderPlanComment(plan, { stack: 'large', digest: planDigest(plan) });
      expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
      expect(comment).toContain('3,000 to add');
      expect(comment).toMatch(/not shown here: [\d,]+ more resources in the table/);
    } finally {
      large.cleanup();
    }
  });
});
