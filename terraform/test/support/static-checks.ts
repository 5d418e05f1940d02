// Static checks on parsed Terraform modules. Each check returns the problems it found, one
// readable line each (empty when the module passes), so a test shows every problem at once
// and the same checks can be run on a deliberately broken snippet.
import { templateReferences, type Reference } from './expression-references.js';
import {
  asBodies,
  isBody,
  type Body,
  type Declared,
  type TerraformModule,
} from './terraform-module.js';

/** Names Terraform reserves for variables (they have a meaning inside module blocks). */
const reservedVariableNames = [
  'source',
  'version',
  'providers',
  'count',
  'for_each',
  'lifecycle',
  'depends_on',
  'locals',
];

/** Arguments every resource and data block may carry whatever its schema says. */
const metaArguments = new Set([
  'count',
  'for_each',
  'depends_on',
  'lifecycle',
  'provider',
  'provisioner',
  'connection',
]);

export function variablesTypedAndDescribed(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [name, { body }] of module.variables) {
    if (body.type === undefined) problems.push(`${module.name}: variable "${name}" has no type`);
    if (typeof body.description !== 'string' || body.description.trim() === '') {
      problems.push(`${module.name}: variable "${name}" has no description`);
    }
    if (reservedVariableNames.includes(name)) {
      problems.push(`${module.name}: variable "${name}" uses a name Terraform reserves`);
    }
  }
  for (const [name, { body }] of module.outputs) {
    if (typeof body.description !== 'string' || body.description.trim() === '') {
      problems.push(`${module.name}: output "${name}" has no description`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------

interface Scope {
  where: string;
  each: boolean;
  count: boolean;
  self: boolean;
  names: Set<string>;
}

interface FoundReference {
  reference: Reference;
  scope: Scope;
}

/** Every reference in a body, with the names in scope where it appears. */
function referencesIn(value: unknown, scope: Scope, found: FoundReference[]): void {
  if (typeof value === 'string') {
    for (const reference of templateReferences(value)) found.push({ reference, scope });
  } else if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, scope, found);
  } else if (isBody(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'dynamic' && isBody(item)) {
        for (const [label, bodies] of Object.entries(item)) {
          for (const body of asBodies(bodies)) {
            referencesIn(body.for_each, scope, found);
            const iterator = typeof body.iterator === 'string' ? body.iterator : label;
            const inner: Scope = { ...scope, names: new Set([...scope.names, iterator]) };
            referencesIn(body.content, inner, found);
          }
        }
      } else if (key === 'lifecycle') {
        // ignore_changes lists attribute names, not references; conditions may use self.
        for (const body of asBodies(item)) {
          for (const [name, condition] of Object.entries(body)) {
            if (name !== 'ignore_changes')
              referencesIn(condition, { ...scope, self: name === 'postcondition' }, found);
          }
        }
      } else {
        referencesIn(item, scope, found);
      }
    }
  }
}

function allReferences(module: TerraformModule): FoundReference[] {
  const found: FoundReference[] = [];
  const plain = (where: string): Scope => ({
    where,
    each: false,
    count: false,
    self: false,
    names: new Set(),
  });
  for (const [name, { body }] of module.variables) {
    // A validation may only refer to its own variable: checked like any other reference.
    referencesIn(body.validation, plain(`variable "${name}"`), found);
  }
  for (const [name, { value }] of module.locals)
    referencesIn(value, plain(`local "${name}"`), found);
  for (const [name, { body }] of module.outputs)
    referencesIn(body, plain(`output "${name}"`), found);
  for (const [name, { body }] of module.checks) referencesIn(body, plain(`check "${name}"`), found);
  for (const [kind, blocks] of [
    ['resource', module.resources],
    ['data', module.data],
    ['module', module.modules],
  ] as const) {
    for (const [address, { body }] of blocks) {
      const where = `${kind === 'resource' ? '' : `${kind}.`}${address}`;
      referencesIn(
        body,
        {
          where,
          each: body.for_each !== undefined,
          count: body.count !== undefined,
          self: false,
          names: new Set(),
        },
        found,
      );
    }
  }
  for (const [name, list] of module.providers) {
    for (const { body } of list) referencesIn(body, plain(`provider "${name}"`), found);
  }
  return found;
}

function names(reference: Reference): string[] {
  return reference.segments.flatMap((segment) => (segment.kind === 'name' ? [segment.name] : []));
}

/**
 * Every reference resolves to something declared: var, local, module (and the child module's
 * output), data source, resource, and each/count only where the block sets for_each/count.
 * `childOutputs` gives the outputs of a module call's source, when it can be loaded.
 */
