variable "name" {
  description = "Name of the application, the prefix of the routing resources."
  type        = string
  default     = "shop"
}

variable "aws_region" {
  description = "AWS region for the provider (Route 53 is global; the region only selects the API endpoint)."
  type        = string
  default     = "us-east-1"
}

variable "azure_subscription_id" {
  description = "Azure subscription of the Front Door profile. Null uses ARM_SUBSCRIPTION_ID, which the workflows set from the repository variable AZURE_SUBSCRIPTION_ID."
  type        = string
  default     = null
}

variable "front_door_resource_group_name" {
  description = "Existing resource group of the Front Door profile (terraform/bootstrap/azure creates it; the workflows' identities hold roles on it only)."
  type        = string
  default     = "rg-shop-global"
}

variable "enable_route53" {
  description = "Route traffic with Route 53 weighted records."
  type        = bool
  default     = true
}

variable "enable_front_door" {
  description = "Route traffic with Azure Front Door."
  type        = bool
  default     = true
}

variable "route53_zone_id" {
  description = "Hosted zone of the global record. Required when enable_route53 is true."
  type        = string
  default     = null
}

variable "route53_record_name" {
  description = "Global record name split between clouds (e.g. api.example.com). Required when enable_route53 is true."
  type        = string
  default     = null
}

variable "initial_weights" {
  description = "Initial split in percent by cloud, summing to 100; applied on create only (traffic-shift owns the weights afterwards)."
  type        = map(number)
  default     = { aws = 50, azure = 50 }
}

variable "aws_cell_state" {
  description = "Where the aws stack keeps its state (S3 backend settings), to read its outputs; the workflows pass it as TF_VAR_aws_cell_state from the repository variable AWS_CELL_STATE (bootstrap/aws prints it)."
  type = object({
    bucket = string
    region = string
    key    = optional(string, "multicloud/aws/terraform.tfstate")
  })
}

variable "azure_cell_state" {
  description = "Where the azure stack keeps its state (azurerm backend settings), to read its outputs; the workflows pass it as TF_VAR_azure_cell_state from the repository variable AZURE_CELL_STATE (bootstrap/azure prints it)."
  type = object({
    resource_group_name  = string
    storage_account_name = string
    container_name       = string
    key                  = optional(string, "multicloud/azure/terraform.tfstate")
  })
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
