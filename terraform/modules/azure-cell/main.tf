data "azurerm_client_config" "current" {}

locals {
  prefix = "${var.name}-${var.environment}"
  tags = merge(var.tags, {
    "multicloud:cell"        = var.name
    "multicloud:cloud"       = "azure"
    "multicloud:environment" = var.environment
  })

  # Names that must be unique across Azure (they become host names): a readable stem plus a
  # short hash of the subscription, resource group and cell, the same on every plan of this
  # cell and different for every fork. API Management (<name>.azure-api.net), the Function App
  # (<name>.azurewebsites.net) and the Event Hubs and Notification Hubs namespaces
  # (<name>.servicebus.windows.net) take 50 characters at most, storage accounts 24 lowercase
  # letters and digits.
  name_suffix          = substr(sha256("${data.azurerm_client_config.current.subscription_id}/${var.resource_group_name}/${local.prefix}"), 0, 6)
  unique_stem          = trimsuffix(substr(local.prefix, 0, 36), "-")
  storage_stem         = substr(replace(local.prefix, "/[^a-z0-9]/", ""), 0, 18)
  storage_account_name = coalesce(var.storage_account_name, "${local.storage_stem}${local.name_suffix}")
  # The account of the workload's documents (shared keys off), 24 characters at most.
  data_storage_account_name = "${substr(local.storage_stem, 0, 16)}da${local.name_suffix}"
  unique_names = {
    api       = "${local.unique_stem}-api-${local.name_suffix}"
    functions = "${local.unique_stem}-functions-${local.name_suffix}"
    events    = "${local.unique_stem}-events-${local.name_suffix}"
    notify    = "${local.unique_stem}-notify-${local.name_suffix}"
    # Key Vault: 3-24 letters, digits and single hyphens, starting with a letter.
    vault = "${trimsuffix(substr(replace(local.prefix, "/[^a-z0-9-]/", ""), 0, 15), "-")}-kv${local.name_suffix}"
  }

  # The workload's containers, in the data account; the Functions host's package stays in the
  # host account (see the Function App below).
  data_containers = {
    documents   = "documents"
    dead_letter = "order-events-dead-letters"
  }

  # Secrets the functions read as Key Vault references: Event Hubs' REST send and Notification
  # Hubs take SAS keys (Notification Hubs has no data-plane RBAC), so the keys live in Key Vault
  # and the app settings hold only references the platform resolves with the app's identity.
  # https://learn.microsoft.com/azure/app-service/app-service-key-vault-references
  secrets = {
    order-events-connection     = azurerm_eventhub_authorization_rule.functions.primary_connection_string
    replication-connection      = azurerm_eventhub_authorization_rule.replication.primary_connection_string
    notification-hub-connection = azurerm_notification_hub_authorization_rule.send.primary_connection_string
  }
  secret_reference = { for name, secret in azurerm_key_vault_secret.functions : name => "@Microsoft.KeyVault(SecretUri=${secret.versionless_id})" }

  # The peer key (ADR 17) is a secret the deployer wrote outside Terraform: the app setting
  # names it (VaultName/SecretName form of a Key Vault reference, the latest version), so the
  # key is in no plan or state of this module.
  peer_key_secret    = regex("^(?P<vault_id>/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.KeyVault/vaults/(?P<vault>[^/]+))/secrets/(?P<name>[^/]+)$", var.peer_shared_key_secret_id)
  peer_key_reference = "@Microsoft.KeyVault(VaultName=${local.peer_key_secret.vault};SecretName=${local.peer_key_secret.name})"

  # The settings functions/src/azure/config.ts validates at cold start. The documents are
  # reached with the functions' user-assigned identity (DOCUMENTS_STORAGE__*: the data account
  # has shared keys off); Event Hubs and Notification Hubs with SAS connection strings that are
  # Key Vault references. The Functions host reaches its own storage with the host account's
  # key (AzureWebJobsStorage, which the provider writes from storage_access_key). The timer
  # trigger renewInventoryLeases runs every INVENTORY_LEASE_RENEW_MS (ADR 25).
  app_settings = merge(
    {
      CELL_NAME                         = "azure"
      PEER_CELL_NAME                    = "aws"
      PEER_URL                          = var.peer_cell_url
      PEER_SHARED_KEY                   = local.peer_key_reference
      APP_VERSION                       = var.app_version
      DOCUMENTS_STORAGE__blobServiceUri = azurerm_storage_account.data.primary_blob_endpoint
      DOCUMENTS_STORAGE__clientId       = azurerm_user_assigned_identity.functions.client_id
      DOCUMENTS_CONTAINER               = azurerm_storage_container.data["documents"].name
      DEAD_LETTER_CONTAINER             = azurerm_storage_container.data["dead_letter"].name
      ORDER_EVENTS_CONNECTION           = local.secret_reference["order-events-connection"]
      ORDER_EVENTS_HUB                  = azurerm_eventhub.order_events.name
      ORDER_EVENTS_CONSUMER_GROUP       = azurerm_eventhub_consumer_group.order_events.name
      REPLICATION_HUB                   = azurerm_eventhub.replication.name
      REPLICATION_CONNECTION            = local.secret_reference["replication-connection"]
      NOTIFICATION_HUB_CONNECTION       = local.secret_reference["notification-hub-connection"]
      NOTIFICATION_HUB_NAME             = azurerm_notification_hub.this.name
      AUTH_ISSUER                       = var.auth_issuer
      AUTH_AUDIENCE                     = var.auth_audience
      AUTH_JWKS_URL                     = var.auth_jwks_url
      AUTH_ADMIN_SCOPE                  = var.auth_admin_scope
      INVENTORY_LEASE_MS                = tostring(var.inventory_lease_ms)
      INVENTORY_LEASE_RENEW_MS          = tostring(var.inventory_lease_renew_ms)
      INVENTORY_LEASE_MARGIN_MS         = tostring(var.inventory_lease_margin_ms)
      INVENTORY_LEASE_BUDGET            = tostring(var.inventory_lease_budget)
    },
    var.function_route_prefix == "" ? {} : { HTTP_ROUTE_PREFIX = var.function_route_prefix },
    var.app_settings,
  )

  # The methods API Management forwards to the Function App; the functions answer 404 for an
  # unknown path themselves, so one wildcard operation per method is enough.
  # (the same methods as the Functions catch-all route and API Gateway's ANY).
  api_methods = toset(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])

  # The issuer's values as they go into the API policy's XML (attribute and element text).
  xml = { for name, value in {
    issuer            = var.auth_issuer
    audience          = var.auth_audience
    openid_config_url = "${trimsuffix(var.auth_issuer, "/")}/.well-known/openid-configuration"
  } : name => replace(replace(replace(replace(replace(value, "&", "&amp;"), "<", "&lt;"), ">", "&gt;"), "\"", "&quot;"), "'", "&apos;") }

  # API Management's own host: Front Door's origin. The cell's own URL is its name on Front
  # Door (cell_domain_name), since API Management answers nothing that does not come through it.
  origin_hostname = trimprefix(azurerm_api_management.this.gateway_url, "https://")
  cell_hostname   = coalesce(var.cell_domain_name, local.origin_hostname)
  base_url        = "https://${local.cell_hostname}"
}