export function referencesResolve(
  module: TerraformModule,
  childOutputs: (moduleName: string) => Set<string> | undefined = () => undefined,
): string[] {
  const problems = new Set<string>();
  for (const { reference, scope } of allReferences(module)) {
    const [root = '', second, third] = names(reference);
    const unresolved = (why: string) =>
      problems.add(`${module.name}: ${scope.where} refers to ${reference.text}: ${why}`);
    if (scope.names.has(root)) continue;
    switch (root) {
      case 'var':
        if (!second || !module.variables.has(second)) unresolved(`no variable "${second}"`);
        break;
      case 'local':
        if (!second || !module.locals.has(second)) unresolved(`no local "${second}"`);
        break;
      case 'module': {
        if (!second || !module.modules.has(second)) {
          unresolved(`no module "${second}"`);
        } else {
          const outputs = childOutputs(second);
          if (outputs && third && !outputs.has(third))
            unresolved(`module "${second}" has no output "${third}"`);
        }
        break;
      }
      case 'data':
        if (!module.data.has(`${second}.${third}`)) unresolved(`no data source ${second}.${third}`);
        break;
      case 'each':
        if (!scope.each) unresolved('the block has no for_each');
        break;
      case 'count':
        if (!scope.count) unresolved('the block has no count');
        break;
      case 'self':
        if (!scope.self) unresolved('self is only allowed in postconditions and provisioners');
        break;
      case 'path':
      case 'terraform':
        break;
      default:
        if (/^[a-z][a-z0-9]*_[a-z0-9_]+$/.test(root)) {
          if (!module.resources.has(`${root}.${second}`))
            unresolved(`no resource ${root}.${second}`);
        } else {
          unresolved(`"${root}" is not declared`);
        }
    }
  }
  return [...problems];
}

/**
 * Every variable, local and data source is used somewhere else in the module (tflint's
 * terraform_unused_declarations, which CI runs on GitHub). A variable read only by its own
 * validation does not count.
 */
export function unusedDeclarations(module: TerraformModule): string[] {
  const used = new Set<string>();
  for (const { reference, scope } of allReferences(module)) {
    const [root = '', second = '', third = ''] = names(reference);
    const key = root === 'data' ? `data.${second}.${third}` : `${root}.${second}`;
    if (scope.where === `variable "${second}"` && root === 'var') continue;
    used.add(key);
  }
  const problems: string[] = [];
  for (const name of module.variables.keys()) {
    if (!used.has(`var.${name}`))
      problems.push(`${module.name}: variable "${name}" is declared but not used`);
  }
  for (const name of module.locals.keys()) {
    if (!used.has(`local.${name}`))
      problems.push(`${module.name}: local "${name}" is declared but not used`);
  }
  for (const address of module.data.keys()) {
    if (!used.has(`data.${address}`))
      problems.push(`${module.name}: data.${address} is declared but not used`);
  }
  return problems;
}

/**
 * The deprecated syntax tflint's recommended preset rejects (CI runs it on GitHub):
 * interpolation-only strings (`"${var.x}"`), legacy index syntax (`list.0.attr`) and
 * comparisons with an empty list.
 */
export function deprecatedSyntax(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [file, text] of Object.entries(module.files)) {
    text.split('\n').forEach((line, index) => {
      const code = line.replace(/^\s*#.*$/, '');
      const where = `${module.name}/${file}:${index + 1}`;
      if (/=\s*"\$\{[^"{}]*\}"\s*$/.test(code))
        problems.push(`${where}: interpolation-only string; write the expression bare`);
      if (/[A-Za-z_\]]\.\d+(\.|\s|$)/.test(code.replace(/"[^"]*"/g, '""'))) {
        problems.push(`${where}: legacy index syntax (.0.); use [0]`);
      }
      if (/[!=]=\s*\[\s*\]/.test(code))
        problems.push(`${where}: comparison with an empty list; use length(...) == 0`);
    });
  }
  return problems;
}

