// The bootstrap stacks (terraform/bootstrap): state storage, the GitHub OIDC trust, the plan
// and deploy identities, and the repository settings, checked on the parsed HCL. What only a
// real cloud can confirm (the IAM and RBAC evaluation itself) is listed in docs/deploying.md.
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  awsGitHubRoles,
  awsGitHubTrustRestricted,
  awsPlanRolesReadOnly,
  azureGitHubIdentities,
  azureGitHubTrustRestricted,
  azurePlanIdentitiesReadOnly,
  expandLocals,
  identityKind,
  statementsOf,
  subjectKind,
} from './support/identity-checks.js';
import { BOOTSTRAP_VARIABLES } from './support/bootstrap-variables.js';
import { secretsReadPerSecret } from './support/access-checks.js';
import { awsStateBucketProtected, azureStateAccountProtected } from './support/state-checks.js';
import { block, resolveValue, s3BucketsLockedDown } from './support/static-checks.js';
import {
  asBodies,
  bootstrapDirs,
  loadedModules,
  type Body,
  type TerraformModule,
} from './support/terraform-module.js';

const modules = loadedModules([...bootstrapDirs, 'modules/aws-cell']);
const get = modules.get;

beforeAll(modules.load);

function outputVariables(module: TerraformModule): string[] {
  const value = module.locals.get('github_variables')?.value;
  return Object.keys(typeof value === 'object' && value !== null ? value : {}).sort();
}

describe('bootstrap/aws', () => {
  it('trusts GitHub tokens only with aud sts.amazonaws.com and exact sub claims', () => {
    expect(awsGitHubTrustRestricted(get('bootstrap/aws'))).toEqual([]);
  });

  it('has one plan role (pull requests and the default branch) and one deploy role (the environment)', () => {
    const roles = awsGitHubRoles(get('bootstrap/aws'));
    expect(
      roles.map(({ role, subjects }) => [role, identityKind(subjects), subjects.map(subjectKind)]),
    ).toEqual([
      ['aws_iam_role.deploy', 'deploy', ['environment']],
      ['aws_iam_role.plan', 'plan', ['pull_request', 'branch']],
    ]);
  });

  it('lets the plan role read only: state without the lock, configuration without data', () => {
    const module = get('bootstrap/aws');
    expect(awsPlanRolesReadOnly(module)).toEqual([]);
    const plan = JSON.stringify(module.data.get('aws_iam_policy_document.plan')?.body);
    for (const write of ['s3:PutObject', 's3:DeleteObject', 'sqs:ReceiveMessage', 'kms:Encrypt'])
      expect(plan).not.toContain(write);
  });

  it('lets the deploy role create function roles only under the permissions boundary', () => {
    const module = get('bootstrap/aws');
    const deploy = asBodies(module.data.get('aws_iam_policy_document.deploy')?.body.statement);
    const creates = deploy.filter((s) => JSON.stringify(s.actions).includes('iam:CreateRole'));
    expect(creates).toHaveLength(1);
    expect(creates[0]?.condition).toEqual([
      {
        test: 'StringEquals',
        variable: 'iam:PermissionsBoundary',
        values: ['${local.boundary_policy_arn}'],
      },
    ]);
    const passRole = deploy.find((s) => JSON.stringify(s.actions) === '["iam:PassRole"]');
    expect(asBodies(passRole?.condition)[0]).toMatchObject({
      variable: 'iam:PassedToService',
      values: ['lambda.amazonaws.com'],
    });
    expect(JSON.stringify(deploy)).toContain('"iam:DeleteRolePermissionsBoundary"');
  });

  it("caps the function roles with exactly the actions of aws-cell's function policies", () => {
    // The boundary is the union of those policies (bootstrap/aws): an action a function needs
    // and the boundary lacks fails only on a real cloud; one the boundary keeps and no function
    // has any more is a permission left behind.
    const actions = (module: TerraformModule, document: string) =>
      new Set(
        statementsOf(module.data.get(`aws_iam_policy_document.${document}`)?.body as Body).flatMap(
          (statement) => (statement.actions as string[] | undefined) ?? [],
        ),
      );
    const granted = actions(get('modules/aws-cell'), 'functions');
    expect(granted).toContain('secretsmanager:GetSecretValue');
    expect([...actions(get('bootstrap/aws'), 'cell_function_boundary')].sort()).toEqual(
      [...granted].sort(),
    );
  });

  it('lets the function roles use a customer-managed key through each service aws-cell encrypts with it', () => {
    // aws-cell's kms_key_arn encrypts the bucket, the queues (order events, replication) and the
    // topic; the functions write and read them, so the boundary must admit the key through each.
    const cell = JSON.stringify(
      get('modules/aws-cell').resources.get('aws_sqs_queue.replication')?.body,
    );
    expect(cell).toContain('var.kms_key_arn');
    const boundary = statementsOf(
      get('bootstrap/aws').data.get('aws_iam_policy_document.cell_function_boundary')?.body as Body,
    );
    const keys = boundary.filter((statement) =>
      JSON.stringify(statement.actions).includes('kms:GenerateDataKey'),
    );
    expect(keys).toHaveLength(1);
    expect(asBodies(keys[0]?.condition)[0]).toMatchObject({
      test: 'StringLike',
      variable: 'kms:ViaService',
      values: ['s3.*.amazonaws.com', 'sqs.*.amazonaws.com', 'sns.*.amazonaws.com'],
    });
  });

  it('keeps the state bucket private, versioned, KMS-encrypted, TLS only, old versions expiring', () => {
    const module = get('bootstrap/aws');
    expect([...s3BucketsLockedDown(module), ...awsStateBucketProtected(module)]).toEqual([]);
    expect(module.resources.has('aws_s3_bucket.state')).toBe(true);
  });

  it('gives each role a session long enough for its jobs (IAM allows 1 to 12 hours)', () => {
    const module = get('bootstrap/aws');
    const plan = resolveValue(
      module,
      module.resources.get('aws_iam_role.plan')?.body.max_session_duration,
    );
    const deploy = resolveValue(
      module,
      module.resources.get('aws_iam_role.deploy')?.body.max_session_duration,
    );
    // pr-plan.yml and drift.yml jobs: 30 minutes; the rollout jobs: 180 minutes (the workflow
    // tests check role-duration-seconds against these same defaults).
    expect(plan).toBeGreaterThanOrEqual(30 * 60);
    expect(deploy).toBeGreaterThanOrEqual(180 * 60);
  });

  it('outputs the repository variables the workflows read', () => {
    expect(outputVariables(get('bootstrap/aws'))).toEqual(BOOTSTRAP_VARIABLES['bootstrap/aws']);
  });
});