################################################################################
# Identity of the functions
################################################################################

resource "azurerm_user_assigned_identity" "functions" {
  name                = "${local.prefix}-functions"
  location            = var.location
  resource_group_name = var.resource_group_name

  tags = local.tags
}

################################################################################
# Storage: the host account (Functions host state, the package) and the data account
################################################################################

# The Functions host's own storage and the deployment package. Key-based: with the pinned
# provider the Function App cannot use an identity for it (see the Function App below). It
# holds no customer data.
resource "azurerm_storage_account" "this" {
  name                     = local.storage_account_name
  location                 = var.location
  resource_group_name      = var.resource_group_name
  account_kind             = "StorageV2"
  account_tier             = "Standard"
  account_replication_type = var.storage_replication_type

  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  # The host's AzureWebJobsStorage is a key-based connection string.
  shared_access_key_enabled        = true
  default_to_oauth_authentication  = true
  cross_tenant_replication_enabled = false

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = 7
    }

    container_delete_retention_policy {
      days = 7
    }
  }

  tags = local.tags
}

resource "azurerm_storage_container" "deployment" {
  name                  = "deployment-package"
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

# Carts, orders, stock and parked events. No key opens it: Entra ID only, and the functions'
# identity holds a data role on its two containers and nothing else.
# https://learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent
resource "azurerm_storage_account" "data" {
  name                     = local.data_storage_account_name
  location                 = var.location
  resource_group_name      = var.resource_group_name
  account_kind             = "StorageV2"
  account_tier             = "Standard"
  account_replication_type = var.storage_replication_type

  min_tls_version                  = "TLS1_2"
  https_traffic_only_enabled       = true
  allow_nested_items_to_be_public  = false
  shared_access_key_enabled        = false
  default_to_oauth_authentication  = true
  cross_tenant_replication_enabled = false
  local_user_enabled               = false

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = 7
    }

    container_delete_retention_policy {
      days = 7
    }
  }

  tags = local.tags
}

