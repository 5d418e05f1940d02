/** Every input of the apply action, checked before anything runs. */
import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import {
  environmentInputs,
  InputError,
  readBoolean,
  readKeyValueLines,
  readLines,
  readString,
  type InputSource,
} from '../../shared/src/inputs/index.js';
import { readCommentAuthor } from '../../shared/src/github/comment-author.js';
import { readDigestKey } from '../../shared/src/plan/digest-key.js';
import { STACK_NAME_PATTERN } from '../../shared/src/plan/plan-comment.js';
import type { DigestKey } from '../../shared/src/plan/plan-digest.js';
import { readDataLossLabel, readRiskRules } from '../../shared/src/risk/risk-inputs.js';
import type { RiskCatalogue } from '../../shared/src/risk/risk-rules.js';
import { readLockTimeout } from '../../shared/src/terraform/state-lock.js';

export interface ApplySettings {
  /** Absolute path of the Terraform root module. */
  workingDirectory: string;
  stack: string;
  githubToken: string;
  /** The login github-token posts as: only its plan comment is the approval (ADR 4). */
  commentAuthor: string;
  /** Absolute path of a saved plan, when one was given. */
  planPath?: string;
  /** Lower-case hex, when given. */
  expectedPlanDigest?: string;
  /** The `digest-key` secret, the same as the plan action's (ADR 3). */
  digestKey?: DigestKey;
  varFiles: string[];
  backendConfig: { key: string; value: string }[];
  /** As Terraform reads it (`-lock-timeout=`). */
  lockTimeout: string;
  lockTimeoutSeconds: number;
  includeSensitiveOutputs: boolean;
  /** The label that allows a plan with data-loss risk (on the pull request when merged). */
  dataLossLabel: string;
  /** The built-in risk catalogue plus the `risk-rules` file: what counts as data loss. */
  riskRules: RiskCatalogue;
  /**
   * Run every check of the apply (approved digest, data-loss guard) and stop before
   * `terraform apply`: a rollout verifies before it drains a cloud (ADR 24).
   */
  verifyOnly: boolean;
}

const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

/** As the plan action reads them: relative to working-directory, each one must exist. */
function readVarFiles(workingDirectory: string, source: InputSource): string[] {
  return readLines('var-files', source).map((file) => {
    const path = isAbsolute(file) ? file : resolve(workingDirectory, file);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new InputError(
        'var-files',
        `'${file}' is not a file (paths are relative to working-directory).`,
      );
    }
    return path;
  });
}

export function parseSettings(
  source: InputSource = environmentInputs,
  workspace = process.env['GITHUB_WORKSPACE'] ?? process.cwd(),
): ApplySettings {
  const directoryInput = readString('working-directory', { required: true }, source);
  const workingDirectory = resolve(workspace, directoryInput);
  if (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory()) {
    throw new InputError(
      'working-directory',
      `must be a folder holding a Terraform root module; '${directoryInput}' is not a folder (resolved to ${workingDirectory}).`,
    );
  }

  const stack = readString('stack', { default: basename(workingDirectory) }, source);
  if (!STACK_NAME_PATTERN.test(stack)) {
    throw new InputError(
      'stack',
      `must be 1-100 characters of letters, digits, '.', '_', '-' or '/', starting with a letter or digit; got '${stack}'.`,
    );
  }

  const settings: ApplySettings = {
    workingDirectory,
    stack,
    githubToken: readString('github-token', {}, source),
    commentAuthor: readCommentAuthor(source),
    varFiles: readVarFiles(workingDirectory, source),
    backendConfig: readKeyValueLines('backend-config', source),
    lockTimeout: '5m',
    lockTimeoutSeconds: 300,
    includeSensitiveOutputs: readBoolean('include-sensitive-outputs', false, source),
    dataLossLabel: readDataLossLabel(source),
    riskRules: readRiskRules(source, workspace),
    verifyOnly: readBoolean('verify-only', false, source),
  };

  const planPath = readString('plan-path', {}, source);
  if (planPath !== '') {
    const absolute = isAbsolute(planPath) ? planPath : resolve(workspace, planPath);
    if (!existsSync(absolute) || !statSync(absolute).isFile()) {
      throw new InputError(
        'plan-path',
        `must be the path of a saved plan file (terraform plan -out); '${planPath}' does not exist.`,
      );
    }
    settings.planPath = absolute;
  }

  const digest = readString('expected-plan-digest', {}, source).toLowerCase();
  if (digest !== '') {
    if (!DIGEST_PATTERN.test(digest)) {
      throw new InputError(
        'expected-plan-digest',
        'must be a plan-digest: 64 hexadecimal characters, as the plan action prints it.',
      );
    }
    settings.expectedPlanDigest = digest;
  }

  const digestKey = readDigestKey(source);
  if (digestKey) settings.digestKey = digestKey;

  const { text: lockTimeout, seconds } = readLockTimeout('5m', source);
  settings.lockTimeout = lockTimeout;
  settings.lockTimeoutSeconds = seconds;
  return settings;
}
