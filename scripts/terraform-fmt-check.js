// @ts-check
// `terraform fmt -check -recursive terraform/`, once there is Terraform in the repository.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './build-actions.js';

const dir = join(repoRoot, 'terraform');
if (!existsSync(dir)) {
  console.log('terraform fmt: no terraform/ folder yet, nothing to check');
  process.exit(0);
}
const result = spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff', dir], {
  stdio: 'inherit',
  env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
});
if (result.error) {
  console.error(
    `terraform fmt: could not run terraform (${result.error.message}); install Terraform 1.11 on PATH`,
  );
  process.exit(1);
}
if (result.status !== 0) {
  console.error(
    'terraform fmt: the files above are not formatted; run `terraform fmt -recursive terraform/`',
  );
}
process.exit(result.status ?? 1);
