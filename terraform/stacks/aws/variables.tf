variable "region" {
  description = "AWS region of the cell (for example eu-west-1)."
  type        = string
}

variable "name" {
  description = "Name of the cell (lowercase letters, digits and hyphens)."
  type        = string
  default     = "shop-aws"
}

variable "environment" {
  description = "Environment of the cell (for example dev, staging, prod)."
  type        = string
  default     = "prod"
}

variable "app_version" {
  description = "Version of the function code being deployed: the workflows pass a content hash of the built packages (functions/scripts/version.js, ADR 24)."
  type        = string
}

variable "artifact_path" {
  description = "Folder of the Lambda zips from `npm run build:functions` (functions/build/aws), relative to this folder or absolute."
  type        = string
}

variable "peer_cell_url" {
  description = "Base URL of the Azure cell. Null (the default): read the azure stack's base_url output from its state (azure_cell_state)."
  type        = string
  default     = null
}

variable "azure_cell_state" {
  description = "Where the azure stack keeps its state (azurerm backend settings), to read its base_url; the workflows pass it as TF_VAR_azure_cell_state from the repository variable AZURE_CELL_STATE (bootstrap/azure prints it). Not needed when peer_cell_url is set."
  type = object({
    resource_group_name  = string
    storage_account_name = string
    container_name       = string
    key                  = optional(string, "multicloud/azure/terraform.tfstate")
  })
  default = null

  validation {
    condition     = var.azure_cell_state != null || var.peer_cell_url != null
    error_message = "Set azure_cell_state (the repository variable AZURE_CELL_STATE, which bootstrap/azure prints, reaches it as TF_VAR_azure_cell_state) or peer_cell_url."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the function roles: bootstrap/aws's output, which its deploy role requires (the workflows pass it as TF_VAR_permissions_boundary_arn from AWS_PERMISSIONS_BOUNDARY_ARN). Null or empty: none."
  type        = string
  default     = null
}

variable "custom_domain_name" {
  description = "The public host name (the global name, e.g. api.example.com), served by API Gateway next to cell_domain_name. Null for none (the execute-api endpoint stays on)."
  type        = string
  default     = null
}

variable "cell_domain_name" {
  description = "The cell's own host name (e.g. aws.api.example.com). Required with custom_domain_name."
  type        = string
  default     = null
}

variable "dns_zone_id" {
  description = "Route 53 hosted zone of both names (certificate validation, the cell name's record). Required with custom_domain_name."
  type        = string
  default     = null
}

variable "custom_domain_certificate_id" {
  description = "Optional ACM certificate ARN in var.region covering both names. Null: the module requests one, validated by DNS."
  type        = string
  default     = null
}

variable "replication_outage_hours" {
  description = "How long a peer outage the cell's replication waits out without losing a change, in hours (1 to 168); see the cell module's variable of the same name (ADR 23)."
  type        = number
  default     = 24
}

variable "log_retention_in_days" {
  description = "Retention of the functions' and the API's logs, in days."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource (provider default_tags)."
  type        = map(string)
  default     = {}
}

variable "auth_issuer" {
  description = "The OIDC issuer of the API's access tokens, exactly as their iss claim (both cells take the same)."
  type        = string
}

variable "auth_audience" {
  description = "The audience (aud) of the API's access tokens (both cells take the same)."
  type        = string
}

variable "auth_jwks_url" {
  description = "The issuer's JSON Web Key Set URL (jwks_uri of its discovery document)."
  type        = string
}

variable "auth_admin_scope" {
  description = "The scope that allows inventory writes and allocation transfers."
  type        = string
  default     = "inventory:admin"
}

variable "peer_shared_key_secret_id" {
  description = "The ARN of the Secrets Manager secret holding the key both cells sign their calls to each other with (ADR 17), created once by the deployer outside Terraform (docs/deploying.md): the key itself is in no plan, state or workflow job. The same key as the azure stack's secret."
  type        = string
}
