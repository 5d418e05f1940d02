variable "subscription_id" {
  description = "Azure subscription of the cell. Null uses ARM_SUBSCRIPTION_ID, which the workflows set from the repository variable AZURE_SUBSCRIPTION_ID."
  type        = string
  default     = null
}

variable "location" {
  description = "Azure region of the cell (for example westeurope)."
  type        = string
}

variable "resource_group_name" {
  description = "Existing resource group of the cell (terraform/bootstrap/azure creates it; the workflows' identities hold roles on it only)."
  type        = string
  default     = "rg-shop-azure"
}

variable "name" {
  description = "Name of the cell (lowercase letters, digits and hyphens)."
  type        = string
  default     = "shop-azure"
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
  description = "The Azure Functions package zip from `npm run build:functions` (functions/build/azure.zip), relative to this folder or absolute."
  type        = string
}

variable "peer_cell_url" {
  description = "Base URL of the AWS cell. Null (the default): read the aws stack's base_url output from its state (aws_cell_state)."
  type        = string
  default     = null
}

variable "aws_cell_state" {
  description = "Where the aws stack keeps its state (S3 backend settings), to read its base_url; the workflows pass it as TF_VAR_aws_cell_state from the repository variable AWS_CELL_STATE (bootstrap/aws prints it). Not needed when peer_cell_url is set."
  type = object({
    bucket = string
    region = string
    key    = optional(string, "multicloud/aws/terraform.tfstate")
  })
  default = null

  validation {
    condition     = var.aws_cell_state != null || var.peer_cell_url != null
    error_message = "Set aws_cell_state (the repository variable AWS_CELL_STATE, which bootstrap/aws prints, reaches it as TF_VAR_aws_cell_state) or peer_cell_url."
  }
}

variable "global_state_key" {
  description = "Key of the global stack's state in the aws_cell_state bucket, to read its frontdoor_id when front_door_id is null."
  type        = string
  default     = "multicloud/global/terraform.tfstate"
}

variable "apim_publisher_name" {
  description = "Publisher name of the API Management instance."
  type        = string
}

variable "apim_publisher_email" {
  description = "Publisher e-mail of the API Management instance."
  type        = string
}

variable "apim_sku_name" {
  description = "API Management tier, a classic one (the module checks it): Developer_1 has no SLA, so production takes Basic_1 or more. See the azure-cell module and ADR 14."
  type        = string
  default     = "Developer_1"
}

variable "plan_principal_id" {
  description = "Object ID of the plan identity (bootstrap/azure output plan_principal_id): the cell grants it Key Vault Secrets User on its two hub connection strings only, so pull-request plans can refresh them and cannot read the peer key (ADR 17). Null: no grant, and plans of the cell fail once the secrets exist."
  type        = string
  default     = null
}

variable "cell_domain_name" {
  description = "The cell's own host name on Front Door (e.g. azure.api.example.com; the global stack serves it). Null: API Management's own host."
  type        = string
  default     = null
}

variable "front_door_id" {
  description = "The global stack's frontdoor_id output (the X-Azure-FDID API Management requires). Null (the default): read it from the global stack's state (aws_cell_state bucket, global_state_key); null there too before the global stack exists, and API Management then refuses every call."
  type        = string
  default     = null
}

variable "replication_outage_hours" {
  description = "How long a peer outage the cell's replication waits out without losing a change, in hours (1 to 168); see the cell module's variable of the same name (ADR 23)."
  type        = number
  default     = 24
}

variable "log_retention_in_days" {
  description = "Retention of the Log Analytics workspace, in days."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
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
  description = "The resource ID of the Key Vault secret holding the key both cells sign their calls to each other with (ADR 17), created once by the deployer outside Terraform (docs/deploying.md): the key itself is in no plan, state or workflow job. The same key as the aws stack's secret."
  type        = string
}
