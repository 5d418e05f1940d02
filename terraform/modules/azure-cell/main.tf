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
  unique_names = {
    api       = "${local.unique_stem}-api-${local.name_suffix}"
    functions = "${local.unique_stem}-functions-${local.name_suffix}"
    events    = "${local.unique_stem}-events-${local.name_suffix}"
    notify    = "${local.unique_stem}-notify-${local.name_suffix}"
  }

  # The secret behind a Key Vault certificate ID (https://<vault>.vault.azure.net/secrets/<name>[/<version>]):
  # API Management's identity gets read access to that secret only.

  containers = {
    documents   = "documents"
    dead_letter = "order-events-dead-letters"
    deployment  = "deployment-package"
  }

  # The settings functions/src/azure/config.ts validates at cold start. The functions reach
  # Blob Storage, Event Hubs and Notification Hubs with connection strings (SAS keys: Event
  # Hubs REST send and Notification Hubs have no other option in that code), and so does the
  # Functions host for its own storage (AzureWebJobsStorage, which the provider writes from
  # storage_access_key: see the Function App below). App settings are sensitive in the
  # provider and in state; see ADR 8 for the move to identity-based access.
  app_settings = merge(
    {
      CELL_NAME                    = "azure"
      PEER_CELL_NAME               = "aws"
      PEER_URL                     = var.peer_cell_url
      PEER_SHARED_KEY              = var.peer_shared_key
      APP_VERSION                  = var.app_version
      DOCUMENTS_STORAGE_CONNECTION = azurerm_storage_account.this.primary_connection_string
      DOCUMENTS_CONTAINER          = azurerm_storage_container.this["documents"].name
      DEAD_LETTER_CONTAINER        = azurerm_storage_container.this["dead_letter"].name
      ORDER_EVENTS_CONNECTION      = azurerm_eventhub_authorization_rule.functions.primary_connection_string
      ORDER_EVENTS_HUB             = azurerm_eventhub.order_events.name
      ORDER_EVENTS_CONSUMER_GROUP  = azurerm_eventhub_consumer_group.order_events.name
      NOTIFICATION_HUB_CONNECTION  = azurerm_notification_hub_authorization_rule.send.primary_connection_string
      NOTIFICATION_HUB_NAME        = azurerm_notification_hub.this.name
      AUTH_ISSUER                  = var.auth_issuer
      AUTH_AUDIENCE                = var.auth_audience
      AUTH_JWKS_URL                = var.auth_jwks_url
      AUTH_ADMIN_SCOPE             = var.auth_admin_scope
    },
    var.function_route_prefix == "" ? {} : { HTTP_ROUTE_PREFIX = var.function_route_prefix },
    var.app_settings,
  )

  # The methods API Management forwards to the Function App; the functions answer 404 for an
  # unknown path themselves, so one wildcard operation per method is enough.
  # (the same methods as the Functions catch-all route and API Gateway's ANY).
  api_methods = toset(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])

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
# Storage: data and dead-letter containers, the Functions host and its package
################################################################################

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
  # The functions' DOCUMENTS_STORAGE_CONNECTION and the host's AzureWebJobsStorage are
  # key-based connection strings.
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

resource "azurerm_storage_container" "this" {
  for_each = local.containers

  name                  = each.value
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
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
  # storage comes back when the provider stops injecting the setting (#29099).
  storage_container_type      = "blobContainer"
  storage_container_endpoint  = "${azurerm_storage_account.this.primary_blob_endpoint}${azurerm_storage_container.this["deployment"].name}"
  storage_authentication_type = "StorageAccountConnectionString"
  storage_access_key          = azurerm_storage_account.this.primary_access_key

  https_only                                     = true
  webdeploy_publish_basic_authentication_enabled = false

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.functions.id]
  }

  site_config {
    minimum_tls_version                    = "1.2"
    application_insights_connection_string = azurerm_application_insights.this.connection_string
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

################################################################################
# API Management (Consumption tier) in front of the Function App
################################################################################

resource "azurerm_api_management" "this" {
  name                = local.unique_names.api
  location            = var.location
  resource_group_name = var.resource_group_name
  publisher_name      = var.apim_publisher_name
  publisher_email     = var.apim_publisher_email

  # Consumption: created in minutes; the other tiers take 30-45 minutes.
  sku_name = "Consumption_0"

  identity {
    type = "SystemAssigned"
  }

  tags = local.tags
}

resource "azurerm_api_management_api" "this" {
  name                  = "${local.prefix}-cell"
  resource_group_name   = var.resource_group_name
  api_management_name   = azurerm_api_management.this.name
  revision              = "1"
  display_name          = "Cell ${var.name} (${var.environment})"
  description           = "Cart, orders and inventory of cell ${var.name}; version ${var.app_version}."
  path                  = ""
  protocols             = ["https"]
  service_url           = "https://${azurerm_function_app_flex_consumption.this.default_hostname}${var.function_route_prefix == "" ? "" : "/${var.function_route_prefix}"}"
  subscription_required = false
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