describe('bootstrap/azure', () => {
  it('federates GitHub tokens with the Entra audience and exact subjects only', () => {
    expect(azureGitHubTrustRestricted(get('bootstrap/azure'))).toEqual([]);
  });

  it('has one plan identity (pull requests and the default branch) and one deploy identity (the environment)', () => {
    const identities = azureGitHubIdentities(get('bootstrap/azure'));
    expect(
      identities.map(({ identity, subjects }) => [
        identity,
        identityKind(subjects),
        subjects.map(subjectKind).sort(),
      ]),
    ).toEqual([
      ['azurerm_user_assigned_identity.deploy', 'deploy', ['environment']],
      ['azurerm_user_assigned_identity.plan', 'plan', ['branch', 'pull_request']],
    ]);
  });

  it('lets the plan identity read only, and the deploy identity assign data roles only under a condition', () => {
    const module = get('bootstrap/azure');
    expect(azurePlanIdentitiesReadOnly(module)).toEqual([]);
    expect(secretsReadPerSecret(module)).toEqual([]);
    const planState = module.resources.get('azurerm_role_assignment.plan_state')?.body;
    expect(planState?.role_definition_name).toBe('Storage Blob Data Reader');
    expect(planState?.scope).toBe('${azurerm_storage_container.state.id}');
    // The condition names the allowed roles and service principals, for writes and deletes.
    const condition = String(expandLocals(module, '${local.delegation_condition}'));
    expect(condition).toContain("ActionMatches{'Microsoft.Authorization/roleAssignments/write'}");
    expect(condition).toContain("ActionMatches{'Microsoft.Authorization/roleAssignments/delete'}");
    expect(condition).toContain("StringEqualsIgnoreCase {'ServicePrincipal'}");
  });

  it('holds roles on the stacks’ resource groups only, never the subscription', () => {
    const module = get('bootstrap/azure');
    for (const [address, { body }] of module.resources) {
      if (!address.startsWith('azurerm_role_assignment.')) continue;
      expect([address, String(body.scope)]).toEqual([
        address,
        expect.stringMatching(
          /^\$\{(azurerm_resource_group\.(cell|global)|azurerm_storage_container\.state|var\.custom_domain_key_vault_id|each\.value)/,
        ),
      ]);
    }
  });

  it('keeps the state account Entra-only, versioned, soft-deleting, private', () => {
    const module = get('bootstrap/azure');
    expect(azureStateAccountProtected(module)).toEqual([]);
    expect(
      module.resources.get('azurerm_storage_container.state')?.body.container_access_type,
    ).toBe('private');
  });

  it('registers the resource providers the identities cannot register themselves', () => {
    const provider = get('bootstrap/azure').providers.get('azurerm')?.[0]?.body;
    expect(provider?.resource_providers_to_register).toEqual(
      expect.arrayContaining(['Microsoft.ApiManagement', 'Microsoft.Cdn', 'Microsoft.Web']),
    );
  });

  it('outputs the repository variables the workflows read', () => {
    expect(outputVariables(get('bootstrap/azure'))).toEqual(BOOTSTRAP_VARIABLES['bootstrap/azure']);
  });
});

describe('bootstrap/github', () => {
  it('restricts the environment to the default branch, with reviewers no one can skip', () => {
    const module = get('bootstrap/github');
    const environment = module.resources.get('github_repository_environment.production')?.body;
    expect(environment).toMatchObject({ prevent_self_review: true, can_admins_bypass: false });
    expect(block(environment, 'deployment_branch_policy')).toEqual({
      protected_branches: false,
      custom_branch_policies: true,
    });
    expect(JSON.stringify(block(environment, 'lifecycle'))).toContain('length(var.reviewer_users)');
    expect(
      module.resources.get('github_repository_environment_deployment_policy.default_branch')?.body
        .branch_pattern,
    ).toBe('${var.github_default_branch}');
  });

  it('uses the same environment and branch defaults as the identities that trust them', () => {
    const defaults = (dir: string) =>
      ['github_environment', 'github_default_branch'].map(
        (name) => get(dir).variables.get(name)?.body.default,
      );
    expect(defaults('bootstrap/aws')).toEqual(['production', 'main']);
    expect(defaults('bootstrap/azure')).toEqual(['production', 'main']);
    expect(defaults('bootstrap/github')).toEqual(['production', 'main']);
  });
});
