// Static checks for what a first real deployment hits and the local tests cannot (issue 14):
// names two forks would share, a certificate API Management cannot read yet, host storage the
// pinned provider breaks, remote state read before it exists, providers that expect rights
// the workflows' identities do not have, function roles without the deploy role's boundary.
// One readable line per problem, like static-checks.ts.
import { templateReferences } from './expression-references.js';
import { blocksOfType, resolveValue } from './static-checks.js';
import { asBodies, isBody, type Body, type TerraformModule } from './terraform-module.js';

function namesIn(value: unknown): string[][] {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return templateReferences(text).map((reference) =>
    reference.segments.flatMap((segment) => (segment.kind === 'name' ? [segment.name] : [])),
  );
}

/**
 * Azure resources whose name becomes a host name, so must be unique across all of Azure
 * (API Management: <name>.azure-api.net; Function Apps: <name>.azurewebsites.net; Event Hubs,
 * Service Bus and Notification Hubs namespaces: <name>.servicebus.windows.net; storage
 * accounts: <name>.blob.core.windows.net; Key Vaults: <name>.vault.azure.net).
 */
export const AZURE_GLOBAL_NAME_TYPES = [
  'azurerm_api_management',
  'azurerm_function_app_flex_consumption',
  'azurerm_linux_function_app',
  'azurerm_windows_function_app',
  'azurerm_eventhub_namespace',
  'azurerm_servicebus_namespace',
  'azurerm_notification_hub_namespace',
  'azurerm_storage_account',
  'azurerm_key_vault',
];

/** Whether an expression, following locals, contains a hash (what makes a name per fork). */
function dependsOnHash(module: TerraformModule, value: unknown, seen = new Set<string>()): boolean {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  if (/\b(sha256|sha1|md5|uuidv5)\(/.test(text)) return true;
  for (const [root, name] of namesIn(text)) {
    if (root === 'local' && name && !seen.has(name)) {
      seen.add(name);
      if (dependsOnHash(module, module.locals.get(name)?.value, seen)) return true;
    }
    if (root?.startsWith('random_')) return true;
  }
  return false;
}

/**
 * Every globally unique Azure name carries a stable per-fork suffix (a hash, e.g. of the
 * subscription, group and cell): with the defaults, two forks would otherwise ask for the same
 * <name>.azure-api.net and the second apply fails.
 */
export function azureGlobalNamesSuffixed(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const type of AZURE_GLOBAL_NAME_TYPES) {
    for (const [address, { body }] of blocksOfType(module, type)) {
      if (!dependsOnHash(module, body.name)) {
        problems.push(
          `${module.name}: ${address} name ${JSON.stringify(body.name)} is global across Azure but has no per-fork suffix (a hash of the subscription and cell)`,
        );
      }
    }
  }
  return problems;
}

function dependsOn(body: Body): string[] {
  return namesIn(body.depends_on).map((names) => names.slice(0, 2).join('.'));
}

/**
 * An API Management custom domain read from Key Vault comes after a role assignment that lets
 * API Management's own identity read it (Key Vault Secrets User): otherwise the identity the
 * same apply creates has no access, and the custom domain fails.
 */
export function apimCertificateReadableFirst(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'azurerm_api_management_custom_domain')) {
    if (!JSON.stringify(body).includes('key_vault_certificate_id')) continue;
    const grants = dependsOn(body).filter((dependency) => {
      const grant = module.resources.get(dependency)?.body;
      return (
        dependency.startsWith('azurerm_role_assignment.') &&
        grant?.role_definition_name === 'Key Vault Secrets User' &&
        namesIn(grant.principal_id).some(
          (names) => names[0] === 'azurerm_api_management' && names.includes('identity'),
        )
      );
    });
    if (grants.length === 0) {
      problems.push(
        `${module.name}: ${address} reads a Key Vault certificate but does not depend on a role assignment giving API Management's identity Key Vault Secrets User`,
      );
    }
  }
  return problems;
}

/**
 * Flex Consumption host storage that works with the pinned azurerm provider (4.55.0): the
 * identity-based storage_authentication_type values get a keyless AzureWebJobsStorage
 * connection string injected, which the host prefers (hashicorp/terraform-provider-azurerm#29693),
 * and an AzureWebJobsStorage app setting never converges (#29149, #33211). So: the
 * StorageAccountConnectionString type with storage_access_key, and no AzureWebJobsStorage
 * setting of our own.
 */
