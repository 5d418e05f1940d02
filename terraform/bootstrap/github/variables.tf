variable "github_repository" {
  description = "The repository to configure, as owner/name (the fork the bootstrap identities trust)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be owner/name, e.g. my-org/multicloud-serverless."
  }
}

variable "github_default_branch" {
  description = "The only branch whose workflow runs may use the environment (its deployment branch policy)."
  type        = string
  default     = "main"
}

variable "github_environment" {
  description = "Name of the environment every apply and traffic-shift job runs in; the deploy identities trust only its jobs."
  type        = string
  default     = "production"
}

variable "reviewer_users" {
  description = "GitHub logins who approve deployments (up to 6 users and teams together). At least one reviewer, users or teams, is required."
  type        = list(string)
  default     = []
}

variable "reviewer_teams" {
  description = "Slugs of organization teams who approve deployments (owner must be an organization)."
  type        = list(string)
  default     = []
}

variable "bootstrap_states" {
  description = "Where the aws and azure bootstrap stacks keep their state, to read their github_variables outputs: a terraform_remote_state backend and its config, by stack. The default is their local state beside this folder."
  type = map(object({
    backend = string
    config  = map(string)
  }))
  default = {
    aws   = { backend = "local", config = { path = "../aws/terraform.tfstate" } }
    azure = { backend = "local", config = { path = "../azure/terraform.tfstate" } }
  }

  validation {
    condition     = toset(keys(var.bootstrap_states)) == toset(["aws", "azure"])
    error_message = "bootstrap_states must have exactly the keys aws and azure."
  }
}

variable "extra_variables" {
  description = "More repository variables to write beside the bootstrap outputs (e.g. DEPLOY_ORDER, TF_VAR_FILES_aws)."
  type        = map(string)
  default     = {}
}
