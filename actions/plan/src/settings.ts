/** Every input of the plan action, parsed and checked before anything runs. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import {
  environmentInputs,
  InputError,
  readBoolean,
  readChoice,
  readKeyValueLines,
  readLines,
  readString,
  type InputSource,
} from '../../shared/src/inputs/index.js';
import {
  parseOwnedAttribute,
  readDigestKey,
  STACK_NAME_PATTERN,
  TRAFFIC_SHIFT_ATTRIBUTES,
  type DigestKey,
  type OwnedAttribute,
} from '../../shared/src/plan/index.js';
import { readCommentAuthor } from '../../shared/src/github/comment-author.js';
import { readDataLossLabel, readRiskRules } from '../../shared/src/risk/risk-inputs.js';
import type { RiskCatalogue } from '../../shared/src/risk/index.js';
import {
  SCOPE_NAMES,
  scopeNamed,
  scopeOfStack,
  type StackScope,
} from '../../shared/src/stack-scope.js';
import { readLockTimeout } from '../../shared/src/terraform/state-lock.js';

export const MODES = ['plan', 'drift'] as const;
export type Mode = (typeof MODES)[number];

export interface Settings {
  workingDirectory: string;
  stack: string;
  githubToken: string;
  /** The login github-token posts as: only its comments and issues are read back (ADR 4). */
  commentAuthor: string;
  comment: boolean;
  varFiles: string[];
  backendConfig: { key: string; value: string }[];
  targets: string[];
  replace: string[];
  mode: Mode;
  /** mode drift: attributes owned elsewhere at run time, not counted as drift. */
  driftIgnoreAttributes: OwnedAttribute[];
  /** The built-in risk catalogue plus the `risk-rules` file. */
  riskRules: RiskCatalogue;
  /** The label the apply action wants for data loss, said in the comment. */
  dataLossLabel: string;
  /** What the stack touches (`cloud`; default from the stack name): the comment's first line. */
  scope: StackScope;
  /** The `digest-key` secret: sensitive values enter the plan-digest as HMACs under it (ADR 3). */
  digestKey?: DigestKey;
  /** State locking: off (`-lock=false`), or on with how long to wait (`-lock-timeout=`). */
  lock: { enabled: false } | { enabled: true; timeout: string };
}

