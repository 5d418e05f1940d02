################################################################################
# Cell contract: the same variables as modules/aws-cell
################################################################################

variable "name" {
  description = "Name of the cell, used as the prefix of every resource name (lowercase letters, digits and hyphens)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment the cell belongs to (for example dev, staging, prod); added to names and tags."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,9}$", var.environment))
    error_message = "environment must be 1-10 lowercase letters or digits, starting with a letter."
  }
}

variable "app_version" {
  description = "Version of the function code being deployed (for example a git SHA or a release tag); reported by GET /health."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.+-]{1,64}$", var.app_version))
    error_message = "app_version must be 1-64 letters, digits, '.', '_', '+' or '-' (e.g. a git SHA or 1.4.0+abc1234): what the functions accept in APP_VERSION."
  }
}

variable "artifact_path" {
  description = "The Azure Functions package zip that `npm run build:functions` writes (functions/build/azure.zip: host.json, package.json and the bundled code)."
  type        = string

  validation {
    condition     = fileexists(var.artifact_path)
    error_message = "artifact_path must be the Functions package zip (functions/build/azure.zip): run `npm run build:functions` first."
  }
}

variable "peer_cell_url" {
  description = "Base URL of the other cloud's cell (its base_url output); requests for IDs homed in that cell are forwarded there. The functions refuse to start without it."
  type        = string

  validation {
    condition     = can(regex("^https://[^\\s/]+", var.peer_cell_url))
    error_message = "peer_cell_url must be an https:// URL (the peer cell's base_url output)."
  }
}

variable "peer_shared_key_secret_id" {
  description = "The resource ID of the Key Vault secret that holds the key both cells sign their calls to each other with (HMAC-SHA256, ADR 17; base64 of at least 32 bytes), created by the deployer outside Terraform (docs/deploying.md), so the key is in no plan or state. The functions get PEER_SHARED_KEY as a Key Vault reference to it, with Key Vault Secrets User on this secret only, and refuse to start when it does not resolve."
  type        = string

  validation {
    condition     = can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.KeyVault/vaults/[A-Za-z0-9-]{3,24}/secrets/[A-Za-z0-9-]{1,127}$", var.peer_shared_key_secret_id))
    error_message = "peer_shared_key_secret_id must be a Key Vault secret's resource ID, /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<vault>/secrets/<name> (without a version)."
  }
}

variable "replication_outage_hours" {
  description = "How long a peer outage replication waits out without losing a change (ADR 23), in hours: 1 to 168. On AWS the replication queue retries a failed delivery once per visibility timeout, at most 1,000 times (SQS's largest maxReceiveCount) before the dead-letter queue, so its visibility timeout is this divided by 1,000 (at least six times lambda_timeout); a change made during an outage reaches the peer at most one visibility timeout after it is back. On Azure it is the replication hub's retention (the trigger retries indefinitely, so an event waits until the hub drops it)."
  type        = number
  default     = 24

  validation {
    condition     = var.replication_outage_hours >= 1 && var.replication_outage_hours <= 168 && floor(var.replication_outage_hours) == var.replication_outage_hours
    error_message = "replication_outage_hours must be a whole number of hours from 1 to 168 (7 days: the longest retention of an Event Hubs Standard hub, and within SQS's 14 days)."
  }
}

variable "inventory_lease_ms" {
  description = "How long an inventory lease lasts, in ms (INVENTORY_LEASE_MS, ADR 25): each cell sells its own stock only under a lease its peer renews, and once it ran out the peer may sell the units the cell provably did not sell. More than inventory_lease_renew_ms (the functions check it at start); the same on both cells."
  type        = number
  default     = 180000

  validation {
    condition     = var.inventory_lease_ms >= 120000 && var.inventory_lease_ms <= 86400000 && floor(var.inventory_lease_ms) == var.inventory_lease_ms
    error_message = "inventory_lease_ms must be a whole number of ms from 120000 (two renewals a minute apart) to 86400000."
  }
}

variable "inventory_lease_renew_ms" {
  description = "How often each cell renews its inventory leases, in ms (INVENTORY_LEASE_RENEW_MS): whole minutes, since an EventBridge schedule runs at most once a minute; the Azure timer trigger uses the same period. Must be less than inventory_lease_ms."
  type        = number
  default     = 60000

  validation {
    condition     = var.inventory_lease_renew_ms >= 60000 && var.inventory_lease_renew_ms <= 3540000 && var.inventory_lease_renew_ms % 60000 == 0
    error_message = "inventory_lease_renew_ms must be whole minutes in ms, from 60000 to 3540000 (EventBridge schedules run at most once a minute)."
  }
}

