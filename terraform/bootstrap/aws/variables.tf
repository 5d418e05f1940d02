################################################################################
# Where and for whom
################################################################################

variable "region" {
  description = "AWS region of the state bucket and the region the workflows use (their AWS_REGION), e.g. eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "github_repository" {
  description = "The repository whose workflows may assume the roles, as owner/name (the fork, e.g. my-org/multicloud-serverless)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be owner/name, e.g. my-org/multicloud-serverless."
  }
}

variable "github_default_branch" {
  description = "Default branch of the repository: pushes to it (drift checks, the deploy's read-only steps) get the plan role."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.github_default_branch))
    error_message = "github_default_branch must be a branch name such as main."
  }
}

variable "github_environment" {
  description = "GitHub environment of every job that applies or shifts traffic: only its jobs get the deploy role."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.github_environment))
    error_message = "github_environment must be an environment name such as production."
  }
}

variable "name" {
  description = "Prefix of what this stack creates (state bucket, KMS alias, roles, boundary policy): lowercase letters, digits and hyphens."
  type        = string
  default     = "multicloud"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 lowercase letters, digits and hyphens, starting with a letter."
  }
}

################################################################################
# What the deploy role may manage
################################################################################

variable "workload_name_prefix" {
  description = "Name prefix of everything the aws and global stacks create (the cell's name, default shop-aws, and the routing's, default shop): the roles may only touch resources whose names start with it."
  type        = string
  default     = "shop"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.workload_name_prefix))
    error_message = "workload_name_prefix must be 2-31 lowercase letters, digits and hyphens, starting with a letter (an empty prefix would cover every resource)."
  }
}

variable "route53_zone_ids" {
  description = "Hosted zones the global stack writes its weighted records in and traffic-shift moves weights in. Empty: no Route 53 access (Front Door only)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.route53_zone_ids : can(regex("^Z[A-Z0-9]{4,31}$", id))])
    error_message = "route53_zone_ids must be hosted zone IDs such as Z0123456789ABCDEFGHIJ."
  }
}

variable "route53_record_names" {
  description = "Record names the deploy role may change in those zones (the global name, e.g. api.example.com). Empty: any name in the zones."
  type        = list(string)
  default     = []
}

################################################################################
# GitHub OIDC provider
################################################################################

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC identity provider. An account holds one per URL: set false and give existing_github_oidc_provider_arn when it already exists."
  type        = bool
  default     = true
}

variable "existing_github_oidc_provider_arn" {
  description = "ARN of the account's existing token.actions.githubusercontent.com identity provider, when create_github_oidc_provider is false."
  type        = string
  default     = null

  validation {
    condition     = var.existing_github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::\\d{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.existing_github_oidc_provider_arn))
    error_message = "existing_github_oidc_provider_arn must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com."
  }
}

################################################################################
# Sessions and state
################################################################################

variable "plan_max_session_seconds" {
  description = "Longest session of the plan role, in seconds: at least the longest plan job (pr-plan.yml and drift.yml allow 30 minutes)."
  type        = number
  default     = 3600

  validation {
    condition     = var.plan_max_session_seconds >= 3600 && var.plan_max_session_seconds <= 43200
    error_message = "plan_max_session_seconds must be between 3600 and 43200 (IAM's range for max_session_duration)."
  }
}

variable "deploy_max_session_seconds" {
  description = "Longest session of the deploy role, in seconds: at least the longest deploy job (the rollout jobs allow 180 minutes), which asks for that much with role-duration-seconds."
  type        = number
  default     = 14400

  validation {
    condition     = var.deploy_max_session_seconds >= 3600 && var.deploy_max_session_seconds <= 43200
    error_message = "deploy_max_session_seconds must be between 3600 and 43200 (IAM's range for max_session_duration)."
  }
}

variable "state_bucket_name" {
  description = "Name of the state bucket. Null: <name>-tfstate-<account id>-<region>, unique without a random suffix."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "state_noncurrent_version_days" {
  description = "Days an overwritten state version is kept before S3 deletes it (the way back from a bad apply)."
  type        = number
  default     = 90

  validation {
    condition     = var.state_noncurrent_version_days >= 7
    error_message = "state_noncurrent_version_days must be at least 7."
  }
}

variable "allow_state_bucket_destroy" {
  description = "Let `terraform destroy` delete the state bucket with every state version in it. Set true only to tear everything down (docs/deploying.md), after the stacks that use it are destroyed."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource (provider default_tags)."
  type        = map(string)
  default     = {}
}
