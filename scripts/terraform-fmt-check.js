// @ts-check
// `terraform fmt -check` on every folder of the repository that holds .tf files: the stacks and
// modules under terraform/, and the Terraform fixtures the action tests plan and apply.
//
//   node scripts/terraform-fmt-check.js          # the whole repository
//   node scripts/terraform-fmt-check.js <dir>    # one tree (the test uses it)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './build-actions.js';

/** Folders never checked: installed packages, Terraform's own cache, build output. */
const SKIPPED = new Set(['node_modules', '.git', '.terraform', 'dist', 'build']);

/**
 * Folders under `root` that hold at least one .tf file, sorted.
 * @param {string} root
 * @returns {string[]}
 */
export function terraformDirs(root) {
  /** @type {string[]} */
  const found = [];
  const visit = (/** @type {string} */ dir) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((entry) => entry.isFile() && entry.name.endsWith('.tf'))) found.push(dir);
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIPPED.has(entry.name)) visit(join(dir, entry.name));
    }
  };
  visit(root);
  return found.sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? repoRoot);
  const dirs = terraformDirs(root);
  if (dirs.length === 0) {
    console.log('terraform fmt: no .tf files, nothing to check');
    process.exit(0);
  }
  const result = spawnSync(
    'terraform',
    ['fmt', '-check', '-diff', ...dirs.map((dir) => relative(root, dir) || '.')],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    },
  );
  if (result.error) {
    console.error(
      `terraform fmt: could not run terraform (${result.error.message}); install Terraform 1.11 on PATH`,
    );
    process.exit(1);
  }
  if (result.status !== 0) {
    console.error(
      'terraform fmt: the files above are not formatted; run `terraform fmt <folder>` on each',
    );
    process.exit(result.status ?? 1);
  }
  console.log(`terraform fmt: ${dirs.length} folder(s) with .tf files formatted`);
}