resource "azurerm_storage_container" "data" {
  for_each = local.data_containers

  name                  = each.value
  storage_account_id    = azurerm_storage_account.data.id
  container_access_type = "private"
}

# Read and write blobs of one container: documents for carts, orders and stock, the dead
# letters for parked events. Scoped to the container, so no other container, and nothing of
# the host account (its package above), is the identity's to change.
# https://learn.microsoft.com/azure/storage/blobs/assign-azure-role-data-access
resource "azurerm_role_assignment" "functions_data" {
  for_each = azurerm_storage_container.data

  scope                = each.value.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.functions.principal_id
  principal_type       = "ServicePrincipal"
}

################################################################################
# Secrets: Key Vault for the Event Hubs and Notification Hubs connection strings
################################################################################

resource "azurerm_key_vault" "this" {
  name                = local.unique_names.vault
  location            = var.location
  resource_group_name = var.resource_group_name
  tenant_id           = data.azurerm_client_config.current.tenant_id
  sku_name            = "standard"

  # Azure RBAC, so each reader gets one secret, not the whole vault.
  rbac_authorization_enabled = true
  soft_delete_retention_days = 7
  purge_protection_enabled   = false

  tags = local.tags
}

# Whoever applies (the deploy identity) writes the secrets: Key Vault Secrets Officer on this
# vault only. bootstrap/azure lets the deploy identity assign that role, to service principals.
resource "azurerm_role_assignment" "deployer_secrets" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
  principal_type       = "ServicePrincipal"
}

# Azure RBAC changes take minutes to apply everywhere: writing a secret at once can fail with
# 403 (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected).
resource "terraform_data" "deployer_secrets_access" {
  triggers_replace = [azurerm_role_assignment.deployer_secrets.id]

  provisioner "local-exec" {
    command = "sleep 120"
  }
}

resource "azurerm_key_vault_secret" "functions" {
  for_each = local.secrets

  name         = each.key
  value        = each.value
  key_vault_id = azurerm_key_vault.this.id
  content_type = "connection string"

  depends_on = [terraform_data.deployer_secrets_access]
}