variable "inventory_lease_margin_ms" {
  description = "How long after a peer's lease ran out this cell waits before selling the peer's provably unsold units, in ms (INVENTORY_LEASE_MARGIN_MS): covers clock drift between the clouds and between a cell's instances; safety never depends on it (ADR 25)."
  type        = number
  default     = 15000

  validation {
    condition     = var.inventory_lease_margin_ms >= 0 && var.inventory_lease_margin_ms <= 9999999 && floor(var.inventory_lease_margin_ms) == var.inventory_lease_margin_ms
    error_message = "inventory_lease_margin_ms must be a whole number of ms from 0 to 9999999."
  }
}

variable "inventory_lease_budget" {
  description = "Units of each SKU a cell may sell between two lease renewals (INVENTORY_LEASE_BUDGET): what a cut-off cell may still sell of its own, and what its peer can never take over (ADR 25)."
  type        = number
  default     = 500

  validation {
    condition     = var.inventory_lease_budget >= 1 && var.inventory_lease_budget <= 9999999 && floor(var.inventory_lease_budget) == var.inventory_lease_budget
    error_message = "inventory_lease_budget must be a whole number of units from 1 to 9999999."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports them."
  type        = map(string)
  default     = {}
}

variable "app_settings" {
  description = "Extra app settings (environment variables) for the Function App (merged over the ones the module sets)."
  type        = map(string)
  default     = {}
}

variable "cell_domain_name" {
  description = "The cell's own host name (for example azure.api.example.com): what smoke tests, the Route 53 health check and the peer cell call. The global stack serves it on Front Door, routed to this cell's API Management only. Null: API Management's own host (reachable only through Front Door once front_door_id is set)."
  type        = string
  default     = null

  validation {
    condition     = var.cell_domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.cell_domain_name))
    error_message = "cell_domain_name must be a lowercase fully qualified host name such as azure.api.example.com."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the functions' and the API's logs (Log Analytics workspace), in days: 30 to 730."
  type        = number
  default     = 30

  validation {
    condition     = var.log_retention_in_days >= 30 && var.log_retention_in_days <= 730
    error_message = "log_retention_in_days must be between 30 and 730 (the Log Analytics PerGB2018 range)."
  }
}

variable "auth_issuer" {
  description = "The OIDC issuer whose access tokens the API accepts, exactly as their iss claim (for example https://login.example.com/ or https://cognito-idp.eu-west-1.amazonaws.com/<pool-id>). The edge (API Gateway's JWT authorizer, API Management's validate-jwt) reads its discovery document at <issuer>/.well-known/openid-configuration; the functions get it as AUTH_ISSUER. The same for both cells."
  type        = string

  validation {
    condition     = can(regex("^https://[^\\s/]+(/\\S*)?$", var.auth_issuer))
    error_message = "auth_issuer must be an https:// URL, written exactly as the iss claim of the tokens (a trailing slash counts)."
  }
}

variable "auth_audience" {
  description = "The audience (aud) of the API's access tokens, the same for both cells (for example https://api.shop.example.com): tokens for another API are refused. The functions get it as AUTH_AUDIENCE."
  type        = string

  validation {
    condition     = can(regex("^[!-~]{1,256}$", var.auth_audience))
    error_message = "auth_audience must be 1-256 visible ASCII characters, no spaces (for example https://api.shop.example.com)."
  }
}

variable "auth_jwks_url" {
  description = "The issuer's JSON Web Key Set URL (jwks_uri of its discovery document), where the functions fetch the signing keys (AUTH_JWKS_URL)."
  type        = string

  validation {
    condition     = can(regex("^https://[^\\s/]+(/\\S*)?$", var.auth_jwks_url))
    error_message = "auth_jwks_url must be an https:// URL (the jwks_uri of the issuer's discovery document)."
  }
}

variable "auth_admin_scope" {
  description = "The scope (in the token's scope or scp claim) that allows inventory writes and allocation transfers (AUTH_ADMIN_SCOPE)."
  type        = string
  default     = "inventory:admin"

  validation {
    condition     = can(regex("^[!#-\\[\\]-~]{1,64}$", var.auth_admin_scope))
    error_message = "auth_admin_scope must be one OAuth scope: 1-64 visible ASCII characters, no spaces, quotes or backslashes (for example inventory:admin)."
  }
}

################################################################################
# Azure only
################################################################################

variable "front_door_id" {
  description = "The ID (resource GUID) of the Front Door profile in front of this cell, the global stack's frontdoor_id output: API Management accepts only requests whose X-Azure-FDID header carries it, from Front Door's addresses. Null until the global stack exists: API Management then refuses every call."
  type        = string
  default     = null

  validation {
    condition     = var.front_door_id == null || can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.front_door_id))
    error_message = "front_door_id must be the Front Door profile's resource GUID (the global stack's frontdoor_id output), e.g. 3f2504e0-4f89-11d3-9a0c-0305e82c3301."
  }
}

variable "resource_group_name" {
  description = "Existing resource group that holds the cell."
  type        = string
}

variable "location" {
  description = "Azure region of the cell (for example westeurope)."
  type        = string
}

