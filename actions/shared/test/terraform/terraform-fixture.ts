/**
 * Copies a Terraform root module from test/fixtures/terraform into a temporary folder and
 * gives the environment real Terraform needs here: no CLI config, no checkpoint calls.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

export const fixturesRoot = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../fixtures/terraform',
);

export interface TerraformFixture {
  dir: string;
  env: Record<string, string>;
  cleanup(): void;
}

export function terraformAvailable(): boolean {
  return spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0;
}

export function terraformFixture(name: string): TerraformFixture {
  const root = mkdtempSync(join(tmpdir(), `tf-${name}-`));
  const dir = join(root, 'stack');
  cpSync(join(fixturesRoot, name), dir, { recursive: true });
  const config = join(root, 'terraformrc');
  writeFileSync(config, '');
  return {
    dir,
    env: { TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Runs terraform synchronously in a fixture (setup steps in tests: apply, state edits). */
export function terraformSync(fixture: TerraformFixture, args: string[], input?: string): string {
  const result = spawnSync('terraform', args, {
    cwd: fixture.dir,
    env: { ...process.env, ...fixture.env },
    encoding: 'utf8',
    input,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`terraform ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

/**
 * Changes a terraform_data attribute in the state, as a change made outside Terraform would:
 * state pull, edit, bump serial, state push.
 */
export function editStateInput(
  fixture: TerraformFixture,
  type: string,
  name: string,
  value: unknown,
): void {
  const state = JSON.parse(terraformSync(fixture, ['state', 'pull'])) as {
    serial: number;
    resources: {
      type: string;
      name: string;
      instances: { attributes: Record<string, unknown> }[];
    }[];
  };
  const resource = state.resources.find((entry) => entry.type === type && entry.name === name);
  if (!resource) throw new Error(`no ${type}.${name} in the state`);
  for (const instance of resource.instances) {
    const typed = { value, type: typeof value === 'number' ? 'number' : 'string' };
    instance.attributes['input'] = typed;
    instance.attributes['output'] = typed;
  }
  state.serial += 1;
  const file = join(fixture.dir, 'edited.tfstate.json');
  writeFileSync(file, JSON.stringify(state));
  terraformSync(fixture, ['state', 'push', file]);
  rmSync(file);
}
