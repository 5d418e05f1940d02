/**
 * A deployed stack and a reviewed pull request, as the apply action meets them on a push to
 * main: the stack (test/fixtures/stack) is applied once, then its configuration is changed and
 * "reviewed": planned with real Terraform and rendered into the sticky comment with the plan
 * action's own renderer and digest, posted on a merged pull request in the GitHub stand-in.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planDigest, type DigestKey } from '../../../shared/src/plan/plan-digest.js';
import { parsePlan, type PlanModel } from '../../../shared/src/plan/plan-model.js';
import { renderPlanComment } from '../../../shared/src/plan/plan-report.js';
import {
  terraformSync,
  type TerraformFixture,
} from '../../../shared/test/terraform/terraform-fixture.js';

export const applyActionDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtureDir = join(applyActionDir, 'test', 'fixtures', 'stack');

export interface StackScenario extends TerraformFixture {
  root: string;
  /** Replaces text in main.tf (a change to the configuration). */
  edit(from: string, to: string): void;
  tf(args: string[]): string;
  stateBytes(): Buffer;
  /** Plans into `out` (relative to the stack), returns the model and digest of that plan. */
  review(out?: string, key?: DigestKey): { plan: PlanModel; digest: string; planFile: string };
}

export function stackScenario(): StackScenario {
  const root = mkdtempSync(join(tmpdir(), 'apply-stack-'));
  const dir = join(root, 'stack');
  cpSync(fixtureDir, dir, { recursive: true });
  const config = join(root, 'terraformrc');
  writeFileSync(config, '');
  const fixture: TerraformFixture = {
    dir,
    env: { TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  const tf = (args: string[]) => terraformSync(fixture, args);
  return {
    ...fixture,
    root,
    tf,
    edit(from, to) {
      const file = join(dir, 'main.tf');
      const text = readFileSync(file, 'utf8');
      if (!text.includes(from)) throw new Error(`main.tf has no ${from}`);
      writeFileSync(file, text.replace(from, to));
    },
    stateBytes: () => readFileSync(join(dir, 'terraform.tfstate')),
    review(out = 'review.tfplan', key?: DigestKey) {
      tf(['plan', '-input=false', '-no-color', `-out=${out}`]);
      const plan = parsePlan(tf(['show', '-json', '-no-color', out]));
      return { plan, digest: planDigest(plan, key), planFile: join(dir, out) };
    },
  };
}

/** Init and a first apply: the stack as it runs in production before the pull request. */
export function deployedStack(): StackScenario {
  const stack = stackScenario();
  stack.tf(['init', '-input=false', '-no-color']);
  stack.tf(['apply', '-auto-approve', '-input=false', '-no-color']);
  return stack;
}

/** The sticky comment the plan action posts for this plan (its digest made under `key`). */
export function reviewComment(
  stack: string,
  plan: PlanModel,
  digest: string,
  headSha: string,
  key?: DigestKey,
) {
  return renderPlanComment(plan, {
    stack,
    digest,
    ...(key ? { digestKeyId: key.id } : {}),
    commitSha: headSha,
    runId: '4242',
    runUrl: 'https://github.com/Codertocat/Hello-World/actions/runs/4242',
  });
}

/** Lines of stdout without the ::add-mask:: commands (the runner never shows those). */
export function visibleLog(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}