# The Function App resolves Key Vault references with its system-assigned identity: the
# Flex Consumption resource of the pinned provider cannot name a user-assigned one
# (keyVaultReferenceIdentity; hashicorp/terraform-provider-azurerm#31439). Secrets User on each
# of its secrets (the two hubs' and the notification hub's connection strings), nothing else of the vault.
resource "azurerm_role_assignment" "functions_secrets" {
  for_each = azurerm_key_vault_secret.functions

  scope                = "${azurerm_key_vault.this.id}/secrets/${each.value.name}"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_function_app_flex_consumption.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

# The plan identity refreshes the same secrets in every plan: Secrets User on each of them,
# not on the vault or the group (which also holds the peer key's vault, ADR 17).
resource "azurerm_role_assignment" "plan_secrets" {
  for_each = var.plan_principal_id == null ? {} : azurerm_key_vault_secret.functions

  scope                = "${azurerm_key_vault.this.id}/secrets/${each.value.name}"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = var.plan_principal_id
  principal_type       = "ServicePrincipal"
}

# The same for the peer key the deployer keeps (ADR 17): Secrets User on that one secret.
resource "azurerm_role_assignment" "functions_peer_key" {
  scope                = "${local.peer_key_secret.vault_id}/secrets/${local.peer_key_secret.name}"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_function_app_flex_consumption.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

################################################################################
# Events: Event Hubs namespace, hub and consumer group
################################################################################

resource "azurerm_eventhub_namespace" "this" {
  name                = local.unique_names.events
  location            = var.location
  resource_group_name = var.resource_group_name
  sku                 = "Standard"
  capacity            = 1

  # SAS stays on: the functions send over the Event Hubs REST API with a SAS token.
  local_authentication_enabled = true
  minimum_tls_version          = "1.2"

  tags = local.tags
}

resource "azurerm_eventhub" "order_events" {
  name              = "order-events"
  namespace_id      = azurerm_eventhub_namespace.this.id
  partition_count   = var.eventhub_partition_count
  message_retention = var.eventhub_message_retention_in_days
}

resource "azurerm_eventhub_consumer_group" "order_events" {
  name                = "order-events-consumer"
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.order_events.name
  resource_group_name = var.resource_group_name
}

# Send and listen on this hub only (the functions publish order events and consume them). No
# Manage: it would let the functions change the hub and read its keys. Their /health reports
# the queue from the last publish instead of reading the hub (which needs Manage).
resource "azurerm_eventhub_authorization_rule" "functions" {
  name                = "functions-send-listen"
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.order_events.name
  resource_group_name = var.resource_group_name
  send                = true
  listen              = true
  manage              = false
}

################################################################################
# Replication: the hub of replica.changed events (ADR 23), in the same namespace
################################################################################

# The replication trigger is registered with maxRetryCount -1: a batch the peer does not take
# is retried indefinitely without checkpointing (functions/src/azure/cell.ts), so its events
# wait in the hub, as long as the hub keeps them: message_retention, in days (1 to 7 on the
# Standard tier), is the outage replication can wait out.
# https://learn.microsoft.com/azure/azure-functions/functions-bindings-error-pages#retry-policies
# https://learn.microsoft.com/azure/event-hubs/event-hubs-quotas
# https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/eventhub
resource "azurerm_eventhub" "replication" {
  name              = "replication"
  namespace_id      = azurerm_eventhub_namespace.this.id
  partition_count   = var.eventhub_partition_count
  message_retention = ceil(var.replication_outage_hours / 24)
}

# The app registers both triggers with the consumer group ORDER_EVENTS_CONSUMER_GROUP names, so
# the replication hub has one of the same name (each hub has its own consumer groups).
# https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/eventhub_consumer_group
resource "azurerm_eventhub_consumer_group" "replication" {
  name                = azurerm_eventhub_consumer_group.order_events.name
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.replication.name
  resource_group_name = var.resource_group_name
}

# Send and listen on the replication hub only (REPLICATION_CONNECTION): a rule of one hub opens
# that hub and no other, so the order events' rule does not cover this one. No Manage.
# https://learn.microsoft.com/azure/event-hubs/authorize-access-shared-access-signature
resource "azurerm_eventhub_authorization_rule" "replication" {
  name                = "functions-send-listen"
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.replication.name
  resource_group_name = var.resource_group_name
  send                = true
  listen              = true
  manage              = false
}

################################################################################
# Notifications: Notification Hubs namespace and hub (push only)
################################################################################

resource "azurerm_notification_hub_namespace" "this" {
  name                = local.unique_names.notify
  location            = var.location
  resource_group_name = var.resource_group_name
  namespace_type      = "NotificationHub"
  sku_name            = var.notification_hub_sku

  tags = local.tags
}

resource "azurerm_notification_hub" "this" {
  name                = "${local.prefix}-customers"
  location            = var.location
  resource_group_name = var.resource_group_name
  namespace_name      = azurerm_notification_hub_namespace.this.name

  tags = local.tags
}

# Notification Hubs has no data-plane RBAC: the functions get a send-only SAS rule. Their /health
# reports the notifier from the last notification sent (reading the hub needs Manage).
resource "azurerm_notification_hub_authorization_rule" "send" {
  name                  = "functions-send"
  notification_hub_name = azurerm_notification_hub.this.name
  namespace_name        = azurerm_notification_hub_namespace.this.name
  resource_group_name   = var.resource_group_name
  send                  = true
  listen                = false
  manage                = false
}

################################################################################
# Monitoring: Log Analytics workspace and Application Insights
################################################################################

resource "azurerm_log_analytics_workspace" "this" {
  name                = "${local.prefix}-logs"
  location            = var.location
  resource_group_name = var.resource_group_name
  sku                 = "PerGB2018"
  retention_in_days   = var.log_retention_in_days

  tags = local.tags
}

resource "azurerm_application_insights" "this" {
  name                = "${local.prefix}-insights"
  location            = var.location
  resource_group_name = var.resource_group_name
  workspace_id        = azurerm_log_analytics_workspace.this.id
  application_type    = "Node.JS"

  tags = local.tags
}

################################################################################
# Functions: Linux Function App on the Flex Consumption plan, deployed from the package
################################################################################

resource "azurerm_service_plan" "this" {
  name                = "${local.prefix}-plan"
  location            = var.location
  resource_group_name = var.resource_group_name
  os_type             = "Linux"
  sku_name            = "FC1"

  tags = local.tags
}

resource "azurerm_function_app_flex_consumption" "this" {
  name                = local.unique_names.functions
  location            = var.location
  resource_group_name = var.resource_group_name
  service_plan_id     = azurerm_service_plan.this.id

  runtime_name           = "node"
  runtime_version        = var.node_version
  maximum_instance_count = var.function_maximum_instance_count
  instance_memory_in_mb  = var.function_instance_memory_in_mb

  # Host and deployment storage through the account key. With the pinned provider (4.55.0)
  # the identity-based types do not work: for SystemAssignedIdentity and UserAssignedIdentity
  # it still writes an AzureWebJobsStorage connection string with an empty AccountKey, which
  # the host prefers to the AzureWebJobsStorage__* identity settings, so the app cannot reach
  # its storage (hashicorp/terraform-provider-azurerm#29693). The workaround of setting
  # AzureWebJobsStorage = "" in app_settings never converges: the provider strips that key on
  # read and writes it again on update, so every plan shows a change (#29149, #33211). With
  # StorageAccountConnectionString the provider writes the full connection string from
  # storage_access_key, reads the key back from it, and plans converge. Identity-based host
  # storage comes back when the provider stops injecting the setting (#29099). Until then the
  # key is in the app's settings, so code running in the app could replace the package with
  # it (ADR 14): the customer data lives in the keyless data account instead.
  storage_container_type      = "blobContainer"
  storage_container_endpoint  = "${azurerm_storage_account.this.primary_blob_endpoint}${azurerm_storage_container.deployment.name}"
  storage_authentication_type = "StorageAccountConnectionString"
  storage_access_key          = azurerm_storage_account.this.primary_access_key

  https_only                                     = true
  webdeploy_publish_basic_authentication_enabled = false

  # User-assigned: the functions' own identity (the data containers). System-assigned: what
  # the platform resolves Key Vault references with (the two secrets).
  identity {
    type         = "SystemAssigned, UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.functions.id]
  }

  site_config {
    minimum_tls_version                    = "1.2"
    application_insights_connection_string = azurerm_application_insights.this.connection_string

    # Only API Management reaches the functions: its public IP addresses (static and its own
    # in the classic tiers) are allowed, everything else is denied, so nobody can go around
    # its token check and rate limit through <app>.azurewebsites.net.
    # https://learn.microsoft.com/azure/app-service/app-service-ip-restrictions
    # https://learn.microsoft.com/azure/api-management/api-management-howto-ip-addresses
    # The deployment endpoint (scm) keeps its own rules: the package is published to it from
    # a runner whose address is not known, and it takes only Entra ID tokens (basic auth off).
    ip_restriction_default_action     = "Deny"
    scm_use_main_ip_restriction       = false
    scm_ip_restriction_default_action = "Allow"

    dynamic "ip_restriction" {
      for_each = azurerm_api_management.this.public_ip_addresses

      content {
        name        = "api-management-${ip_restriction.key}"
        description = "API Management ${azurerm_api_management.this.name}"
        ip_address  = "${ip_restriction.value}/32"
        action      = "Allow"
        priority    = 100 + ip_restriction.key
      }
    }
  }

  app_settings = local.app_settings

  tags = local.tags
}

# The package is published with OneDeploy (`az functionapp deployment source config-zip`
# detects Flex Consumption and POSTs to /api/publish with an Entra ID token). The provider's
# own zip_deploy_file posts to /api/zipdeploy, which Flex Consumption does not serve
# (hashicorp/terraform-provider-azurerm#29630, open in 4.55.0). Values reach the shell through
# the environment, never interpolated into the command. A new package hash is a new deploy.
#
# In a GitHub job that signs Terraform in with OIDC (ARM_USE_OIDC=true), the CLI is signed in
# again first, with a GitHub ID token fetched now: azure/login signed it in at the start of the
# job with a token that expires within minutes, and the CLI cannot refresh its Entra token from
# it an hour or more later (Azure/azure-cli#28708). Elsewhere (a person's `az login`) the CLI
# is used as it is.
resource "terraform_data" "package" {
  triggers_replace = {
    function_app = azurerm_function_app_flex_consumption.this.id
    package      = filesha256(var.artifact_path)
  }

  # The app's identities need their roles before it runs: the deploy restarts it, and the
  # restart resolves the Key Vault references again.
  depends_on = [terraform_data.functions_access]

  provisioner "local-exec" {
    command = <<-EOT
      set -eu
      if [ "$${ARM_USE_OIDC:-}" = "true" ] && [ -n "$${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ]; then
        response=$(curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange")
        token=$(printf '%s' "$response" | jq -r '.value // empty')
        if [ -z "$token" ]; then
          echo "GitHub returned no ID token: cannot sign the Azure CLI in to deploy the package" >&2
          exit 1
        fi
        az login --service-principal --username "$ARM_CLIENT_ID" --tenant "$ARM_TENANT_ID" --federated-token "$token" --allow-no-subscriptions --output none
        az account set --subscription "$ARM_SUBSCRIPTION_ID"
      fi
      az functionapp deployment source config-zip --resource-group "$RESOURCE_GROUP" --name "$FUNCTION_APP" --src "$PACKAGE"
    EOT

    environment = {
      RESOURCE_GROUP = var.resource_group_name
      FUNCTION_APP   = azurerm_function_app_flex_consumption.this.name
      PACKAGE        = abspath(var.artifact_path)
    }
  }
}

# The roles the app's identities use at start (data containers, secrets) take minutes to apply
# everywhere (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected):
# wait before the package deploy starts the functions.
resource "terraform_data" "functions_access" {
  triggers_replace = concat(
    [for assignment in azurerm_role_assignment.functions_data : assignment.id],
    [for assignment in azurerm_role_assignment.functions_secrets : assignment.id],
    [azurerm_role_assignment.functions_peer_key.id],
  )

  provisioner "local-exec" {
    command = "sleep 120"
  }
}

################################################################################
# API Management in front of the Function App
################################################################################

resource "azurerm_api_management" "this" {
  name                = local.unique_names.api
  location            = var.location
  resource_group_name = var.resource_group_name
  publisher_name      = var.apim_publisher_name
  publisher_email     = var.apim_publisher_email

  # A classic tier: rate-limit-by-key (a limit per token subject) is not available in the
  # Consumption tier, and only the classic tiers have public IP addresses of their own, which
  # the Function App's access restriction allows. Creating one takes 30-45 minutes.
  # https://learn.microsoft.com/azure/api-management/rate-limit-by-key-policy
  # https://learn.microsoft.com/azure/api-management/api-management-howto-ip-addresses
  sku_name = var.apim_sku_name

  identity {
    type = "SystemAssigned"
  }

  tags = local.tags
}

resource "azurerm_api_management_api" "this" {
  name                = "${local.prefix}-cell"
  resource_group_name = var.resource_group_name
  api_management_name = azurerm_api_management.this.name
  revision            = "1"
  display_name        = "Cell ${var.name} (${var.environment})"
  description         = "Cart, orders and inventory of cell ${var.name}; version ${var.app_version}."
  path                = ""
  protocols           = ["https"]
  service_url         = "https://${azurerm_function_app_flex_consumption.this.default_hostname}${var.function_route_prefix == "" ? "" : "/${var.function_route_prefix}"}"
  # No subscription keys: the bearer token is the client's credential (validate-jwt below),
  # and a key shared by every shop client would add nothing a token does not already prove.
  subscription_required = false
}

resource "azurerm_api_management_api_policy" "this" {
  api_name            = azurerm_api_management_api.this.name
  api_management_name = azurerm_api_management.this.name
  resource_group_name = var.resource_group_name

  xml_content = templatefile("${path.module}/policies/api.xml.tftpl", {
    issuer                    = local.xml.issuer
    audience                  = local.xml.audience
    openid_config_url         = local.xml.openid_config_url
    clock_skew_seconds        = 60
    rate_limit_calls          = var.client_rate_limit.calls
    address_rate_limit_calls  = var.client_rate_limit.calls_per_address
    rate_limit_renewal_period = var.client_rate_limit.renewal_period_seconds
  })
}

resource "azurerm_api_management_api_operation" "this" {
  for_each = local.api_methods

  operation_id        = "${lower(each.value)}-any"
  api_name            = azurerm_api_management_api.this.name
  api_management_name = azurerm_api_management.this.name
  resource_group_name = var.resource_group_name
  display_name        = "${each.value} /*"
  method              = each.value
  url_template        = "/*"
}

# API Management accepts only what comes through this project's Front Door profile (ADR 16),
# at the service scope (All APIs), so no API's own policy can leave it out. Both checks are
# the ones Microsoft documents for this ("Configure Front Door Standard/Premium in front of
# Azure API Management", Restrict incoming traffic): the X-Azure-FDID header must carry this
# profile's ID (any Front Door sends the header; only ours sends our ID), and the caller must be
# in Front Door's backend address space (service tag AzureFrontDoor.Backend) or the Azure
# platform addresses 168.63.129.16 and 169.254.169.254. Without a front_door_id yet (a first
# deploy, before the global stack) every call is refused: closed, not open.
data "azurerm_network_service_tags" "front_door" {
  location = var.location
  service  = "AzureFrontDoor.Backend"
}

locals {
  # ip-filter takes ranges, not CIDRs; APIM's ip-filter matches IPv4 addresses.
  front_door_ipv4_ranges = [
    for prefix in data.azurerm_network_service_tags.front_door.address_prefixes :
    { from = cidrhost(prefix, 0), to = cidrhost(prefix, -1) } if !strcontains(prefix, ":")
  ]
  front_door_only_policy = var.front_door_id == null ? local.closed_policy : local.front_door_policy

  front_door_policy = <<-XML
    <policies>
      <inbound>
        <ip-filter action="allow">
    %{~for range in local.front_door_ipv4_ranges}
          <address-range from="${range.from}" to="${range.to}" />
    %{~endfor}
          <address>168.63.129.16</address>
          <address>169.254.169.254</address>
        </ip-filter>
        <check-header name="X-Azure-FDID" failed-check-httpcode="403" failed-check-error-message="Only requests through this application's Front Door are accepted." ignore-case="true">
          <value>${coalesce(var.front_door_id, "none")}</value>
        </check-header>
      </inbound>
      <backend>
        <forward-request />
      </backend>
      <outbound />
      <on-error />
    </policies>
  XML

  closed_policy = <<-XML
    <policies>
      <inbound>
        <return-response>
          <set-status code="403" reason="Forbidden" />
          <set-body>No Front Door is configured for this cell yet: apply the global stack, then this one with its front_door_id.</set-body>
        </return-response>
      </inbound>
      <backend>
        <forward-request />
      </backend>
      <outbound />
      <on-error />
    </policies>
  XML
}

resource "azurerm_api_management_policy" "front_door_only" {
  api_management_id = azurerm_api_management.this.id
  xml_content       = local.front_door_only_policy
}
