data "azurerm_client_config" "current" {}

# The cells are applied before this stack; their outputs give the hosts to route to.
data "terraform_remote_state" "aws" {
  backend = "s3"

  config = {
    bucket = var.aws_cell_state.bucket
    region = var.aws_cell_state.region
    key    = var.aws_cell_state.key
  }
}

data "terraform_remote_state" "azure" {
  backend = "azurerm"

  config = {
    resource_group_name  = var.azure_cell_state.resource_group_name
    storage_account_name = var.azure_cell_state.storage_account_name
    container_name       = var.azure_cell_state.container_name
    key                  = var.azure_cell_state.key
    use_azuread_auth     = true
  }
}

locals {
  cells = {
    aws = {
      origin_hostname = data.terraform_remote_state.aws.outputs.origin_hostname
      dns_target      = data.terraform_remote_state.aws.outputs.dns_target
      health_url      = data.terraform_remote_state.aws.outputs.health_url
      custom_domain   = data.terraform_remote_state.aws.outputs.custom_domain_name
    }
    azure = {
      origin_hostname = data.terraform_remote_state.azure.outputs.origin_hostname
      dns_target      = data.terraform_remote_state.azure.outputs.dns_target
      health_url      = data.terraform_remote_state.azure.outputs.health_url
      custom_domain   = data.terraform_remote_state.azure.outputs.custom_domain_name
    }
  }
}

# API Gateway and API Management only answer for host names they know: clients that Route 53
# sends to a cell with the global name need that cell to serve it as its custom domain.
check "cells_serve_the_global_name" {
  assert {
    condition     = !var.enable_route53 || alltrue([for cell in local.cells : cell.custom_domain == var.route53_record_name])
    error_message = "Route 53 sends clients for ${coalesce(var.route53_record_name, "the record")} to both cells, but not every cell serves that name: set custom_domain_name (and its certificate) in the aws and azure stacks."
  }
}

resource "azurerm_resource_group" "routing" {
  count = var.enable_front_door ? 1 : 0

  name     = var.front_door_resource_group_name
  location = var.azure_location

  tags = var.tags
}

module "routing" {
  source = "../../modules/global-routing"

  name            = var.name
  cells           = { for key, cell in local.cells : key => { origin_hostname = cell.origin_hostname, dns_target = cell.dns_target } }
  initial_weights = var.initial_weights
  tags            = var.tags

  enable_route53      = var.enable_route53
  route53_zone_id     = var.route53_zone_id
  route53_record_name = var.route53_record_name

  enable_front_door              = var.enable_front_door
  front_door_resource_group_name = var.enable_front_door ? azurerm_resource_group.routing[0].name : null
}
