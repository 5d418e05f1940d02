// The identity and state checks must fail on broken bootstrap code, or bootstrap.test.ts would
// prove nothing: each case feeds one check a small snippet with one known flaw.
import { describe, expect, it } from '@jest/globals';
import {
  awsGitHubTrustRestricted,
  awsPlanRolesReadOnly,
  azureGitHubTrustRestricted,
  azurePlanIdentitiesReadOnly,
} from './support/identity-checks.js';
import { awsStateBucketProtected, azureStateAccountProtected } from './support/state-checks.js';
import { moduleFromSnippets } from './support/terraform-module.js';

const snippet = (text: string) => moduleFromSnippets('bad', { 'main.tf': text });

const expectProblems = (actual: string[], expected: string[]) =>
  expect([...actual].sort()).toEqual([...expected].sort());

/** A role trusting GitHub, with the conditions given. */
const awsRole = (name: string, conditions: string, policy = '') => `
data "aws_iam_policy_document" "${name}_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
${conditions}
  }
}
resource "aws_iam_role" "${name}" {
  name               = "${name}"
  assume_role_policy = data.aws_iam_policy_document.${name}_trust.json
}
${policy}`;

const condition = (test: string, claim: string, values: string[]) => `
    condition {
      test     = "${test}"
      variable = "token.actions.githubusercontent.com:${claim}"
      values   = ${JSON.stringify(values)}
    }`;

const audience = condition('StringEquals', 'aud', ['sts.amazonaws.com']);

describe('AWS OIDC trust', () => {
  it('reports a role trust without a sub condition, and one without the audience', async () => {
    const module = await snippet(
      awsRole('nosub', audience) +
        awsRole('noaud', condition('StringEquals', 'sub', ['repo:o/r:pull_request'])),
    );
    expectProblems(awsGitHubTrustRestricted(module), [
      "bad: data.aws_iam_policy_document.nosub_trust trusts GitHub without a token.actions.githubusercontent.com:sub condition: any repository's workflow could assume it",
      'bad: data.aws_iam_policy_document.noaud_trust must check token.actions.githubusercontent.com:aud StringEquals sts.amazonaws.com',
    ]);
  });

  it('reports wildcard subjects, StringLike, and a subject of every ref', async () => {
    const module = await snippet(
      awsRole('like', audience + condition('StringLike', 'sub', ['repo:o/r:*'])) +
        awsRole('refs', audience + condition('StringEquals', 'sub', ['repo:o/r:ref:refs/heads/*'])),
    );
    expectProblems(awsGitHubTrustRestricted(module), [
      'bad: data.aws_iam_policy_document.like_trust checks sub with StringLike; use StringEquals on exact subjects',
      'bad: data.aws_iam_policy_document.like_trust trusts sub "repo:o/r:*": not one exact pull_request, branch or environment subject of one repository',
      'bad: data.aws_iam_policy_document.refs_trust trusts sub "repo:o/r:ref:refs/heads/*": not one exact pull_request, branch or environment subject of one repository',
    ]);
  });

  it('reports a plan role that can write, read data or hold a managed policy, and a deploy role that also trusts pull requests', async () => {
    const module = await snippet(
      awsRole(
        'plan',
        audience + condition('StringEquals', 'sub', ['repo:o/r:pull_request']),
        `
data "aws_iam_policy_document" "plan" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:aws:s3:::shop-data/*"]
  }
}
resource "aws_iam_role_policy" "plan" {
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan.json
}
resource "aws_iam_role_policy_attachment" "plan" {
  role       = aws_iam_role.plan.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}`,
      ) +
        awsRole(
          'deploy',
          audience +
            condition('StringEquals', 'sub', [
              'repo:o/r:environment:production',
              'repo:o/r:pull_request',
            ]),
        ),
    );
    expectProblems(awsPlanRolesReadOnly(module), [
      'bad: plan role aws_iam_role.plan may s3:PutObject (data.aws_iam_policy_document.plan)',
      'bad: plan role aws_iam_role.plan may s3:GetObject outside the state bucket (arn:aws:s3:::shop-data/*)',
      'bad: aws_iam_role_policy_attachment.plan attaches a managed policy to plan role aws_iam_role.plan; managed read-only policies read data (s3:GetObject, ssm:GetParameter)',
      'bad: aws_iam_role.deploy trusts an environment and also pull_request: a deploy identity must trust its environment only',
    ]);
  });
});

const identity = (name: string, subjects: string[], extra = '') => `
resource "azurerm_user_assigned_identity" "${name}" {
  name                = "${name}"
  location            = "westeurope"
  resource_group_name = "rg"
}
${subjects
  .map(
    (subject, index) => `
