data "azurerm_client_config" "current" {}

locals {
  # Storage account names are global: a readable stem and a hash of the subscription and group.
  state_account_suffix       = substr(sha256("${var.subscription_id}/${var.state_resource_group_name}"), 0, 8)
  state_storage_account_name = coalesce(var.state_storage_account_name, "${substr(replace(var.name, "-", ""), 0, 14)}tf${local.state_account_suffix}")

  # GitHub's OIDC issuer, and the audience azure/login (and the azurerm provider with
  # ARM_USE_OIDC) ask GitHub for: Entra ID's token exchange.
  # https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-create-trust-user-assigned-managed-identity
  github_issuer   = "https://token.actions.githubusercontent.com"
  github_audience = "api://AzureADTokenExchange"

  # A federated credential matches the token's `sub` exactly (no wildcard); one credential per
  # subject. The subjects GitHub issues (docs.github.com, "About security hardening with OpenID
  # Connect", "Example subject claims"): environment jobs get repo:<r>:environment:<name>,
  # other pull_request jobs repo:<r>:pull_request, other branch runs repo:<r>:ref:refs/heads/<b>.
  # https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims
  plan_subjects = {
    pull-request   = "repo:${var.github_repository}:pull_request"
    default-branch = "repo:${var.github_repository}:ref:refs/heads/${var.github_default_branch}"
  }
  deploy_subjects = {
    environment = "repo:${var.github_repository}:environment:${var.github_environment}"
  }

  # The list actions the azurerm provider (4.55.0) makes when it reads the cell's resources and
  # that Reader lacks (internal/services/... in the provider's source at v4.55.0):
  # - eventhub_authorization_rule_resource.go and notification_hub_authorization_rule_resource.go
  #   fail their read without listKeys;
  # - function_app_flex_consumption_resource.go lists app settings, connection strings and
  #   publishing credentials (POST .../config/*/list);
  # - storage_account_resource.go reads without listKeys (it ignores a 403), but then the keys
  #   it exports are empty and the Function App settings built from them show as changed.
  cell_key_actions = [
    "Microsoft.Storage/storageAccounts/listKeys/action",
    "Microsoft.EventHub/namespaces/eventhubs/authorizationRules/listKeys/action",
    "Microsoft.NotificationHubs/Namespaces/NotificationHubs/authorizationRules/listkeys/action",
    "Microsoft.Web/sites/config/list/action",
  ]

  # Role Based Access Control Administrator, limited by an ABAC condition to assigning (and
  # removing) the listed roles to service principals: the delegation pattern Microsoft
  # documents, and the azurerm provider's own ABAC example.
  # https://learn.microsoft.com/en-us/azure/role-based-access-control/delegate-role-assignments-examples#example-constrain-roles-and-principal-types
  # https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs/resources/role_assignment#example-usage-abac-condition
  assignable_roles               = join(", ", var.deploy_assignable_role_ids)
  delegation_condition           = <<-EOT
    (
     (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})
     )
     OR
     (
      @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${local.assignable_roles}}
      AND
      @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}
     )
    )
    AND
    (
     (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})
     )
     OR
     (
      @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${local.assignable_roles}}
      AND
      @Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}
     )
    )
  EOT
  key_vault_delegation_condition = replace(local.delegation_condition, local.assignable_roles, "4633458b-17de-408a-b874-0445c86b69e6")
}

################################################################################
# Resource groups: the state and identities, and the two the stacks deploy into
################################################################################

resource "azurerm_resource_group" "state" {
  name     = var.state_resource_group_name
  location = var.location

  tags = var.tags
}

# The stacks deploy into these groups and the identities hold roles on them only (nothing at
# subscription scope), so they exist before the first plan.
resource "azurerm_resource_group" "cell" {
  name     = var.cell_resource_group_name
  location = var.location

  tags = var.tags
}

resource "azurerm_resource_group" "global" {
  name     = var.global_resource_group_name
  location = var.location

  tags = var.tags
}

################################################################################
# State: storage account (Entra ID only, versioned, soft delete) and container
################################################################################

resource "azurerm_storage_account" "state" {
  name                     = local.state_storage_account_name
  resource_group_name      = azurerm_resource_group.state.name
  location                 = azurerm_resource_group.state.location
  account_kind             = "StorageV2"
  account_tier             = "Standard"
  account_replication_type = var.state_replication_type

  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  allow_nested_items_to_be_public   = false
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  cross_tenant_replication_enabled  = false
  infrastructure_encryption_enabled = true

  blob_properties {
    versioning_enabled  = true
    change_feed_enabled = true

    delete_retention_policy {
      days = var.state_retention_days
    }

    container_delete_retention_policy {
      days = var.state_retention_days
    }
  }

  tags = var.tags
}

