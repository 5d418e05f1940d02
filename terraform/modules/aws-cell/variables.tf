################################################################################
# Cell contract: the same variables as modules/azure-cell
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
  description = "Folder of the Lambda packages that `npm run build:functions` writes (functions/build/aws, holding http.zip, order-events.zip, replication.zip and lease-renewal.zip)."
  type        = string

  validation {
    condition     = alltrue([for package in var.lambda_packages : fileexists("${var.artifact_path}/${package.file}")])
    error_message = "artifact_path must hold the Lambda packages named in lambda_packages (http.zip, order-events.zip, replication.zip, lease-renewal.zip): run `npm run build:functions` first."
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
  description = "The ARN of the Secrets Manager secret that holds the key both cells sign their calls to each other with (HMAC-SHA256, ADR 17; base64 of at least 32 bytes), created by the deployer outside Terraform (docs/deploying.md), so the key is in no plan or state. The functions get the ARN as PEER_SHARED_KEY_SECRET_ARN, may read only this secret, and refuse to start when they cannot."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", var.peer_shared_key_secret_id))
    error_message = "peer_shared_key_secret_id must be a Secrets Manager secret ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix> (the ARN aws secretsmanager create-secret prints)."
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
  description = "Extra environment variables for every function (merged over the ones the module sets)."
  type        = map(string)
  default     = {}
}

variable "cell_domain_name" {
  description = "The cell's own host name (for example aws.api.example.com): what smoke tests, the Route 53 health check and the peer cell call. Null when the cell has no custom domain: its default endpoint is then its own name."
  type        = string
  default     = null

  validation {
    condition     = var.cell_domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.cell_domain_name))
    error_message = "cell_domain_name must be a lowercase fully qualified host name such as aws.api.example.com."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the functions' and the API's logs, in days (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
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
# AWS only
################################################################################

variable "custom_domain_name" {
  description = "The public host name clients use (for example api.example.com, the global name Route 53 splits between clouds), served as an API Gateway custom domain next to cell_domain_name. Null for none: the default execute-api endpoint stays on. Set, the default endpoint is disabled."
  type        = string
  default     = null

  validation {
    condition     = var.custom_domain_name == null || var.cell_domain_name != null
    error_message = "cell_domain_name is required when custom_domain_name is set (the cell's own name, e.g. aws.api.example.com)."
  }
}

variable "custom_domain_certificate_id" {
  description = "Optional ACM certificate ARN (in the cell's region) covering custom_domain_name and cell_domain_name. Null: the module requests one, validated by DNS in dns_zone_id."
  type        = string
  default     = null
}

variable "dns_zone_id" {
  description = "Route 53 hosted zone of custom_domain_name and cell_domain_name: the module writes the cell name's CNAME there, and the certificate's validation records when it requests the certificate. Required when custom_domain_name is set."
  type        = string
  default     = null

  validation {
    condition     = var.custom_domain_name == null || var.dns_zone_id != null
    error_message = "dns_zone_id (the Route 53 hosted zone of the custom domains) is required when custom_domain_name is set."
  }
}

variable "lambda_runtime" {
  description = "Lambda runtime identifier for every function."
  type        = string
  default     = "nodejs22.x"
}

variable "lambda_architecture" {
  description = "Instruction set of the functions: arm64 or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "lambda_packages" {
  description = "Package of each kind of function, as a file in artifact_path and its handler: http serves the API (cart, orders, inventory, health and replicas each run it as their own function, with their own role), order_events consumes the order events queue, replication the replication queue (ADR 23), lease_renewal renews the inventory leases on a schedule (ADR 25)."
  type = object({
    http          = object({ file = string, handler = string })
    order_events  = object({ file = string, handler = string })
    replication   = optional(object({ file = string, handler = string }), { file = "replication.zip", handler = "index.handler" })
    lease_renewal = optional(object({ file = string, handler = string }), { file = "lease-renewal.zip", handler = "index.handler" })
  })
  default = {
    http          = { file = "http.zip", handler = "index.handler" }
    order_events  = { file = "order-events.zip", handler = "index.handler" }
    replication   = { file = "replication.zip", handler = "index.handler" }
    lease_renewal = { file = "lease-renewal.zip", handler = "index.handler" }
  }
}

variable "lambda_memory_size" {
  description = "Memory of each function, in MB."
  type        = number
  default     = 512
}

variable "lambda_timeout" {
  description = "Timeout of each function, in seconds (the queue's visibility timeout is six times this)."
  type        = number
  default     = 10

  validation {
    condition     = var.lambda_timeout >= 1 && var.lambda_timeout <= 120
    error_message = "lambda_timeout must be between 1 and 120 seconds."
  }
}

variable "queue_max_receive_count" {
  description = "Deliveries of one message before SQS moves it to the dead-letter queue."
  type        = number
  default     = 5
}

variable "queue_batch_size" {
  description = "Messages per invocation of the order_events and replication consumers."
  type        = number
  default     = 10
}

variable "kms_key_arn" {
  description = "Optional customer managed KMS key for the bucket, queues, topic and logs. Null uses AWS managed encryption."
  type        = string
  default     = null
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary attached to every function role (bootstrap/aws creates it; its deploy role may only create roles that carry it). Null: none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::\\d{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN (arn:aws:iam::<account>:policy/<name>)."
  }
}

variable "api_throttling_burst_limit" {
  description = "Burst limit of the API's default route settings."
  type        = number
  default     = 500
}

variable "api_throttling_rate_limit" {
  description = "Steady-state requests per second of the API's default route settings."
  type        = number
  default     = 1000
}

variable "api_route_throttling" {
  description = "Requests per second (rate_limit) and burst (burst_limit) of each route, by who may call it: public (GET /health), customer (carts, orders, stock reads, and the peer's signed PUT /replicas, one per cart or order write there) and admin (inventory writes and transfers). HTTP APIs cannot limit each client; these cap each route for everyone, under the stage's default."
  type = object({
    public   = object({ burst_limit = number, rate_limit = number })
    customer = object({ burst_limit = number, rate_limit = number })
    admin    = object({ burst_limit = number, rate_limit = number })
  })
  default = {
    public   = { burst_limit = 50, rate_limit = 20 }
    customer = { burst_limit = 500, rate_limit = 250 }
    admin    = { burst_limit = 20, rate_limit = 10 }
  }

  validation {
    condition     = alltrue([for limits in values(var.api_route_throttling) : limits.burst_limit >= 1 && limits.rate_limit > 0 && limits.burst_limit <= var.api_throttling_burst_limit && limits.rate_limit <= var.api_throttling_rate_limit])
    error_message = "api_route_throttling limits must be positive and at most the stage's api_throttling_burst_limit and api_throttling_rate_limit."
  }
}
