// `npm run fmt:terraform`: every folder with .tf files, installed packages left out.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../build-actions.js';
import { terraformDirs } from '../terraform-fmt-check.js';

const script = join(repoRoot, 'scripts', 'terraform-fmt-check.js');
const terraformAvailable = !spawnSync('terraform', ['version'], { stdio: 'ignore' }).error;
const describeWithTerraform = terraformAvailable ? describe : describe.skip;

const formatted = 'variable "x" {\n  default = 1\n}\n';
const unformatted = 'variable "x" {\ndefault=1\n}\n';

describe('terraform fmt check', () => {
  let tree: string;

  beforeAll(async () => {
    tree = await mkdtemp(join(tmpdir(), 'fmt-check-'));
    for (const dir of ['terraform/stacks/aws', 'actions/apply/test/fixtures/stack']) {
      await mkdir(join(tree, dir), { recursive: true });
      await writeFile(join(tree, dir, 'main.tf'), formatted);
    }
    // Installed packages and Terraform's cache are not the project's code.
    for (const dir of ['node_modules/some-package', 'terraform/stacks/aws/.terraform/modules/x']) {
      await mkdir(join(tree, dir), { recursive: true });
      await writeFile(join(tree, dir, 'main.tf'), unformatted);
    }
  });

  afterAll(async () => {
    await rm(tree, { recursive: true, force: true });
  });

  it('finds every folder with .tf files outside node_modules and .terraform', () => {
    expect(terraformDirs(tree)).toEqual([
      join(tree, 'actions/apply/test/fixtures/stack'),
      join(tree, 'terraform/stacks/aws'),
    ]);
  });

  describeWithTerraform('with terraform', () => {
    const check = () =>
      spawnSync(process.execPath, [script, tree], { cwd: repoRoot, encoding: 'utf8' });

    it('passes formatted files, and fails naming an unformatted fixture outside terraform/', async () => {
      const clean = check();
      expect(clean.stdout).toContain('2 folder(s) with .tf files formatted');
      expect(clean.status).toBe(0);

      await writeFile(join(tree, 'actions/apply/test/fixtures/stack/main.tf'), unformatted);
      const dirty = check();
      expect(dirty.status).not.toBe(0);
      expect(dirty.stdout).toContain('actions/apply/test/fixtures/stack/main.tf');
      expect(dirty.stderr).toContain('not formatted');
    });
  });
});