resource "azurerm_federated_identity_credential" "${name}_${index}" {
  name                = "${name}-${index}"
  resource_group_name = "rg"
  parent_id           = azurerm_user_assigned_identity.${name}.id
  issuer              = "https://token.actions.githubusercontent.com"
  audience            = ["api://AzureADTokenExchange"]
  subject             = "${subject}"
}`,
  )
  .join('\n')}
${extra}`;

describe('Azure federated credentials and roles', () => {
  it('reports another issuer, an extra audience and a subject that is not exact', async () => {
    const module = await snippet(`
resource "azurerm_federated_identity_credential" "loose" {
  name                = "loose"
  resource_group_name = "rg"
  parent_id           = "id"
  issuer              = "https://example.com"
  audience            = ["api://AzureADTokenExchange", "anything"]
  subject             = "repo:o/*:pull_request"
}`);
    expectProblems(azureGitHubTrustRestricted(module), [
      'bad: azurerm_federated_identity_credential.loose must trust the issuer https://token.actions.githubusercontent.com',
      'bad: azurerm_federated_identity_credential.loose must accept the audience api://AzureADTokenExchange only',
      'bad: azurerm_federated_identity_credential.loose trusts subject "repo:o/*:pull_request": not one exact pull_request, branch or environment subject of one repository',
    ]);
  });

  it('reports a plan identity with data-plane write, a broad custom role, and an unconditioned RBAC administrator', async () => {
    const module = await snippet(
      identity(
        'plan',
        ['repo:o/r:pull_request'],
        `
resource "azurerm_role_assignment" "state" {
  scope                = "container"
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.plan.principal_id
}
resource "azurerm_role_definition" "keys" {
  name  = "keys"
  scope = "rg"
  permissions {
    actions      = ["Microsoft.Web/sites/config/list/action", "Microsoft.KeyVault/vaults/*"]
    data_actions = ["Microsoft.KeyVault/vaults/secrets/getSecret/action"]
  }
}
resource "azurerm_role_assignment" "keys" {
  scope              = "rg"
  role_definition_id = azurerm_role_definition.keys.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.plan.principal_id
}
resource "azurerm_role_assignment" "secrets" {
  scope                = "rg"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.plan.principal_id
}`,
      ) +
        identity(
          'deploy',
          ['repo:o/r:environment:production'],
          `
resource "azurerm_role_assignment" "rbac" {
  scope                = "rg"
  role_definition_name = "Role Based Access Control Administrator"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
}`,
        ),
    );
    expectProblems(azurePlanIdentitiesReadOnly(module), [
      'bad: azurerm_role_assignment.state gives plan identity azurerm_user_assigned_identity.plan the role Storage Blob Data Contributor',
      'bad: azurerm_role_assignment.keys: plan identity azurerm_user_assigned_identity.plan may Microsoft.KeyVault/vaults/* (azurerm_role_definition.keys)',
      'bad: azurerm_role_assignment.keys: azurerm_role_definition.keys sets data_actions; a plan role holds no data actions',
      'bad: azurerm_role_assignment.secrets gives plan identity azurerm_user_assigned_identity.plan the role Key Vault Secrets User',
      'bad: azurerm_role_assignment.rbac grants Role Based Access Control Administrator without an ABAC condition (condition_version 2.0) limiting which roles it may assign',
    ]);
  });
});

describe('state storage', () => {
  it('reports an S3 state bucket with SSE-S3, no TLS policy, no version expiry, force_destroy on', async () => {
    const module = await snippet(`
resource "aws_kms_key" "state" {
  description = "no rotation"
}
resource "aws_s3_bucket" "state" {
  bucket        = "state"
  force_destroy = true
}
resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}`);
    expectProblems(awsStateBucketProtected(module), [
      'bad: aws_s3_bucket.state must be encrypted with aws:kms and a key of this module',
      'bad: aws_kms_key.state must set enable_key_rotation = true',
      'bad: aws_s3_bucket.state needs a bucket policy that denies aws:SecureTransport false',
      'bad: aws_s3_bucket.state needs a bucket policy that denies s3:TlsVersion below 1.2',
      'bad: aws_s3_bucket.state needs an enabled lifecycle rule with noncurrent_version_expiration',
      'bad: aws_s3_bucket.state must not default to force_destroy = true',
    ]);
  });

  it('reports a state account with shared keys, no versioning and no soft delete', async () => {
    const module = await snippet(`
resource "azurerm_storage_account" "state" {
  name                     = "state"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}`);
    expectProblems(azureStateAccountProtected(module), [
      'bad: azurerm_storage_account.state must set shared_access_key_enabled = false (Entra ID only)',
      'bad: azurerm_storage_account.state must set default_to_oauth_authentication = true',
      'bad: azurerm_storage_account.state must set blob_properties.versioning_enabled = true',
      'bad: azurerm_storage_account.state needs blob_properties.delete_retention_policy',
      'bad: azurerm_storage_account.state needs blob_properties.container_delete_retention_policy',
    ]);
  });
});
