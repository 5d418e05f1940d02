// What a first real deployment would hit (issue 14), checked on the parsed HCL of the modules
// and stacks, and each check shown to fail on a snippet with the blocker put back.
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  apimCertificateReadableFirst,
  azureGlobalNamesSuffixed,
  azureStacksFitTheirIdentities,
  flexConsumptionStorageWorks,
  remoteStateReadsHaveDefaults,
  serviceRolesCarryBoundary,
} from './support/first-deploy-checks.js';
import {
  bootstrapDirs,
  loadedModules,
  moduleDirs,
  moduleFromSnippets,
  stackDirs,
} from './support/terraform-module.js';

const modules = loadedModules([...moduleDirs, ...stackDirs, ...bootstrapDirs]);
const get = modules.get;

beforeAll(modules.load);

const snippet = (text: string) => moduleFromSnippets('bad', { 'main.tf': text });
const expectProblems = (actual: string[], expected: string[]) =>
  expect([...actual].sort()).toEqual([...expected].sort());

describe('the modules and stacks', () => {
  it('give every Azure name that must be globally unique a per-fork suffix', () => {
    for (const dir of [...moduleDirs, ...stackDirs, ...bootstrapDirs])
      expect(azureGlobalNamesSuffixed(get(dir))).toEqual([]);
    // Something to look at: the four names of the issue, and both storage accounts.
    const cell = get('modules/azure-cell');
    for (const address of [
      'azurerm_api_management.this',
      'azurerm_function_app_flex_consumption.this',
      'azurerm_eventhub_namespace.this',
      'azurerm_notification_hub_namespace.this',
      'azurerm_storage_account.this',
    ])
      expect(cell.resources.has(address)).toBe(true);
  });

  // ADR 16: Front Door serves the public and the cell's names with its managed certificates,
  // so API Management reads no Key Vault certificate; should a custom domain come back, the
  // grant must come first (the check below, shown to fail on a bad snippet further down).
  it('ask API Management for no Key Vault certificate it could not read yet', () => {
    const cell = get('modules/azure-cell');
    expect(apimCertificateReadableFirst(cell)).toEqual([]);
    expect(cell.resources.has('azurerm_api_management_custom_domain.this')).toBe(false);
  });

  it('store the Flex Consumption host state in a way the pinned provider gets right', () => {
    const cell = get('modules/azure-cell');
    expect(flexConsumptionStorageWorks(cell)).toEqual([]);
    expect(cell.resources.has('azurerm_function_app_flex_consumption.this')).toBe(true);
  });

  it('plan before the stacks they read exist (first deployment)', () => {
    for (const dir of stackDirs) expect(remoteStateReadsHaveDefaults(get(dir))).toEqual([]);
    for (const dir of stackDirs)
      expect(
        [...get(dir).data.keys()].some((key) => key.startsWith('terraform_remote_state.')),
      ).toBe(true);
  });

  // ADR 16 closes API Management until it knows Front Door's ID; ADR 19: the azure stack reads
  // it from the global stack's state, so the first deployment's second azure apply opens it
  // without a hand-copied front_door_id.
  it('read Front Door’s ID from the global stack’s state when front_door_id is not set', () => {
    const azure = get('stacks/azure');
    const global = azure.data.get('terraform_remote_state.global');
    expect(global).toBeDefined();
    expect(JSON.stringify(global?.body)).toContain('global_state_key');
    expect(JSON.stringify(azure.locals.get('front_door_id')?.value)).toContain(
      'terraform_remote_state.global',
    );
    expect(JSON.stringify(azure.modules.get('cell')?.body?.front_door_id)).toContain(
      'local.front_door_id',
    );
  });

  it('ask nothing of Azure that the workflows’ identities cannot do', () => {
    for (const dir of ['stacks/azure', 'stacks/global'])
      expect(azureStacksFitTheirIdentities(get(dir))).toEqual([]);
  });

  it('give every function role the boundary the deploy role requires', () => {
    expect(serviceRolesCarryBoundary(get('modules/aws-cell'))).toEqual([]);
    expect(get('modules/aws-cell').resources.has('aws_iam_role.functions')).toBe(true);
  });
});

