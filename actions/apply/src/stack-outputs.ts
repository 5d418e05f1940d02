/**
 * The `outputs-json` output: `terraform output -json` of the stack, with sensitive outputs left
 * out unless asked for. When they are included, every value in them is returned for
 * core.setSecret first, so the runner masks them wherever they appear.
 */
import type { OutputValue } from '../../shared/src/terraform/terraform-runner.js';
import { collectLeaves } from '../../shared/src/plan/plan-model.js';
import { maskableSecrets } from '../../shared/src/plan/redaction.js';

export interface SelectedOutputs {
  /** Same shape as `terraform output -json`: name -> { sensitive, type, value }. */
  outputs: Record<string, OutputValue>;
  /** Names of sensitive outputs that were left out. */
  omitted: string[];
  /** Values to register with core.setSecret before anything is printed or set. */
  secrets: string[];
}

export function selectOutputs(
  all: Record<string, OutputValue>,
  includeSensitive: boolean,
): SelectedOutputs {
  const outputs: Record<string, OutputValue> = {};
  const omitted: string[] = [];
  const sensitiveStrings = new Set<string>();
  for (const name of Object.keys(all).sort()) {
    const output = all[name] as OutputValue;
    if (output.sensitive) {
      collectLeaves(output.value, sensitiveStrings);
      if (!includeSensitive) {
        omitted.push(name);
        continue;
      }
    }
    outputs[name] = output;
  }
  const secrets = new Set(maskableSecrets(sensitiveStrings));
  // The value also appears JSON-escaped inside outputs-json: mask that form as well.
  for (const value of [...secrets]) {
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) secrets.add(escaped);
  }
  return { outputs, omitted, secrets: [...secrets] };
}