variable "storage_account_name" {
  description = "Optional name of the storage account (3-24 lowercase letters and digits, globally unique). Null derives one from name, environment and the resource group."
  type        = string
  default     = null

  validation {
    condition     = var.storage_account_name == null || can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "storage_account_name must be 3-24 lowercase letters and digits."
  }
}

variable "storage_replication_type" {
  description = "Replication of the storage account: LRS, ZRS, GRS or GZRS."
  type        = string
  default     = "ZRS"

  validation {
    condition     = contains(["LRS", "ZRS", "GRS", "GZRS"], var.storage_replication_type)
    error_message = "storage_replication_type must be LRS, ZRS, GRS or GZRS."
  }
}

variable "node_version" {
  description = "Node.js version of the Function App (Flex Consumption runtime_version)."
  type        = string
  default     = "22"
}

variable "function_route_prefix" {
  description = "HTTP route prefix of the Functions host (host.json extensions.http.routePrefix; the package sets none): API Management forwards to https://<app>/<prefix>, and the functions get it as HTTP_ROUTE_PREFIX."
  type        = string
  default     = ""
}

variable "function_maximum_instance_count" {
  description = "Upper bound of Flex Consumption scale-out."
  type        = number
  default     = 100
}

variable "function_instance_memory_in_mb" {
  description = "Memory of each Flex Consumption instance: 512, 2048 or 4096."
  type        = number
  default     = 2048

  validation {
    condition     = contains([512, 2048, 4096], var.function_instance_memory_in_mb)
    error_message = "function_instance_memory_in_mb must be 512, 2048 or 4096."
  }
}

variable "apim_publisher_name" {
  description = "Publisher name of the API Management instance."
  type        = string
}

variable "apim_publisher_email" {
  description = "Publisher e-mail of the API Management instance (receives its service notifications)."
  type        = string
}

variable "eventhub_partition_count" {
  description = "Partitions of the order events hub."
  type        = number
  default     = 2
}

variable "eventhub_message_retention_in_days" {
  description = "Days the order events hub keeps events."
  type        = number
  default     = 1
}

variable "notification_hub_sku" {
  description = "SKU of the Notification Hubs namespace: Free, Basic or Standard."
  type        = string
  default     = "Free"

  validation {
    condition     = contains(["Free", "Basic", "Standard"], var.notification_hub_sku)
    error_message = "notification_hub_sku must be Free, Basic or Standard."
  }
}

variable "apim_sku_name" {
  description = "API Management tier: a classic one (Developer_1, Basic_N, Standard_N, Premium_N), which has rate-limit-by-key and public IP addresses of its own for the Function App's access restriction. Developer has no SLA: use Basic_1 or more in production."
  type        = string
  default     = "Developer_1"

  validation {
    condition     = can(regex("^(Developer_1|Basic_[12]|Standard_[1-4]|Premium_([1-9]|[1-2][0-9]|3[01]))$", var.apim_sku_name))
    error_message = "apim_sku_name must be a classic API Management tier: Developer_1, Basic_1, Basic_2, Standard_1 to Standard_4 or Premium_N. Consumption and the v2 tiers have no IP addresses of their own to restrict the Function App to, and Consumption has no rate-limit-by-key."
  }
}

variable "client_rate_limit" {
  description = "Calls per renewal period that API Management lets through: per token subject (calls), and per client address as Front Door saw it, before the token is read (calls_per_address: it bounds floods of bad tokens and anonymous GET /health, and is shared by everyone behind one NAT, so it is the larger one). Front Door's own health probes are not counted. Over a limit, 429 with Retry-After."
  type = object({
    calls                  = number
    calls_per_address      = optional(number, 1200)
    renewal_period_seconds = number
  })
  default = {
    calls                  = 300
    calls_per_address      = 1200
    renewal_period_seconds = 60
  }

  validation {
    condition     = var.client_rate_limit.calls >= 1 && var.client_rate_limit.calls_per_address >= var.client_rate_limit.calls && var.client_rate_limit.renewal_period_seconds >= 1 && var.client_rate_limit.renewal_period_seconds <= 300
    error_message = "client_rate_limit needs calls of at least 1, calls_per_address of at least calls (many clients can share one address) and renewal_period_seconds from 1 to 300 (rate-limit-by-key's range)."
  }
}

variable "plan_principal_id" {
  description = "Object (principal) ID of the plan identity (bootstrap/azure output plan_principal_id): it gets Key Vault Secrets User on this cell's two hub connection strings, which a plan refreshes, and nothing else of the vault or the group (the peer key's vault is in the same group). Null: no grant (plans of the cell then fail to refresh the secrets)."
  type        = string
  default     = null

  validation {
    condition     = var.plan_principal_id == null || can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", var.plan_principal_id))
    error_message = "plan_principal_id must be the plan identity's object ID, a GUID such as 00000000-0000-0000-0000-000000000000 (bootstrap/azure output plan_principal_id), or null."
  }
}