describe('each check catches its blocker', () => {
  it('reports Azure names without a suffix, and accepts a hashed one', async () => {
    const module = await snippet(`
locals {
  prefix = "shop-azure-prod"
  suffix = substr(sha256("sub/rg/shop"), 0, 6)
}
resource "azurerm_api_management" "plain" {
  name = "\${local.prefix}-api"
}
resource "azurerm_eventhub_namespace" "literal" {
  name = "shop-events"
}
resource "azurerm_notification_hub_namespace" "hashed" {
  name = "\${local.prefix}-notify-\${local.suffix}"
}`);
    expectProblems(azureGlobalNamesSuffixed(module), [
      'bad: azurerm_api_management.plain name "${local.prefix}-api" is global across Azure but has no per-fork suffix (a hash of the subscription and cell)',
      'bad: azurerm_eventhub_namespace.literal name "shop-events" is global across Azure but has no per-fork suffix (a hash of the subscription and cell)',
    ]);
  });

  it('reports a custom domain created without, or without waiting for, Key Vault access', async () => {
    const module = await snippet(`
resource "azurerm_api_management" "this" {
  name = "api"
}
resource "azurerm_role_assignment" "wrong_role" {
  role_definition_name = "Reader"
  principal_id         = azurerm_api_management.this.identity[0].principal_id
}
resource "azurerm_api_management_custom_domain" "no_grant" {
  api_management_id = azurerm_api_management.this.id
  gateway {
    host_name                = "api.example.com"
    key_vault_certificate_id = "https://v.vault.azure.net/secrets/c"
  }
  depends_on = [azurerm_role_assignment.wrong_role]
}
resource "azurerm_api_management_custom_domain" "no_depends_on" {
  api_management_id = azurerm_api_management.this.id
  gateway {
    host_name                = "api.example.com"
    key_vault_certificate_id = "https://v.vault.azure.net/secrets/c"
  }
}`);
    expectProblems(apimCertificateReadableFirst(module), [
      "bad: azurerm_api_management_custom_domain.no_grant reads a Key Vault certificate but does not depend on a role assignment giving API Management's identity Key Vault Secrets User",
      "bad: azurerm_api_management_custom_domain.no_depends_on reads a Key Vault certificate but does not depend on a role assignment giving API Management's identity Key Vault Secrets User",
    ]);
  });

  it('reports identity-based Flex Consumption storage and the AzureWebJobsStorage workaround', async () => {
    const module = await snippet(`
locals {
  settings = {
    AzureWebJobsStorage              = ""
    AzureWebJobsStorage__accountName = "account"
  }
}
resource "azurerm_function_app_flex_consumption" "identity" {
  storage_authentication_type       = "UserAssignedIdentity"
  storage_user_assigned_identity_id = "id"
  app_settings                      = local.settings
}
resource "azurerm_function_app_flex_consumption" "keyless" {
  storage_authentication_type = "StorageAccountConnectionString"
}`);
    expectProblems(flexConsumptionStorageWorks(module), [
      'bad: azurerm_function_app_flex_consumption.identity uses storage_authentication_type "UserAssignedIdentity": with azurerm 4.55.0 only StorageAccountConnectionString works (hashicorp/terraform-provider-azurerm#29693)',
      'bad: azurerm_function_app_flex_consumption.identity sets AzureWebJobsStorage in app_settings: the provider strips it on read and writes it on update, so every plan changes it (hashicorp/terraform-provider-azurerm#29149)',
      'bad: azurerm_function_app_flex_consumption.keyless needs storage_access_key with StorageAccountConnectionString',
    ]);
  });

  it('reports a remote state output read without a default', async () => {
    const module = await snippet(`
data "terraform_remote_state" "aws" {
  backend = "s3"
  config  = { bucket = "b", region = "r", key = "k" }
  defaults = {
    base_url = null
  }
}
locals {
  url  = data.terraform_remote_state.aws.outputs.base_url
  host = data.terraform_remote_state.aws.outputs.origin_hostname
}
output "health" {
  description = "h"
  value       = data.terraform_remote_state.aws.outputs.health_url
}`);
    expectProblems(remoteStateReadsHaveDefaults(module), [
      'bad: data.terraform_remote_state.aws has no default for origin_hostname: the plan fails until that stack exists',
      'bad: data.terraform_remote_state.aws has no default for health_url: the plan fails until that stack exists',
    ]);
  });

  it('reports provider registration, a client secret and a resource group of its own', async () => {
    const module = await snippet(`
provider "azurerm" {
  client_secret = var.secret
  features {}
}
resource "azurerm_resource_group" "cell" {
  name     = "rg"
  location = "westeurope"
}`);
    expectProblems(azureStacksFitTheirIdentities(module), [
      'bad: provider "azurerm" must set resource_provider_registrations = "none" (the workflows\' identities cannot register resource providers; bootstrap/azure does)',
      'bad: provider "azurerm" sets client_secret; the workflows sign in with OIDC (ARM_USE_OIDC)',
      'bad: azurerm_resource_group.cell: the workflows\' identities cannot create resource groups; read the one bootstrap/azure creates (data "azurerm_resource_group")',
    ]);
  });

  it('reports a Lambda role without a permissions boundary', async () => {
    const module = await snippet(`
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}
resource "aws_iam_role" "function" {
  name               = "shop-aws-prod-cart"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}`);
    expectProblems(serviceRolesCarryBoundary(module), [
      "bad: aws_iam_role.function has no permissions_boundary: the bootstrap's deploy role may not create it",
    ]);
  });
});