const ADDRESS_PATTERN = /^[A-Za-z0-9_.\-[\]"*/: ]+$/;

function readAddresses(name: string, source: InputSource): string[] {
  const addresses = readLines(name, source);
  for (const address of addresses) {
    if (!ADDRESS_PATTERN.test(address) || address.startsWith('-')) {
      throw new InputError(
        name,
        `'${address}' is not a resource address; use one address a line, e.g. module.cell.aws_lambda_function.cart or aws_s3_bucket.logs["eu"].`,
      );
    }
  }
  return addresses;
}

/**
 * `drift-ignore-attributes`: one `<resource type>.<attribute path>` a line; empty means the
 * attributes traffic-shift owns, `none` means nothing is ignored.
 */
function readOwnedAttributes(source: InputSource): OwnedAttribute[] {
  const lines = readLines('drift-ignore-attributes', source);
  if (lines.length === 1 && lines[0] === 'none') return [];
  return (lines.length > 0 ? lines : TRAFFIC_SHIFT_ATTRIBUTES).map((line) => {
    const owned = parseOwnedAttribute(line);
    if (!owned) {
      throw new InputError(
        'drift-ignore-attributes',
        `'${line.slice(0, 200)}' is not an attribute path; use one <resource type>.<attribute>[.<nested attribute>] a line, e.g. azurerm_cdn_frontdoor_origin.weight or aws_route53_record.weighted_routing_policy.weight (or none).`,
      );
    }
    return owned;
  });
}

/** `cloud`: aws, azure, global or none; empty means the repository's stack of that name. */
function readScope(stack: string, source: InputSource): StackScope {
  const name = readString('cloud', {}, source);
  if (name === '') return scopeOfStack(stack);
  if (!(SCOPE_NAMES as readonly string[]).includes(name))
    throw new InputError(
      'cloud',
      `'${name.slice(0, 60)}' is not one of ${SCOPE_NAMES.join(', ')} (aws or azure: a cell stack of that cloud; global: the routing on both; none: not part of the rollout).`,
    );
  return scopeNamed(name as (typeof SCOPE_NAMES)[number]);
}

/**
 * `lock` and `lock-timeout`. A plan by a read-only identity cannot take the lock (the S3 lock
 * file and the azurerm blob lease are writes), and holding it would only make a deploy wait:
 * PR plans and drift checks set lock: false. The deploy's plan keeps the lock and waits for it.
 */
function readLocking(source: InputSource): Settings['lock'] {
  const enabled = readBoolean('lock', true, source);
  const { text: timeout, seconds } = readLockTimeout('0s', source);
  if (!enabled) {
    if (seconds > 0) {
      throw new InputError(
        'lock-timeout',
        `is '${timeout}' but lock is false: a plan that takes no lock waits for none. Remove lock-timeout, or set lock: true.`,
      );
    }
    return { enabled: false };
  }
  return { enabled: true, timeout };
}

export function readSettings(
  source: InputSource = environmentInputs,
  workspace = process.env['GITHUB_WORKSPACE'] ?? process.cwd(),
): Settings {
  const directoryInput = readString('working-directory', { required: true }, source);
  const workingDirectory = isAbsolute(directoryInput)
    ? directoryInput
    : resolve(workspace, directoryInput);
  if (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory()) {
    throw new InputError(
      'working-directory',
      `'${directoryInput}' is not a directory in the workspace; give the path of a Terraform root module, e.g. terraform/stacks/aws.`,
    );
  }
  if (!readdirSync(workingDirectory).some((name) => /\.tf(\.json)?$/.test(name))) {
    throw new InputError(
      'working-directory',
      `'${directoryInput}' holds no .tf or .tf.json file; give the path of a Terraform root module, e.g. terraform/stacks/aws.`,
    );
  }
  const stack = readString('stack', { default: basename(workingDirectory) }, source);
  if (!STACK_NAME_PATTERN.test(stack)) {
    throw new InputError(
      'stack',
      `'${stack.slice(0, 100)}' is not a valid stack name; use letters, digits, '.', '_', '-' or '/' (at most 100, starting with a letter or digit).`,
    );
  }
  const varFiles = readLines('var-files', source).map((file) => {
    const path = isAbsolute(file) ? file : resolve(workingDirectory, file);
    if (!existsSync(path)) {
      throw new InputError(
        'var-files',
        `'${file}' does not exist (paths are relative to working-directory).`,
      );
    }
    return path;
  });
  const mode = readChoice('mode', MODES, 'plan', source);
  const comment = readBoolean('comment', true, source);
  const githubToken = readString('github-token', {}, source);
  if (comment && githubToken === '') {
    throw new InputError(
      'github-token',
      'is empty; pass ${{ github.token }} or set comment: false.',
    );
  }
  return {
    workingDirectory,
    stack,
    githubToken,
    commentAuthor: readCommentAuthor(source),
    comment,
    varFiles,
    backendConfig: readKeyValueLines('backend-config', source),
    targets: readAddresses('targets', source),
    replace: readAddresses('replace', source),
    mode,
    driftIgnoreAttributes: readOwnedAttributes(source),
    riskRules: readRiskRules(source, workspace),
    dataLossLabel: readDataLossLabel(source),
    scope: readScope(stack, source),
    lock: readLocking(source),
    ...optionalDigestKey(source),
  };
}

function optionalDigestKey(source: InputSource): { digestKey?: DigestKey } {
  const digestKey = readDigestKey(source);
  return digestKey ? { digestKey } : {};
}
