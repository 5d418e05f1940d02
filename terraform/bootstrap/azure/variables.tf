################################################################################
# Where and for whom
################################################################################

variable "subscription_id" {
  description = "Subscription that holds the state, the identities and both resource groups of the stacks (the workflows' AZURE_SUBSCRIPTION_ID)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.subscription_id))
    error_message = "subscription_id must be a subscription GUID (az account show --query id -o tsv)."
  }
}

variable "location" {
  description = "Azure region of the state account, the identities and the resource groups (for example westeurope)."
  type        = string
  default     = "westeurope"
}

variable "github_repository" {
  description = "The repository whose workflows may sign in as the identities, as owner/name (the fork, e.g. my-org/multicloud-serverless)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be owner/name, e.g. my-org/multicloud-serverless."
  }
}

variable "github_default_branch" {
  description = "Default branch of the repository: pushes to it (drift checks, the deploy's read-only steps) get the plan identity."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.github_default_branch))
    error_message = "github_default_branch must be a branch name such as main."
  }
}

variable "github_environment" {
  description = "GitHub environment of every job that applies or shifts traffic: only its jobs get the deploy identity."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.github_environment))
    error_message = "github_environment must be an environment name such as production."
  }
}

variable "name" {
  description = "Prefix of what this stack creates (identities, federated credentials, role names): lowercase letters, digits and hyphens."
  type        = string
  default     = "multicloud"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 lowercase letters, digits and hyphens, starting with a letter."
  }
}

################################################################################
# State
################################################################################

variable "state_resource_group_name" {
  description = "Resource group of the state storage account and the two identities."
  type        = string
  default     = "rg-multicloud-tfstate"
}

variable "state_storage_account_name" {
  description = "Name of the state storage account (3-24 lowercase letters and digits, globally unique). Null: derived from name and a hash of the subscription."
  type        = string
  default     = null

  validation {
    condition     = var.state_storage_account_name == null || can(regex("^[a-z0-9]{3,24}$", var.state_storage_account_name))
    error_message = "state_storage_account_name must be 3-24 lowercase letters and digits."
  }
}

variable "state_container_name" {
  description = "Blob container of the state files."
  type        = string
  default     = "tfstate"
}

variable "state_replication_type" {
  description = "Replication of the state account: LRS, ZRS, GRS, RAGRS, GZRS or RAGZRS."
  type        = string
  default     = "ZRS"

  validation {
    condition     = contains(["LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"], var.state_replication_type)
    error_message = "state_replication_type must be LRS, ZRS, GRS, RAGRS, GZRS or RAGZRS."
  }
}

variable "state_retention_days" {
  description = "Days a deleted or overwritten state blob (soft delete) and a deleted container stay recoverable."
  type        = number
  default     = 30

  validation {
    condition     = var.state_retention_days >= 7 && var.state_retention_days <= 365
    error_message = "state_retention_days must be between 7 and 365."
  }
}

################################################################################
# The stacks' resource groups and what the identities may do in them
################################################################################

variable "cell_resource_group_name" {
  description = "Resource group of the Azure cell (stacks/azure resource_group_name): the identities hold roles on it only."
  type        = string
  default     = "rg-shop-azure"
}

variable "global_resource_group_name" {
  description = "Resource group of the Front Door profile (stacks/global front_door_resource_group_name)."
  type        = string
  default     = "rg-shop-global"
}

variable "plan_reads_cell_keys" {
  description = "Let the plan identity run the list-keys calls the azurerm provider makes when it refreshes the cell's key-based settings (storage account, Event Hubs and Notification Hubs rules, Function App settings), on the cell's resource group only. Those keys are in the azure stack's state, which the plan identity reads anyway; without them plans of the cell fail or show false changes. Set false once the cell uses identity-based access only."
  type        = bool
  default     = true
}

variable "deploy_assignable_role_ids" {
  description = "Role definition IDs (GUIDs) the deploy identity may assign, to service principals only, in the cell's resource group: the data roles the cell gives its own identities. Nothing else: no Owner, no User Access Administrator."
  type        = list(string)
  default = [
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", # Storage Blob Data Owner
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe", # Storage Blob Data Contributor
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", # Storage Blob Data Reader
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88", # Storage Queue Data Contributor
    "2b629674-e913-4c01-ae53-ef4638d8f975", # Azure Event Hubs Data Sender
    "a638d3c7-ab3a-418d-83e6-5f17a39d4fde", # Azure Event Hubs Data Receiver
    "4633458b-17de-408a-b874-0445c86b69e6", # Key Vault Secrets User
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", # Key Vault Secrets Officer (the deploy identity, on the cell's vault: it writes the secrets)
  ]

  validation {
    condition     = alltrue([for id in var.deploy_assignable_role_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))]) && !contains(var.deploy_assignable_role_ids, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635") && !contains(var.deploy_assignable_role_ids, "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9") && !contains(var.deploy_assignable_role_ids, "f58310d9-a9f6-439a-9e8d-f62e7b41a168")
    error_message = "deploy_assignable_role_ids must be role definition GUIDs, and never Owner, User Access Administrator or Role Based Access Control Administrator."
  }
}

variable "custom_domain_key_vault_id" {
  description = "Resource ID of the Key Vault (Azure RBAC authorization) that holds the certificate of the cell's custom domain, when it has one: the deploy identity may grant API Management's identity Key Vault Secrets User on it. Null: no custom domain."
  type        = string
  default     = null

  validation {
    condition     = var.custom_domain_key_vault_id == null || can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[^/]+$", var.custom_domain_key_vault_id))
    error_message = "custom_domain_key_vault_id must be a Key Vault resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports them."
  type        = map(string)
  default     = {}
}
