export {
  cleanDiagnostics,
  parseLockError,
  TerraformError,
  type StateLockInfo,
} from './terraform-error.js';
export {
  Terraform,
  type CommandResult,
  type OutputValue,
  type PlanOptions,
  type PlanResult,
  type TerraformOptions,
} from './terraform-runner.js';
