// Static checks on the identities GitHub workflows sign in as (terraform/bootstrap): who may
// assume each one (the OIDC trust: `aud` and `sub`, exactly), and what a plan identity may do
// (read, never change, never read data or secrets beyond the state it plans from). Like the
// checks in static-checks.ts, each returns one readable line per problem.
import { templateReferences } from './expression-references.js';
import { block } from './static-checks.js';
import { asBodies, isBody, type Body, type TerraformModule } from './terraform-module.js';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_ISSUER = `https://${GITHUB_OIDC_HOST}`;
/** The audience aws-actions/configure-aws-credentials asks GitHub for. */
export const AWS_AUDIENCE = 'sts.amazonaws.com';
/** The audience azure/login and the azurerm provider ask GitHub for (Entra token exchange). */
export const AZURE_AUDIENCE = 'api://AzureADTokenExchange';

/** What a GitHub `sub` claim names: pull requests, a branch, or a deployment environment. */
export type SubjectKind = 'pull_request' | 'branch' | 'environment' | 'other';

/**
 * `repo:<owner>/<repo>:<context>`. An expression such as `${var.github_repository}` stands for a
 * name: the bootstrap variables' validations keep `*` and `:` out of them.
 */
export function subjectKind(subject: string): SubjectKind {
  const named = subject.replace(/\$\{[^}]*\}/g, 'x/x');
  const context = /^repo:[^:*]+\/[^:*]+:(.+)$/.exec(named)?.[1] ?? '';
  if (context === 'pull_request') return 'pull_request';
  if (/^ref:refs\/heads\/[^*]+$/.test(context)) return 'branch';
  if (/^environment:[^*:]+$/.test(context)) return 'environment';
  return 'other';
}

/**
 * A value with every `${local.x}` replaced by that local's value (recursively, when the local
 * is a literal or a list or map of literals); `${var.x}` and other expressions stay as written.
 */
export function expandLocals(module: TerraformModule, value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => expandLocals(module, item, depth + 1));
  if (isBody(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, expandLocals(module, item, depth + 1)]),
    );
  }
  if (typeof value !== 'string') return value;
  const whole = /^\$\{\s*local\.([A-Za-z_][\w-]*)\s*\}$/.exec(value);
  if (whole) {
    const local = module.locals.get(whole[1] ?? '');
    return local ? expandLocals(module, local.value, depth + 1) : value;
  }
  return value.replace(/\$\{\s*local\.([A-Za-z_][\w-]*)\s*\}/g, (match, name: string) => {
    const local = module.locals.get(name)?.value;
    return typeof local === 'string' && !local.includes('${') ? local : match;
  });
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(strings);
  return typeof value === 'string' ? [value] : [];
}

/** The resource or data address (`type.name`) a value refers to, first reference only. */
function referencedAddress(value: unknown, prefix = ''): string | undefined {
  if (typeof value !== 'string') return undefined;
  for (const reference of templateReferences(value)) {
    const names = reference.segments.flatMap((s) => (s.kind === 'name' ? [s.name] : []));
    const [first = '', second = '', third = ''] = names;
    const address = first === 'data' ? `data.${second}.${third}` : `${first}.${second}`;
    if (address.startsWith(prefix)) return address;
  }
  return undefined;
}

/** The statements of an aws_iam_policy_document: static ones and the contents of `dynamic` ones. */
export function statementsOf(body: Body): Body[] {
  return [
    ...asBodies(body.statement),
    ...(isBody(body.dynamic)
      ? asBodies(body.dynamic.statement).flatMap((dynamic) => asBodies(dynamic.content))
      : []),
  ];
}

// ---------------------------------------------------------------------------------------
// AWS: roles that trust GitHub's OIDC provider
// ---------------------------------------------------------------------------------------

export interface GitHubRole {
  /** `aws_iam_role.<name>` */
  role: string;
  /** `data.aws_iam_policy_document.<name>` of its trust policy. */
  trust: string;
  subjects: string[];
}