resource "azurerm_storage_container" "state" {
  name                  = var.state_container_name
  storage_account_id    = azurerm_storage_account.state.id
  container_access_type = "private"
}

################################################################################
# Identities: user-assigned managed identities with GitHub federated credentials
################################################################################

# Managed identities need no Entra ID app registration (no Graph permission for the
# administrator), carry no secret, and azure/login and the azurerm provider sign in as one
# with its client ID exactly as with an app.
# https://learn.microsoft.com/en-us/azure/developer/github/connect-from-azure-openid-connect
resource "azurerm_user_assigned_identity" "plan" {
  name                = "${var.name}-github-plan"
  location            = azurerm_resource_group.state.location
  resource_group_name = azurerm_resource_group.state.name

  tags = var.tags
}

resource "azurerm_user_assigned_identity" "deploy" {
  name                = "${var.name}-github-deploy"
  location            = azurerm_resource_group.state.location
  resource_group_name = azurerm_resource_group.state.name

  tags = var.tags
}

resource "azurerm_federated_identity_credential" "plan" {
  for_each = local.plan_subjects

  name                = "${var.name}-plan-${each.key}"
  resource_group_name = azurerm_resource_group.state.name
  parent_id           = azurerm_user_assigned_identity.plan.id
  issuer              = local.github_issuer
  audience            = [local.github_audience]
  subject             = each.value
}

resource "azurerm_federated_identity_credential" "deploy" {
  for_each = local.deploy_subjects

  name                = "${var.name}-deploy-${each.key}"
  resource_group_name = azurerm_resource_group.state.name
  parent_id           = azurerm_user_assigned_identity.deploy.id
  issuer              = local.github_issuer
  audience            = [local.github_audience]
  subject             = each.value
}

################################################################################
# Plan identity: reads the state (no lease: plans run with -lock=false) and the configuration
################################################################################

resource "azurerm_role_assignment" "plan_state" {
  scope                = azurerm_storage_container.state.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.plan.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "plan_read" {
  for_each = {
    cell   = azurerm_resource_group.cell.id
    global = azurerm_resource_group.global.id
  }

  scope                = each.value
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.plan.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_definition" "plan_cell_keys" {
  count = var.plan_reads_cell_keys ? 1 : 0

  name        = "${var.name} plan: list the cell's keys"
  scope       = azurerm_resource_group.cell.id
  description = "The list actions the azurerm provider needs to refresh the cell's key-based settings; the same keys are in the azure stack's state."

  permissions {
    actions = local.cell_key_actions
  }

  assignable_scopes = [azurerm_resource_group.cell.id]
}

# No Key Vault role here: the cell's vault holds the two hub connection strings a plan must
# refresh, but the same group holds the vault of the peer key (ADR 17), and a Key Vault role
# takes no condition to leave one secret out (Azure ABAC covers Blob and Queue data actions
# only: https://learn.microsoft.com/azure/role-based-access-control/conditions-format). The
# cell module grants the plan identity Secrets User on its own two secrets instead
# (plan_principal_id, output below).

resource "azurerm_role_assignment" "plan_cell_keys" {
  count = var.plan_reads_cell_keys ? 1 : 0

  scope              = azurerm_resource_group.cell.id
  role_definition_id = azurerm_role_definition.plan_cell_keys[0].role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.plan.principal_id
  principal_type     = "ServicePrincipal"
}

################################################################################
# Deploy identity: writes the state (with the blob lease lock) and the two resource groups
################################################################################

resource "azurerm_role_assignment" "deploy_state" {
  scope                = azurerm_storage_container.state.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

# Contributor on the groups the stacks deploy into (the global group's Front Door origins are
# also what traffic-shift writes); nothing else in the subscription.
resource "azurerm_role_assignment" "deploy_contributor" {
  for_each = {
    cell   = azurerm_resource_group.cell.id
    global = azurerm_resource_group.global.id
  }

  scope                = each.value
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_cell_role_assignments" {
  scope                = azurerm_resource_group.cell.id
  role_definition_name = "Role Based Access Control Administrator"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
  description          = "Assign only the cell's data roles, only to service principals."
  condition_version    = "2.0"
  condition            = local.delegation_condition
}

resource "azurerm_role_assignment" "deploy_key_vault_role_assignments" {
  count = var.custom_domain_key_vault_id != null ? 1 : 0

  scope                = var.custom_domain_key_vault_id
  role_definition_name = "Role Based Access Control Administrator"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
  description          = "Grant API Management's identity Key Vault Secrets User on the custom domain's certificate, nothing else."
  condition_version    = "2.0"
  condition            = local.key_vault_delegation_condition
}