/** Arguments of a module call match the child's variables; required ones are all set. */
export function moduleCallsMatchVariables(
  module: TerraformModule,
  child: (moduleName: string) => TerraformModule | undefined,
): string[] {
  const problems: string[] = [];
  const callArguments = new Set([
    'source',
    'version',
    'providers',
    'count',
    'for_each',
    'depends_on',
  ]);
  for (const [name, { body }] of module.modules) {
    const target = child(name);
    if (!target) {
      problems.push(
        `${module.name}: module "${name}" has a source that is not a module folder here`,
      );
      continue;
    }
    for (const key of Object.keys(body)) {
      if (!callArguments.has(key) && !target.variables.has(key)) {
        problems.push(
          `${module.name}: module "${name}" sets "${key}", which ${target.name} does not declare`,
        );
      }
    }
    for (const [variable, declared] of target.variables) {
      if (!('default' in declared.body) && !(variable in body)) {
        problems.push(
          `${module.name}: module "${name}" does not set required variable "${variable}" of ${target.name}`,
        );
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Provider schemas
// ---------------------------------------------------------------------------------------

export interface ArgumentSchema {
  required: boolean;
  nesting?: 'single' | 'list' | 'set';
  block?: Record<string, ArgumentSchema>;
}

export interface TypeSchema {
  arguments: Record<string, ArgumentSchema>;
  attributes: string[];
}

export interface ProviderSchema {
  source: string;
  version: string;
  generatedFrom: string;
  resources: Record<string, TypeSchema>;
  data: Record<string, TypeSchema>;
}

function checkBody(
  body: Body,
  schema: Record<string, ArgumentSchema>,
  where: string,
  topLevel: boolean,
  problems: string[],
): void {
  const present = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (topLevel && metaArguments.has(key)) continue;
    if (key === 'dynamic' && isBody(value)) {
      for (const [label, bodies] of Object.entries(value)) {
        const argument = schema[label];
        present.add(label);
        if (!argument?.block) {
          problems.push(`${where}: dynamic "${label}" is not a nested block of this type`);
          continue;
        }
        for (const dynamicBody of asBodies(bodies)) {
          for (const content of asBodies(dynamicBody.content))
            checkBody(content, argument.block, `${where}.${label}`, false, problems);
        }
      }
      continue;
    }
    const argument = schema[key];
    present.add(key);
    if (!argument) {
      problems.push(`${where}: unknown argument "${key}"`);
      continue;
    }
    if (argument.block && Array.isArray(value)) {
      for (const nested of value) {
        if (isBody(nested)) checkBody(nested, argument.block, `${where}.${key}`, false, problems);
      }
    }
  }
  for (const [name, argument] of Object.entries(schema)) {
    if (argument.required && !present.has(name))
      problems.push(`${where}: required argument "${name}" is missing`);
  }
}

/**
 * Every resource and data source of the provider's prefix is a type the provider has, every
 * argument and nested block name exists, required arguments are set, and every attribute read
 * from a resource (`aws_x.name.attribute`) is one the type exports.
 */
export function attributesMatchSchema(
  module: TerraformModule,
  schema: ProviderSchema,
  prefix: string,
): string[] {
  const problems: string[] = [];
  for (const [kind, blocks, types] of [
    ['resource', module.resources, schema.resources],
    ['data', module.data, schema.data],
  ] as const) {
    for (const [address, { body }] of blocks) {
      const type = address.split('.')[0] ?? '';
      if (!type.startsWith(prefix)) continue;
      const where = `${module.name}: ${kind === 'data' ? 'data.' : ''}${address}`;
      const typeSchema = types[type];
      if (!typeSchema) {
        problems.push(
          `${where}: ${schema.source} ${schema.version} has no ${kind === 'data' ? 'data source' : 'resource'} type "${type}"`,
        );
        continue;
      }
      checkBody(body, typeSchema.arguments, where, true, problems);
      const lifecycle = asBodies(body.lifecycle)[0];
      for (const ignored of Array.isArray(lifecycle?.ignore_changes)
        ? lifecycle.ignore_changes
        : []) {
        const attribute =
          String(ignored)
            .replace(/^\$\{(.*)\}$/, '$1')
            .split(/[.[]/)[0] ?? '';
        if (attribute !== 'all' && !typeSchema.arguments[attribute]) {
          problems.push(
            `${where}: ignore_changes names "${attribute}", which is not an argument of ${type}`,
          );
        }
      }
    }
  }
  const seen = new Set<string>();
  for (const { reference, scope } of allReferences(module)) {
    const parts = names(reference);
    const isData = parts[0] === 'data';
    const [type = '', , attribute] = isData ? parts.slice(1) : parts;
    if (!type.startsWith(prefix) || !attribute) continue;
    const typeSchema = (isData ? schema.data : schema.resources)[type];
    if (typeSchema && !typeSchema.attributes.includes(attribute)) {
      const problem = `${module.name}: ${scope.where} reads ${reference.text}, but ${type} has no attribute "${attribute}"`;
      if (!seen.has(problem)) problems.push(problem);
      seen.add(problem);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Versions, backends, secrets
// ---------------------------------------------------------------------------------------

/**
 * required_version is at least 1.11; every provider has a source and a version constraint:
 * exact (x.y.z) in a stack, where it is what runs, and bounded above in a reusable module.
 */
export function providerVersionsPinned(
  module: TerraformModule,
  kind: 'stack' | 'module',
): string[] {
  const problems: string[] = [];
  const required = module.terraform
    .map(({ body }) => body.required_version)
    .find((value) => value !== undefined);
  if (typeof required !== 'string' || !/>=\s*1\.(1[1-9]|[2-9]\d)/.test(required)) {
    problems.push(
      `${module.name}: required_version must be ">= 1.11" or later (found ${JSON.stringify(required)})`,
    );
  }
  // A root module is what runs: a new major Terraform must be a reviewed change, not a surprise.
  if (kind === 'stack' && typeof required === 'string' && !/<\s*\d+/.test(required)) {
    problems.push(
      `${module.name}: required_version needs an upper bound (e.g. ">= 1.11, < 2.0"), found "${required}"`,
    );
  }
  const providers = module.terraform.flatMap(({ body }) => asBodies(body.required_providers));
  if (providers.length === 0) problems.push(`${module.name}: no required_providers block`);
  for (const block of providers) {
    for (const [name, requirement] of Object.entries(block)) {
      if (
        !isBody(requirement) ||
        typeof requirement.source !== 'string' ||
        typeof requirement.version !== 'string'
      ) {
        problems.push(`${module.name}: provider "${name}" needs both source and version`);
        continue;
      }
      const version = requirement.version.trim();
      if (kind === 'stack' && !/^=?\s*\d+\.\d+\.\d+$/.test(version)) {
        problems.push(
          `${module.name}: provider "${name}" must be pinned to one version (x.y.z), found "${version}"`,
        );
      }
      if (kind === 'module' && !/<\s*\d+/.test(version)) {
        problems.push(
          `${module.name}: provider "${name}" needs an upper bound (e.g. ">= 6.25, < 7.0"), found "${version}"`,
        );
      }
    }
  }
  return problems;
}

/** Provider names declared in a module's required_providers, with their constraints. */
export function requiredProviders(
  module: TerraformModule,
): Map<string, { source: string; version: string }> {
  const result = new Map<string, { source: string; version: string }>();
  for (const { body } of module.terraform) {
    for (const block of asBodies(body.required_providers)) {
      for (const [name, requirement] of Object.entries(block)) {
        if (isBody(requirement))
          result.set(name, {
            source: String(requirement.source),
            version: String(requirement.version),
          });
      }
    }
  }
  return result;
}

/** A stack keeps its state remotely: S3 with encryption and lockfile locking, or azurerm. */
export function remoteStateConfigured(module: TerraformModule): string[] {
  const backends = module.terraform.flatMap(({ body }) =>
    isBody(body.backend) ? Object.entries(body.backend) : [],
  );
  if (backends.length !== 1)
    return [`${module.name}: needs exactly one backend block (found ${backends.length})`];
  const [type, bodies] = backends[0] ?? ['', undefined];
  const body = asBodies(bodies)[0] ?? {};
  if (type === 's3') {
    const problems: string[] = [];
    if (body.use_lockfile !== true)
      problems.push(`${module.name}: the s3 backend must lock with use_lockfile = true`);
    if (body.encrypt !== true)
      problems.push(`${module.name}: the s3 backend must set encrypt = true`);
    if (typeof body.key !== 'string')
      problems.push(`${module.name}: the s3 backend must set its state key`);
    return problems;
  }
  if (type === 'azurerm') {
    return typeof body.key === 'string'
      ? []
      : [`${module.name}: the azurerm backend must set its state key`];
  }
  return [`${module.name}: backend "${type}" is not remote state (use s3 or azurerm)`];
}

const secretPatterns: Array<[string, RegExp]> = [
  ['an AWS access key ID', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['an Azure storage account key', /AccountKey=[A-Za-z0-9+/=]{20,}/i],
  ['a shared access key', /SharedAccessKey=[A-Za-z0-9+/=]{20,}/i],
  ['a SAS signature', /[?&]sig=[A-Za-z0-9%+/=]{20,}/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{30,}\b/],
];

const secretName =
  /(password|secret|token|api_?key|access_?key|private_?key|connection_string|credential)/i;
/** A variable that names where a secret is kept (its ID or ARN), not the secret: ADR 17. */
const secretReference = /_secret_(id|arn)$/;

/** No credentials written in the code: known key formats, or a literal given to a secret-named argument. */
export function noSecretLiterals(
  module: TerraformModule,
  extraFiles: Record<string, string> = {},
): string[] {
  const problems: string[] = [];
  for (const [file, text] of Object.entries({ ...module.files, ...extraFiles })) {
    for (const [what, pattern] of secretPatterns) {
      if (pattern.test(text))
        problems.push(`${module.name}/${file}: contains what looks like ${what}`);
    }
  }
  const visit = (value: unknown, where: string): void => {
    if (!isBody(value)) {
      if (Array.isArray(value)) value.forEach((item) => visit(item, where));
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (secretName.test(key) && typeof item === 'string' && item !== '' && !item.includes('${')) {
        problems.push(
          `${where}: "${key}" is set to a literal; pass secrets in through a sensitive variable`,
        );
      }
      visit(item, where);
    }
  };
  for (const [address, { body }] of [...module.resources, ...module.data, ...module.modules])
    visit(body, `${module.name}: ${address}`);
  for (const [name, list] of module.providers)
    list.forEach(({ body }) => visit(body, `${module.name}: provider "${name}"`));
  for (const [name, { body }] of module.variables) {
    if (secretReference.test(name)) continue;
    if (secretName.test(name) && body.sensitive !== true) {
      problems.push(`${module.name}: variable "${name}" looks secret but is not marked sensitive`);
    }
    if (secretName.test(name) && typeof body.default === 'string' && body.default !== '') {
      problems.push(`${module.name}: variable "${name}" looks secret but has a default value`);
    }
  }
  for (const [name, { body }] of module.outputs) {
    const value = JSON.stringify(body.value ?? '');
    if (
      /\.(primary|secondary)_(access_key|connection_string|key)|primary_blob_connection_string|\.secret\b/.test(
        value,
      ) &&
      body.sensitive !== true
    ) {
      problems.push(
        `${module.name}: output "${name}" exposes a key or connection string without sensitive = true`,
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Values: resolve literals through var defaults and locals
// ---------------------------------------------------------------------------------------

/**
 * The value of an argument when it is a literal, a `${var.x}` with a default, or a
 * `${local.x}` that is itself resolvable; undefined otherwise.
 */
export function resolveValue(module: TerraformModule, value: unknown, depth = 0): unknown {
  if (typeof value !== 'string' || depth > 8) return value;
  const whole = /^\$\{\s*(var|local)\.([A-Za-z_][\w-]*)\s*\}$/.exec(value);
  if (!whole) return value.includes('${') ? undefined : value;
  if (whole[1] === 'var') {
    const declared = module.variables.get(whole[2] ?? '');
    return declared && 'default' in declared.body
      ? resolveValue(module, declared.body.default, depth + 1)
      : undefined;
  }
  const local = module.locals.get(whole[2] ?? '');
  return local ? resolveValue(module, local.value, depth + 1) : undefined;
}

/** The first body of a nested block (`rule { ... }`), or an empty body. */
export function block(body: Body | undefined, name: string): Body {
  return asBodies(body?.[name])[0] ?? {};
}

export function blocksOfType(module: TerraformModule, type: string): Array<[string, Declared]> {
  return [...module.resources].filter(([address]) => address.startsWith(`${type}.`));
}

export function ignoredChanges(body: Body): string[] {
  const lifecycle = block(body, 'lifecycle');
  const list = Array.isArray(lifecycle.ignore_changes) ? lifecycle.ignore_changes : [];
  return list.map((item) => String(item).replace(/^\$\{(.*)\}$/, '$1'));
}

/** Whether a value reads from the resource at `address` (`type.name`), whatever the index. */
function refersTo(value: unknown, address: string): boolean {
  if (typeof value !== 'string') return false;
  return templateReferences(value).some(
    (reference) => names(reference).slice(0, 2).join('.') === address,
  );
}

// ---------------------------------------------------------------------------------------
// Cloud rules
// ---------------------------------------------------------------------------------------

/** Every S3 bucket: public access blocked (all four), bucket owner enforced, versioned, encrypted. */
export function s3BucketsLockedDown(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address] of blocksOfType(module, 'aws_s3_bucket')) {
    const attached = (type: string) =>
      blocksOfType(module, type).filter(([, { body }]) => refersTo(body.bucket, address));
    const publicAccess = attached('aws_s3_bucket_public_access_block');
    const flags = [
      'block_public_acls',
      'block_public_policy',
      'ignore_public_acls',
      'restrict_public_buckets',
    ];
    if (publicAccess.length === 0)
      problems.push(`${module.name}: ${address} has no aws_s3_bucket_public_access_block`);
    for (const [blockAddress, { body }] of publicAccess) {
      for (const flag of flags) {
        if (resolveValue(module, body[flag]) !== true)
          problems.push(`${module.name}: ${blockAddress} must set ${flag} = true`);
      }
    }
    const ownership = attached('aws_s3_bucket_ownership_controls');
    if (
      !ownership.some(
        ([, { body }]) => block(body, 'rule').object_ownership === 'BucketOwnerEnforced',
      )
    ) {
      problems.push(
        `${module.name}: ${address} needs aws_s3_bucket_ownership_controls with BucketOwnerEnforced`,
      );
    }
    const versioning = attached('aws_s3_bucket_versioning');
    if (
      !versioning.some(
        ([, { body }]) => block(body, 'versioning_configuration').status === 'Enabled',
      )
    ) {
      problems.push(
        `${module.name}: ${address} needs aws_s3_bucket_versioning with status Enabled`,
      );
    }
    if (attached('aws_s3_bucket_server_side_encryption_configuration').length === 0) {
      problems.push(
        `${module.name}: ${address} has no aws_s3_bucket_server_side_encryption_configuration`,
      );
    }
  }
  return problems;
}

/** Every SQS-triggered Lambda reports partial batch failures, from a queue with a redrive DLQ. */
export function queuesRedriveAndReportFailures(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'aws_lambda_event_source_mapping')) {
    const types = body.function_response_types;
    if (!Array.isArray(types) || !types.includes('ReportBatchItemFailures')) {
      problems.push(
        `${module.name}: ${address} must set function_response_types = ["ReportBatchItemFailures"]`,
      );
    }
    const queue = blocksOfType(module, 'aws_sqs_queue').find(([queueAddress]) =>
      refersTo(body.event_source_arn, queueAddress),
    );
    if (!queue) {
      problems.push(
        `${module.name}: ${address} does not read from an aws_sqs_queue of this module`,
      );
    } else if (
      typeof queue[1].body.redrive_policy !== 'string' ||
      !queue[1].body.redrive_policy.includes('deadLetterTargetArn')
    ) {
      problems.push(
        `${module.name}: ${queue[0]} (read by ${address}) has no redrive_policy to a dead-letter queue`,
      );
    }
  }
  return problems;
}

/** Every Lambda writes to a log group of this module that has a retention. */
export function logGroupsHaveRetention(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'aws_cloudwatch_log_group')) {
    if (body.retention_in_days === undefined)
      problems.push(`${module.name}: ${address} has no retention_in_days`);
  }
  for (const [address, { body }] of blocksOfType(module, 'aws_lambda_function')) {
    const logGroup = block(body, 'logging_config').log_group;
    if (
      !blocksOfType(module, 'aws_cloudwatch_log_group').some(([group]) => refersTo(logGroup, group))
    ) {
      problems.push(
        `${module.name}: ${address} does not log to a log group of this module (logging_config.log_group)`,
      );
    }
  }
  return problems;
}

/**
 * Actions that accept no resource ARN, only "*" (the "Resource types" column is empty in the AWS
 * Service Authorization Reference, docs.aws.amazon.com/service-authorization/latest/reference):
 * the CloudWatch Logs delivery an HTTP API stage's access logging sets up, Route 53
 * CreateHealthCheck, Lambda CreateEventSourceMapping (scoped by its lambda:FunctionArn
 * condition instead).
 */
const actionsWithoutResourceTypes = new Set([
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'route53:CreateHealthCheck',
  'lambda:CreateEventSourceMapping',
]);

/**
 * IAM policy documents allow no `*` action and no `*` resource, except for actions that accept
 * no resource but `*`.
 */
export function iamLeastPrivilege(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of module.data) {
    if (!address.startsWith('aws_iam_policy_document.')) continue;
    const statements = [
      ...asBodies(body.statement),
      ...(isBody(body.dynamic)
        ? asBodies(body.dynamic.statement).flatMap((dynamic) => asBodies(dynamic.content))
        : []),
    ];
    for (const statement of statements) {
      if ((statement.effect ?? 'Allow') !== 'Allow') continue;
      const actions = Array.isArray(statement.actions) ? statement.actions.map(String) : [];
      const resources = Array.isArray(statement.resources) ? statement.resources.map(String) : [];
      if (actions.some((action) => action === '*' || action.endsWith(':*'))) {
        problems.push(
          `${module.name}: data.${address} allows a wildcard action (${actions.join(', ')})`,
        );
      }
      const scopable = actions.filter((action) => !actionsWithoutResourceTypes.has(action));
      if (resources.includes('*') && scopable.length > 0)
        problems.push(
          `${module.name}: data.${address} allows actions on every resource ("*"): ${scopable.join(', ')}`,
        );
    }
  }
  return problems;
}

/** Storage accounts: TLS 1.2, HTTPS only, no public blob access; containers private. */
export function storageAccountsLockedDown(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'azurerm_storage_account')) {
    if (body.min_tls_version !== 'TLS1_2')
      problems.push(`${module.name}: ${address} must set min_tls_version = "TLS1_2"`);
    if (body.allow_nested_items_to_be_public !== false) {
      problems.push(`${module.name}: ${address} must set allow_nested_items_to_be_public = false`);
    }
    if (body.https_traffic_only_enabled === false)
      problems.push(`${module.name}: ${address} must not allow plain HTTP`);
  }
  for (const [address, { body }] of blocksOfType(module, 'azurerm_storage_container')) {
    if (body.container_access_type !== undefined && body.container_access_type !== 'private') {
      problems.push(`${module.name}: ${address} must be private`);
    }
  }
  return problems;
}

/**
 * Event Hubs and Notification Hubs SAS rules never grant Manage: it can change the entity and
 * read its keys, and nothing the functions do needs it (their /health reports those hubs from
 * the last send). `manage` must be the literal false, or absent (the provider's default).
 */
export function sasRulesWithoutManage(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const type of [
    'azurerm_eventhub_authorization_rule',
    'azurerm_eventhub_namespace_authorization_rule',
    'azurerm_notification_hub_authorization_rule',
  ]) {
    for (const [address, { body }] of blocksOfType(module, type)) {
      if (body.manage !== undefined && body.manage !== false)
        problems.push(
          `${module.name}: ${address} must not grant manage (found ${JSON.stringify(body.manage)})`,
        );
    }
  }
  return problems;
}

/**
 * Front Door: origin groups probe /health and keep a latency window of at least 500 ms (so that
 * weights apply); origins leave weight and enabled state to traffic-shift.
 */
export function frontDoorWeightsApply(module: TerraformModule, healthPath = '/health'): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'azurerm_cdn_frontdoor_origin_group')) {
    const latency = resolveValue(
      module,
      block(body, 'load_balancing').additional_latency_in_milliseconds,
    );
    if (typeof latency !== 'number' || latency < 500) {
      problems.push(
        `${module.name}: ${address} load_balancing.additional_latency_in_milliseconds must be at least 500 (found ${JSON.stringify(latency)})`,
      );
    }
    const latencyRaw = block(body, 'load_balancing').additional_latency_in_milliseconds;
    const variable =
      typeof latencyRaw === 'string' ? /^\$\{var\.([\w-]+)\}$/.exec(latencyRaw)?.[1] : undefined;
    if (variable) {
      const validations = asBodies(module.variables.get(variable)?.body.validation);
      if (
        !validations.some((validation) =>
          /var\.[\w-]+\s*>=\s*500\b/.test(String(validation.condition)),
        )
      ) {
        problems.push(`${module.name}: variable "${variable}" must validate that it is >= 500`);
      }
    }
    const probe = block(body, 'health_probe');
    if (resolveValue(module, probe.path) !== healthPath) {
      problems.push(`${module.name}: ${address} health_probe.path must be ${healthPath}`);
    }
  }
  for (const [address, { body }] of blocksOfType(module, 'azurerm_cdn_frontdoor_origin')) {
    // An origin whose weight and state are fixed literals (a group holding one origin, which
    // traffic-shift never writes) is Terraform's alone; one set from the split is not.
    if (typeof body.weight !== 'string' && typeof body.enabled !== 'string') continue;
    const ignored = ignoredChanges(body);
    for (const attribute of ['weight', 'enabled']) {
      if (!ignored.includes(attribute))
        problems.push(
          `${module.name}: ${address} must ignore_changes on ${attribute} (owned by traffic-shift)`,
        );
    }
  }
  return problems;
}