function isGitHubFederation(module: TerraformModule, statement: Body): boolean {
  const actions = strings(statement.actions);
  const federated = asBodies(statement.principals).some(
    (principal) => principal.type === 'Federated',
  );
  const conditions = JSON.stringify(expandLocals(module, statement.condition ?? []));
  return (
    actions.includes('sts:AssumeRoleWithWebIdentity') &&
    (federated || conditions.includes(GITHUB_OIDC_HOST))
  );
}

/** Conditions of a statement with locals expanded: test, variable and values. */
function conditionsOf(module: TerraformModule, statement: Body) {
  return asBodies(statement.condition).map((condition) => ({
    test: String(condition.test),
    variable: String(expandLocals(module, condition.variable)),
    values: strings(expandLocals(module, condition.values)),
  }));
}

/**
 * Every statement that lets a GitHub OIDC token assume a role checks, with StringEquals (no
 * wildcard, no StringLike), that `aud` is sts.amazonaws.com and that `sub` is one of a list of
 * exact subjects of this repository: pull requests, a branch, or an environment.
 */
export function awsGitHubTrustRestricted(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of module.data) {
    if (!address.startsWith('aws_iam_policy_document.')) continue;
    for (const statement of statementsOf(body)) {
      if ((statement.effect ?? 'Allow') !== 'Allow' || !isGitHubFederation(module, statement))
        continue;
      const where = `${module.name}: data.${address}`;
      const conditions = conditionsOf(module, statement);
      const on = (claim: string) =>
        conditions.filter((condition) => condition.variable === `${GITHUB_OIDC_HOST}:${claim}`);
      const audience = on('aud');
      if (
        !audience.some(
          (c) => c.test === 'StringEquals' && c.values.length === 1 && c.values[0] === AWS_AUDIENCE,
        )
      ) {
        problems.push(`${where} must check ${GITHUB_OIDC_HOST}:aud StringEquals ${AWS_AUDIENCE}`);
      }
      const subject = on('sub');
      if (subject.length === 0) {
        problems.push(
          `${where} trusts GitHub without a ${GITHUB_OIDC_HOST}:sub condition: any repository's workflow could assume it`,
        );
      }
      for (const condition of subject) {
        if (condition.test !== 'StringEquals') {
          problems.push(
            `${where} checks sub with ${condition.test}; use StringEquals on exact subjects`,
          );
        }
        for (const value of condition.values) {
          if (subjectKind(value) === 'other') {
            problems.push(
              `${where} trusts sub "${value}": not one exact pull_request, branch or environment subject of one repository`,
            );
          }
        }
      }
    }
  }
  return problems;
}

/** Roles whose trust policy lets GitHub's OIDC tokens in, with the subjects they trust. */
export function awsGitHubRoles(module: TerraformModule): GitHubRole[] {
  const roles: GitHubRole[] = [];
  for (const [address, { body }] of module.resources) {
    if (!address.startsWith('aws_iam_role.')) continue;
    const trust = referencedAddress(body.assume_role_policy, 'data.aws_iam_policy_document.');
    const document = trust ? module.data.get(trust.slice('data.'.length))?.body : undefined;
    if (!trust || !document) continue;
    const statements = statementsOf(document).filter((s) => isGitHubFederation(module, s));
    if (statements.length === 0) continue;
    const subjects = statements.flatMap((statement) =>
      conditionsOf(module, statement)
        .filter((c) => c.variable === `${GITHUB_OIDC_HOST}:sub`)
        .flatMap((c) => c.values),
    );
    roles.push({ role: address, trust, subjects });
  }
  return roles;
}

/** A plan identity trusts pull requests and branches; a deploy identity one environment only. */
export type IdentityKind = 'plan' | 'deploy';

export function identityKind(subjects: string[]): IdentityKind {
  return subjects.some((subject) => subjectKind(subject) === 'environment') ? 'deploy' : 'plan';
}

function identityTrustSplit(where: string, subjects: string[]): string[] {
  const kinds = new Set(subjects.map(subjectKind));
  if (kinds.has('environment') && kinds.size > 1) {
    return [
      `${where} trusts an environment and also ${[...kinds].filter((k) => k !== 'environment').join(', ')}: a deploy identity must trust its environment only`,
    ];
  }
  return [];
}