export function flexConsumptionStorageWorks(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'azurerm_function_app_flex_consumption')) {
    const where = `${module.name}: ${address}`;
    const type = resolveValue(module, body.storage_authentication_type);
    if (type !== 'StorageAccountConnectionString') {
      problems.push(
        `${where} uses storage_authentication_type ${JSON.stringify(type)}: with azurerm 4.55.0 only StorageAccountConnectionString works (hashicorp/terraform-provider-azurerm#29693)`,
      );
    } else if (body.storage_access_key === undefined) {
      problems.push(`${where} needs storage_access_key with StorageAccountConnectionString`);
    }
    const settings = [
      body.app_settings,
      ...namesIn(body.app_settings)
        .filter(([root]) => root === 'local')
        .map(([, name]) => module.locals.get(name ?? '')?.value),
    ];
    if (
      settings.some((value) =>
        /(^|[\s{,"])AzureWebJobsStorage"?\s*[=:]/.test(JSON.stringify(value ?? '')),
      )
    ) {
      problems.push(
        `${where} sets AzureWebJobsStorage in app_settings: the provider strips it on read and writes it on update, so every plan changes it (hashicorp/terraform-provider-azurerm#29149)`,
      );
    }
  }
  return problems;
}

/**
 * Every output read from another stack's state (terraform_remote_state) has a default, so a
 * plan made before that stack exists (a first deployment's pull request) works instead of
 * failing on a missing attribute.
 */
export function remoteStateReadsHaveDefaults(module: TerraformModule): string[] {
  const problems: string[] = [];
  const defaults = new Map<string, Set<string>>();
  for (const [address, { body }] of module.data) {
    if (!address.startsWith('terraform_remote_state.')) continue;
    const given = isBody(body.defaults) ? Object.keys(body.defaults) : [];
    defaults.set(address.split('.')[1] ?? '', new Set(given));
  }
  const values = [
    ...[...module.locals.values()].map(({ value }) => value),
    ...[...module.outputs.values()].map(({ body }) => body),
    ...[...module.resources.values(), ...module.modules.values()].map(({ body }) => body),
  ];
  const reported = new Set<string>();
  for (const value of values) {
    for (const names of namesIn(value)) {
      if (names[0] !== 'data' || names[1] !== 'terraform_remote_state' || names[3] !== 'outputs')
        continue;
      const [stack = '', output = ''] = [names[2], names[4]];
      if (!defaults.get(stack)?.has(output) && !reported.has(`${stack}.${output}`)) {
        reported.add(`${stack}.${output}`);
        problems.push(
          `${module.name}: data.terraform_remote_state.${stack} has no default for ${output}: the plan fails until that stack exists`,
        );
      }
    }
  }
  return problems;
}

/**
 * In a stack the workflows apply, the azurerm provider expects no more than the workflows'
 * identities have: roles on the bootstrap's resource groups only, so no resource provider
 * registration (resource_provider_registrations = "none") and no resource group of its own.
 */
export function azureStacksFitTheirIdentities(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const { body } of module.providers.get('azurerm') ?? []) {
    if (body.resource_provider_registrations !== 'none') {
      problems.push(
        `${module.name}: provider "azurerm" must set resource_provider_registrations = "none" (the workflows' identities cannot register resource providers; bootstrap/azure does)`,
      );
    }
    for (const key of ['client_secret', 'client_certificate', 'use_cli']) {
      if (body[key] !== undefined)
        problems.push(
          `${module.name}: provider "azurerm" sets ${key}; the workflows sign in with OIDC (ARM_USE_OIDC)`,
        );
    }
  }
  for (const [address] of blocksOfType(module, 'azurerm_resource_group')) {
    problems.push(
      `${module.name}: ${address}: the workflows' identities cannot create resource groups; read the one bootstrap/azure creates (data "azurerm_resource_group")`,
    );
  }
  return problems;
}

/**
 * Every role assumed by a service (the Lambda functions' roles) carries a permissions
 * boundary: bootstrap/aws's deploy role may only create roles with its boundary.
 */
export function serviceRolesCarryBoundary(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'aws_iam_role')) {
    const trust = namesIn(body.assume_role_policy)[0];
    const document =
      trust?.[0] === 'data' ? module.data.get(`${trust[1]}.${trust[2]}`)?.body : undefined;
    const byService = asBodies(document?.statement).some((statement) =>
      asBodies(statement.principals).some((principal) => principal.type === 'Service'),
    );
    if (byService && body.permissions_boundary === undefined) {
      problems.push(
        `${module.name}: ${address} has no permissions_boundary: the bootstrap's deploy role may not create it`,
      );
    }
  }
  return problems;
}