/** Route 53: weighted records have TTL 60, a set identifier, a /health health check, ignored weights. */
export function route53WeightedRecords(module: TerraformModule, healthPath = '/health'): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'aws_route53_record')) {
    if (body.weighted_routing_policy === undefined) continue;
    const ttl = resolveValue(module, body.ttl);
    if (ttl !== 60)
      problems.push(`${module.name}: ${address} must have ttl 60 (found ${JSON.stringify(ttl)})`);
    if (body.set_identifier === undefined)
      problems.push(`${module.name}: ${address} needs a set_identifier`);
    const check = blocksOfType(module, 'aws_route53_health_check').find(([checkAddress]) =>
      refersTo(body.health_check_id, checkAddress),
    );
    if (!check) {
      problems.push(
        `${module.name}: ${address} needs a health_check_id from an aws_route53_health_check of this module`,
      );
    } else if (resolveValue(module, check[1].body.resource_path) !== healthPath) {
      problems.push(`${module.name}: ${check[0]} must check ${healthPath}`);
    }
    if (!ignoredChanges(body).some((item) => item.startsWith('weighted_routing_policy'))) {
      problems.push(
        `${module.name}: ${address} must ignore_changes on weighted_routing_policy (owned by traffic-shift)`,
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// The public chain (ADR 16): custom domains, certificates, no way around them
// ---------------------------------------------------------------------------------------

/** Every reference (`type.name` or `local.x`) in a value, for following locals. */
function referencedLocals(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...value.matchAll(/\blocal\.([A-Za-z_][\w-]*)/g)].map((match) => match[1] ?? '');
}

/**
 * The text of a value with every local it reads appended (templates and conditionals), for
 * asking what a value is built from. identity-checks' expandLocals substitutes values instead.
 */
export function textWithLocals(
  module: TerraformModule,
  value: unknown,
  seen = new Set<string>(),
): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  const parts = [text];
  for (const name of referencedLocals(text)) {
    if (seen.has(name)) continue;
    seen.add(name);
    const local = module.locals.get(name);
    if (local) parts.push(textWithLocals(module, local.value, seen));
  }
  return parts.join('\n');
}

/**
 * API Gateway HTTP APIs are reached only through their custom domains: the default execute-api
 * endpoint is disabled whenever a custom domain exists; domains use TLS 1.2 and a certificate
 * that is either given or requested from ACM with DNS validation (and validated before use).
 */
export function apiGatewayBehindCustomDomains(module: TerraformModule): string[] {
  const problems: string[] = [];
  const domains = blocksOfType(module, 'aws_apigatewayv2_domain_name');
  for (const [address, { body }] of blocksOfType(module, 'aws_apigatewayv2_api')) {
    const disabled = body.disable_execute_api_endpoint;
    if (domains.length > 0 && (disabled === undefined || disabled === false)) {
      problems.push(
        `${module.name}: ${address} must set disable_execute_api_endpoint when a custom domain serves it`,
      );
    }
  }
  for (const [address, { body }] of domains) {
    const configuration = block(body, 'domain_name_configuration');
    if (configuration.security_policy !== 'TLS_1_2')
      problems.push(`${module.name}: ${address} must use security_policy TLS_1_2`);
    const certificate = textWithLocals(module, configuration.certificate_arn);
    if (!certificate.includes('aws_acm_certificate_validation.'))
      problems.push(
        `${module.name}: ${address} must use a certificate validated by aws_acm_certificate_validation (or one given by variable)`,
      );
  }
  for (const [address, { body }] of blocksOfType(module, 'aws_acm_certificate')) {
    if (body.validation_method !== 'DNS')
      problems.push(`${module.name}: ${address} must use validation_method DNS (renewed by ACM)`);
    const validated = blocksOfType(module, 'aws_acm_certificate_validation').some(([, check]) =>
      refersTo(check.body.certificate_arn, address),
    );
    if (!validated)
      problems.push(`${module.name}: ${address} has no aws_acm_certificate_validation`);
    const records = blocksOfType(module, 'aws_route53_record').some(([, record]) =>
      JSON.stringify(record.body).includes(`${address}[0].domain_validation_options`),
    );
    if (!records)
      problems.push(`${module.name}: ${address} has no Route 53 record for its DNS validation`);
  }
  return problems;
}

/**
 * Front Door custom domains: a managed certificate on TLS 1.2, the `_dnsauth.<name>` TXT record
 * holding the domain's validation token, and routes that do not also answer on *.azurefd.net.
 */
export function frontDoorCustomDomainsManaged(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'azurerm_cdn_frontdoor_custom_domain')) {
    const tls = block(body, 'tls');
    if (tls.certificate_type !== 'ManagedCertificate')
      problems.push(`${module.name}: ${address} must use tls.certificate_type ManagedCertificate`);
    if (tls.minimum_tls_version !== 'TLS12')
      problems.push(`${module.name}: ${address} must set tls.minimum_tls_version TLS12`);
    const txt = blocksOfType(module, 'aws_route53_record').some(
      ([, record]) =>
        record.body.type === 'TXT' &&
        String(record.body.name).startsWith('_dnsauth.') &&
        JSON.stringify(record.body.records).includes(`${address}`) &&
        JSON.stringify(record.body.records).includes('validation_token'),
    );
    if (!txt)
      problems.push(
        `${module.name}: ${address} has no _dnsauth TXT record with its validation_token`,
      );
  }
  for (const [address, { body }] of blocksOfType(module, 'azurerm_cdn_frontdoor_route')) {
    const domains = body.cdn_frontdoor_custom_domain_ids;
    const hasDomains = domains !== undefined && !(Array.isArray(domains) && domains.length === 0);
    if (hasDomains && body.link_to_default_domain === true)
      problems.push(
        `${module.name}: ${address} serves a custom domain and must not also answer on the *.azurefd.net name`,
      );
  }
  return problems;
}