const AWS_READ_ACTION =
  /^[a-z0-9-]+:(Get|List|Describe|Head)[A-Za-z*]*$|^apigateway:GET$|^kms:Decrypt$/;

/**
 * A plan role (one that trusts no environment) may only read: Get/List/Describe actions,
 * apigateway:GET and kms:Decrypt; and s3:GetObject only on the state bucket (the data buckets'
 * objects are data). A deploy role trusts its environment and nothing else.
 */
export function awsPlanRolesReadOnly(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const { role, subjects } of awsGitHubRoles(module)) {
    problems.push(...identityTrustSplit(`${module.name}: ${role}`, subjects));
    if (identityKind(subjects) !== 'plan') continue;
    const policies = [...module.resources]
      .filter(
        ([address, { body }]) =>
          (address.startsWith('aws_iam_role_policy.') ||
            address.startsWith('aws_iam_role_policy_attachment.')) &&
          referencedAddress(body.role, 'aws_iam_role.') === role,
      )
      .map(([address, { body }]) => ({
        address,
        document: referencedAddress(body.policy, 'data.aws_iam_policy_document.'),
        managed: body.policy_arn,
      }));
    for (const { address, document, managed } of policies) {
      if (managed !== undefined) {
        problems.push(
          `${module.name}: ${address} attaches a managed policy to plan role ${role}; managed read-only policies read data (s3:GetObject, ssm:GetParameter)`,
        );
        continue;
      }
      const body = document ? module.data.get(document.slice('data.'.length))?.body : undefined;
      if (!body) continue;
      for (const statement of statementsOf(body)) {
        if ((statement.effect ?? 'Allow') !== 'Allow') continue;
        const resources = strings(statement.resources);
        for (const action of strings(statement.actions)) {
          if (!AWS_READ_ACTION.test(action)) {
            problems.push(`${module.name}: plan role ${role} may ${action} (${document})`);
          } else if (
            action === 's3:GetObject' &&
            !resources.every((resource) => /state/.test(resource))
          ) {
            problems.push(
              `${module.name}: plan role ${role} may s3:GetObject outside the state bucket (${resources.join(', ')})`,
            );
          }
        }
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Azure: managed identities with GitHub federated credentials
// ---------------------------------------------------------------------------------------

export interface FederatedIdentity {
  /** `azurerm_user_assigned_identity.<name>` */
  identity: string;
  subjects: string[];
}

/** The subjects of a federated credential: its `subject`, or the for_each map it reads. */
function credentialSubjects(module: TerraformModule, body: Body): string[] {
  const subject = expandLocals(module, body.subject);
  if (subject === '${each.value}' || subject === '${each.key}') {
    const each = expandLocals(module, body.for_each);
    const entries = isBody(each) ? each : {};
    return Object.entries(entries).map(([key, value]) =>
      subject === '${each.key}' ? key : String(value),
    );
  }
  return strings(subject);
}

/**
 * Every federated credential trusts GitHub's issuer, the Entra token exchange audience only,
 * and exact subjects of one repository.
 */
export function azureGitHubTrustRestricted(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of module.resources) {
    if (!address.startsWith('azurerm_federated_identity_credential.')) continue;
    const where = `${module.name}: ${address}`;
    if (expandLocals(module, body.issuer) !== GITHUB_ISSUER)
      problems.push(`${where} must trust the issuer ${GITHUB_ISSUER}`);
    const audience = strings(expandLocals(module, body.audience));
    if (audience.length !== 1 || audience[0] !== AZURE_AUDIENCE)
      problems.push(`${where} must accept the audience ${AZURE_AUDIENCE} only`);
    const subjects = credentialSubjects(module, body);
    if (subjects.length === 0) problems.push(`${where} has no subject`);
    for (const subject of subjects) {
      if (subjectKind(subject) === 'other') {
        problems.push(
          `${where} trusts subject "${subject}": not one exact pull_request, branch or environment subject of one repository`,
        );
      }
    }
  }
  return problems;
}

export function azureGitHubIdentities(module: TerraformModule): FederatedIdentity[] {
  const identities = new Map<string, string[]>();
  for (const [address, { body }] of module.resources) {
    if (!address.startsWith('azurerm_federated_identity_credential.')) continue;
    const identity = referencedAddress(body.parent_id, 'azurerm_user_assigned_identity.');
    if (!identity) continue;
    identities.set(identity, [
      ...(identities.get(identity) ?? []),
      ...credentialSubjects(module, body),
    ]);
  }
  return [...identities].map(([identity, subjects]) => ({ identity, subjects }));
}

/**
 * Built-in roles a plan identity may hold here: control-plane read, and state blobs read. No
 * Key Vault role: the cell's group also holds the peer key's vault (ADR 17); the cell module
 * grants the plan identity its own two secrets only (see secretsReadPerSecret).
 */
const AZURE_PLAN_ROLES = new Set(['Reader', 'Storage Blob Data Reader']);

/**
 * Reading actions a plan identity may hold beyond Reader, in a custom role: the list calls the
 * azurerm provider makes to refresh the cell's key-based settings (the same keys are in the
 * state the identity reads; see bootstrap/azure). Nothing else: no data actions, no wildcard,
 * no Key Vault.
 */
export const AZURE_PLAN_LIST_ACTIONS = new Set([
  'microsoft.storage/storageaccounts/listkeys/action',
  'microsoft.eventhub/namespaces/eventhubs/authorizationrules/listkeys/action',
  'microsoft.notificationhubs/namespaces/notificationhubs/authorizationrules/listkeys/action',
  'microsoft.web/sites/config/list/action',
]);

/**
 * A plan identity (federated credentials for pull requests and branches only) holds Reader,
 * Storage Blob Data Reader, or a custom role made of the listed list actions, nothing else; a
 * deploy identity trusts its environment only; Role Based Access Control Administrator is
 * always limited by an ABAC condition (version 2.0).
 */
export function azurePlanIdentitiesReadOnly(module: TerraformModule): string[] {
  const problems: string[] = [];
  const kinds = new Map<string, IdentityKind>();
  for (const { identity, subjects } of azureGitHubIdentities(module)) {
    problems.push(...identityTrustSplit(`${module.name}: ${identity}`, subjects));
    kinds.set(identity, identityKind(subjects));
  }
  for (const [address, { body }] of module.resources) {
    if (!address.startsWith('azurerm_role_assignment.')) continue;
    const where = `${module.name}: ${address}`;
    const role = body.role_definition_name;
    if (
      role === 'Role Based Access Control Administrator' ||
      role === 'User Access Administrator'
    ) {
      if (body.condition === undefined || body.condition_version !== '2.0') {
        problems.push(
          `${where} grants ${role} without an ABAC condition (condition_version 2.0) limiting which roles it may assign`,
        );
      }
    }
    const identity = referencedAddress(body.principal_id, 'azurerm_user_assigned_identity.');
    if (!identity || kinds.get(identity) !== 'plan') continue;
    if (typeof role === 'string') {
      if (!AZURE_PLAN_ROLES.has(role))
        problems.push(`${where} gives plan identity ${identity} the role ${role}`);
      continue;
    }
    const definition = referencedAddress(body.role_definition_id, 'azurerm_role_definition.');
    const definitionBody = definition ? module.resources.get(definition)?.body : undefined;
    if (!definitionBody) {
      problems.push(`${where} gives plan identity ${identity} a role this check cannot read`);
      continue;
    }
    const permissions = block(definitionBody, 'permissions');
    const actions = strings(expandLocals(module, permissions.actions));
    for (const action of actions) {
      if (!AZURE_PLAN_LIST_ACTIONS.has(action.toLowerCase()))
        problems.push(`${where}: plan identity ${identity} may ${action} (${definition})`);
    }
    for (const key of ['data_actions', 'not_actions', 'not_data_actions']) {
      if (strings(permissions[key]).length > 0)
        problems.push(`${where}: ${definition} sets ${key}; a plan role holds no data actions`);
    }
  }
  return problems;
}
