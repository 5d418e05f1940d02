import * as core from '@actions/core';
import { CommentAuthorError } from '../../shared/src/github/comment-author.js';
import { InputError } from '../../shared/src/inputs/index.js';
import { NO_DIGEST_KEY_WARNING, PlanFormatError } from '../../shared/src/plan/index.js';
import { TerraformError } from '../../shared/src/terraform/index.js';
import { runDriftMode } from './drift-mode.js';
import { runPlanMode } from './plan-mode.js';
import { readRunContext } from '../../shared/src/github/run-context.js';
import { readSettings } from './settings.js';

export async function run(): Promise<void> {
  try {
    const settings = readSettings();
    if (settings.digestKey) core.setSecret(settings.digestKey.secret.toString('utf8'));
    // Only a reviewed plan's digest is compared; a drift check's is not.
    else if (settings.mode === 'plan') core.warning(NO_DIGEST_KEY_WARNING);
    const context = readRunContext();
    if (settings.mode === 'drift') await runDriftMode(settings, context);
    else await runPlanMode(settings, context);
  } catch (error) {
    if (
      error instanceof InputError ||
      error instanceof CommentAuthorError ||
      error instanceof PlanFormatError ||
      error instanceof TerraformError
    ) {
      core.setFailed(error.message);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      core.setFailed(`The plan action failed: ${message}`);
    }
  }
}