/**
 * API Management accepts only its Front Door's traffic: a service-scope policy (every API) with
 * check-header X-Azure-FDID against var.front_door_id and an ip-filter built from the
 * AzureFrontDoor.Backend service tag; with no Front Door ID it refuses everything.
 */
export function apiManagementOnlyBehindFrontDoor(module: TerraformModule): string[] {
  const problems: string[] = [];
  const policies = blocksOfType(module, 'azurerm_api_management_policy');
  for (const [address] of blocksOfType(module, 'azurerm_api_management')) {
    const policy = policies.find(([, { body }]) => refersTo(body.api_management_id, address));
    if (!policy) {
      problems.push(
        `${module.name}: ${address} has no service-scope azurerm_api_management_policy (the Front Door check)`,
      );
      continue;
    }
    const xml = textWithLocals(module, policy[1].body.xml_content);
    const fdid =
      /<check-header\s+name="X-Azure-FDID"[^>]*failed-check-httpcode="403"[^>]*>\s*<value>\$\{[^}]*var\.front_door_id[^}]*\}<\/value>/;
    if (!fdid.test(xml))
      problems.push(
        `${module.name}: ${policy[0]} must check-header X-Azure-FDID (403) against var.front_door_id`,
      );
    const tags = [...module.data].find(
      ([dataAddress, { body }]) =>
        dataAddress.startsWith('azurerm_network_service_tags.') &&
        body.service === 'AzureFrontDoor.Backend',
    );
    if (!/<ip-filter\s+action="allow">/.test(xml) || !tags || !xml.includes(`data.${tags[0]}`))
      problems.push(
        `${module.name}: ${policy[0]} must ip-filter to the AzureFrontDoor.Backend service tag's addresses`,
      );
    if (!/var\.front_door_id\s*==\s*null\s*\?/.test(xml) || !/<return-response>/.test(xml))
      problems.push(
        `${module.name}: ${policy[0]} must refuse every call (return-response) while var.front_door_id is null`,
      );
  }
  return problems;
}
