/**
 * Where the plan files go: a private folder under RUNNER_TEMP, outside the workspace, so no
 * upload-artifact step of the workspace picks them up. Both files hold sensitive values in clear.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PlanFiles {
  dir: string;
  planPath: string;
  jsonPath: string;
}

export function createPlanFolder(stack: string): string {
  const base = process.env['RUNNER_TEMP'] || tmpdir();
  const dir = mkdtempSync(join(base, `multicloud-plan-${stack.replace(/[^A-Za-z0-9._-]/g, '-')}-`));
  chmodSync(dir, 0o700);
  return dir;
}

export function planFiles(dir: string, name: string): PlanFiles {
  return { dir, planPath: join(dir, `${name}.tfplan`), jsonPath: join(dir, `${name}.plan.json`) };
}
