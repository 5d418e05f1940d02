/**
 * Applying a saved plan, with the outcomes an apply has to tell apart: applied, refused because
 * the plan is stale (the state changed after planning: Terraform changes nothing), the state
 * lock still held after -lock-timeout, or any other error (the state is as Terraform left it).
 */
import { TerraformError, type StateLockInfo } from './terraform-error.js';
import type { Terraform } from './terraform-runner.js';

export type TerraformFailureKind = 'state-locked' | 'stale-plan' | 'failed';

export type ApplyOutcome =
  | { status: 'applied'; stdout: string }
  | { status: 'stale-plan'; errorText: string }
  | { status: 'state-locked'; lock?: StateLockInfo; errorText: string }
  | { status: 'failed'; errorText: string; exitCode: number | null };

/** What kind of failure a TerraformError is (from any command that takes the state lock). */
export function classifyTerraformError(error: TerraformError): TerraformFailureKind {
  if (error.lock) return 'state-locked';
  if (error.stalePlan) return 'stale-plan';
  return 'failed';
}

/**
 * `terraform apply -auto-approve [-lock-timeout] <plan>`. Errors that are not Terraform's own
 * (the binary cannot start) are thrown.
 */
export async function applySavedPlan(
  terraform: Terraform,
  planPath: string,
  options: { lockTimeout?: string } = {},
): Promise<ApplyOutcome> {
  try {
    const result = await terraform.apply(planPath, options);
    return { status: 'applied', stdout: result.stdout };
  } catch (error) {
    if (!(error instanceof TerraformError) || error.exitCode === null) throw error;
    switch (classifyTerraformError(error)) {
      case 'state-locked':
        return error.lock
          ? { status: 'state-locked', lock: error.lock, errorText: error.errorText }
          : { status: 'state-locked', errorText: error.errorText };
      case 'stale-plan':
        return { status: 'stale-plan', errorText: error.errorText };
      default:
        return { status: 'failed', errorText: error.errorText, exitCode: error.exitCode };
    }
  }
}
