variable "name" {
  description = "Name of the application, used as the prefix of the routing resources (lowercase letters, digits and hyphens)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}[a-z0-9]$", var.name))
    error_message = "name must be 3-42 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "cells" {
  description = "The cells traffic is split between, keyed by cloud name (the names traffic-shift uses, e.g. aws and azure), from the cell modules' outputs: origin_hostname (the host Front Door connects to: API Management's gateway, or the AWS cell's own custom domain), dns_target (what a CNAME for the public name points to when Route 53 sends clients straight to the cell) and cell_hostname (the cell's own name, e.g. aws.api.example.com: what the Route 53 health check calls; defaults to origin_hostname)."
  type = map(object({
    origin_hostname = string
    dns_target      = string
    cell_hostname   = optional(string)
  }))

  validation {
    condition     = length(var.cells) >= 1 && alltrue([for key in keys(var.cells) : can(regex("^[a-z][a-z0-9]{0,15}$", key))])
    error_message = "cells needs at least one entry, keyed by a cloud name of 1-16 lowercase letters or digits (e.g. aws, azure)."
  }
}

variable "initial_weights" {
  description = "Initial split in percent, keyed like cells, summing to 100 (e.g. { aws = 50, azure = 50 }). Applied on create only: at run time the traffic-shift action owns the weights."
  type        = map(number)
  default     = { aws = 50, azure = 50 }

  validation {
    condition     = alltrue([for weight in values(var.initial_weights) : weight >= 0 && weight <= 100 && floor(weight) == weight]) && sum(values(var.initial_weights)) == 100
    error_message = "initial_weights must be whole percentages from 0 to 100 that sum to 100."
  }

  validation {
    condition     = toset(keys(var.initial_weights)) == toset(keys(var.cells))
    error_message = "initial_weights must have exactly one entry per cell (the keys of cells)."
  }
}

variable "health_path" {
  description = "Path of every cell's health endpoint, probed by Route 53 health checks and Front Door."
  type        = string
  default     = "/health"

  validation {
    condition     = startswith(var.health_path, "/")
    error_message = "health_path must start with /."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports them."
  type        = map(string)
  default     = {}
}

################################################################################
# Route 53
################################################################################

variable "enable_route53" {
  description = "Create the Route 53 weighted records and health checks."
  type        = bool
  default     = true
}

variable "route53_zone_id" {
  description = "ID of the Route 53 hosted zone that holds the record. Required when enable_route53 is true."
  type        = string
  default     = null

  validation {
    condition     = !var.enable_route53 || var.route53_zone_id != null
    error_message = "route53_zone_id is required when enable_route53 is true."
  }
}

variable "route53_record_name" {
  description = "The public host name clients use, the weighted record (e.g. api.example.com); not the zone apex, since the records are CNAMEs. Front Door serves it as a custom domain too, with a managed certificate."
  type        = string
  default     = null

  validation {
    condition     = !var.enable_route53 || var.route53_record_name != null
    error_message = "route53_record_name is required when enable_route53 is true."
  }
}

variable "route53_health_check_interval" {
  description = "Seconds between Route 53 health checks of each cell: 10 or 30."
  type        = number
  default     = 30

  validation {
    condition     = contains([10, 30], var.route53_health_check_interval)
    error_message = "route53_health_check_interval must be 10 or 30."
  }
}

variable "route53_health_check_failure_threshold" {
  description = "Consecutive failed health checks before Route 53 considers a cell unhealthy (1-10)."
  type        = number
  default     = 3

  validation {
    condition     = var.route53_health_check_failure_threshold >= 1 && var.route53_health_check_failure_threshold <= 10
    error_message = "route53_health_check_failure_threshold must be between 1 and 10."
  }
}

################################################################################
# Azure Front Door (Standard/Premium)
################################################################################

variable "enable_front_door" {
  description = "Create the Front Door profile, endpoint, origin group, origins and route."
  type        = bool
  default     = true
}

variable "front_door_resource_group_name" {
  description = "Existing resource group for the Front Door profile. Required when enable_front_door is true."
  type        = string
  default     = null

  validation {
    condition     = !var.enable_front_door || var.front_door_resource_group_name != null
    error_message = "front_door_resource_group_name is required when enable_front_door is true."
  }
}

variable "front_door_sku_name" {
  description = "Front Door SKU: Standard_AzureFrontDoor or Premium_AzureFrontDoor."
  type        = string
  default     = "Standard_AzureFrontDoor"

  validation {
    condition     = contains(["Standard_AzureFrontDoor", "Premium_AzureFrontDoor"], var.front_door_sku_name)
    error_message = "front_door_sku_name must be Standard_AzureFrontDoor or Premium_AzureFrontDoor."
  }
}

variable "front_door_additional_latency_in_milliseconds" {
  description = "Latency sensitivity of the origin group: origins within this many ms of the fastest share traffic by weight. At least 500, or weights would only apply between origins of equal latency."
  type        = number
  default     = 500

  validation {
    condition     = var.front_door_additional_latency_in_milliseconds >= 500 && var.front_door_additional_latency_in_milliseconds <= 1000
    error_message = "front_door_additional_latency_in_milliseconds must be between 500 and 1000 (Front Door's maximum)."
  }
}

variable "front_door_health_probe_interval" {
  description = "Seconds between Front Door health probes of each origin (Front Door allows 1-255)."
  type        = number
  default     = 30

  validation {
    condition     = var.front_door_health_probe_interval >= 1 && var.front_door_health_probe_interval <= 255
    error_message = "front_door_health_probe_interval must be between 1 and 255 seconds."
  }
}

variable "front_door_cell" {
  description = "The cell Front Door serves: its Route 53 record points at Front Door, its origin (API Management) is the origin group's priority-1 origin, and Front Door also serves its own name (<cell>.<route53_record_name>) with an origin group holding only that origin. Every other cell is a priority-2 backup origin, used only while this one is disabled or unhealthy (ADR 16)."
  type        = string
  default     = "azure"

  validation {
    condition     = contains(keys(var.cells), var.front_door_cell)
    error_message = "front_door_cell must be one of the keys of cells (e.g. azure)."
  }
}
