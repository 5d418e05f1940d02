/**
 * The inputs both the plan and the apply action read for risks: `risk-rules` (a user's own rules
 * file added to the built-in catalogue) and `data-loss-label`. Both are checked before anything
 * runs; a bad file is one InputError naming the input, the place in the file and the form.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../inputs/input-error.js';
import { readString, type InputSource } from '../inputs/read-input.js';
import {
  builtInCatalogue,
  MAX_RULES_FILE_BYTES,
  RISK_RULES_FORM,
  RiskRulesError,
  rulesFormatOf,
  withRulesFile,
  type RiskCatalogue,
} from './risk-rules.js';

/** The built-in catalogue, plus the file `risk-rules` names (relative to the workspace). */
export function readRiskRules(source: InputSource, workspace: string): RiskCatalogue {
  const path = readString('risk-rules', {}, source);
  if (path === '') return builtInCatalogue();
  const format = rulesFormatOf(path);
  if (!format)
    throw new InputError(
      'risk-rules',
      `'${path}' must be a .yml, .yaml or .json file. Expected ${RISK_RULES_FORM}.`,
    );
  const absolute = isAbsolute(path) ? path : resolve(workspace, path);
  if (!existsSync(absolute) || !statSync(absolute).isFile())
    throw new InputError(
      'risk-rules',
      `'${path}' is not a file (paths are relative to the workspace, e.g. .github/risk-rules.yml). Expected ${RISK_RULES_FORM}.`,
    );
  if (statSync(absolute).size > MAX_RULES_FILE_BYTES)
    throw new InputError(
      'risk-rules',
      `'${path}' is larger than ${MAX_RULES_FILE_BYTES / 1024} KiB; a rules file is a short list. Expected ${RISK_RULES_FORM}.`,
    );
  try {
    return withRulesFile(builtInCatalogue(), readFileSync(absolute, 'utf8'), format, path);
  } catch (error) {
    if (!(error instanceof RiskRulesError)) throw error;
    throw new InputError('risk-rules', `${error.message}. Expected ${RISK_RULES_FORM}.`);
  }
}

export const DEFAULT_DATA_LOSS_LABEL = 'allow-data-loss';

/** GitHub allows label names of up to 50 characters. */
export function readDataLossLabel(source: InputSource): string {
  const label = readString('data-loss-label', { default: DEFAULT_DATA_LOSS_LABEL }, source);
  // eslint-disable-next-line no-control-regex
  if (label.length > 50 || /[\u0000-\u001f\u007f]/.test(label))
    throw new InputError(
      'data-loss-label',
      `must be a label name of 1 to 50 characters on one line, e.g. ${DEFAULT_DATA_LOSS_LABEL}; got '${label.slice(0, 60)}'.`,
    );
  return label;
}
