data "azurerm_client_config" "current" {}

# The cells are applied before this stack; their outputs give the hosts to route to. Before
# they exist (the pull request of a first deployment), their state is empty: the defaults keep
# this plan working, and it creates no routing (local.cells_deployed).
data "terraform_remote_state" "aws" {
  backend = "s3"

  config = {
    bucket = var.aws_cell_state.bucket
    region = var.aws_cell_state.region
    key    = var.aws_cell_state.key
  }

  defaults = {
    origin_hostname    = null
    dns_target         = null
    cell_hostname      = null
    health_url         = null
    custom_domain_name = null
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

  defaults = {
    origin_hostname    = null
    dns_target         = null
    cell_hostname      = null
    health_url         = null
    custom_domain_name = null
  }
}

locals {
  cells = {
    aws = {
      origin_hostname = data.terraform_remote_state.aws.outputs.origin_hostname
      dns_target      = data.terraform_remote_state.aws.outputs.dns_target
      cell_hostname   = data.terraform_remote_state.aws.outputs.cell_hostname
      health_url      = data.terraform_remote_state.aws.outputs.health_url
    }
    azure = {
      origin_hostname = data.terraform_remote_state.azure.outputs.origin_hostname
      dns_target      = data.terraform_remote_state.azure.outputs.dns_target
      cell_hostname   = data.terraform_remote_state.azure.outputs.cell_hostname
      health_url      = data.terraform_remote_state.azure.outputs.health_url
    }
  }

  cells_deployed = alltrue([for cell in values(local.cells) : cell.origin_hostname != null])
  smoke_urls     = join(",", [for key in sort(keys(local.cells)) : "${key}=${local.cells[key].health_url}" if local.cells[key].health_url != null])
}

check "cells_deployed" {
  assert {
    condition     = local.cells_deployed
    error_message = "The aws or azure stack has no outputs in its state yet, so this plan creates no routing. On a first deployment deploy.yml applies this stack after both cells (docs/adr/0019-bootstrap-identities-and-first-deployment.md#8-the-first-deployment)."
  }
}

# API Gateway only answers for host names it knows: clients that Route 53 sends straight to the
# AWS cell with the public name need that cell to serve it as a custom domain. (The Azure
# cell's record points at Front Door, which serves the name itself.)
check "aws_cell_serves_the_public_name" {
  assert {
    condition     = !var.enable_route53 || !local.cells_deployed || data.terraform_remote_state.aws.outputs.custom_domain_name == var.route53_record_name
    error_message = "Route 53 sends clients for ${coalesce(var.route53_record_name, "the record")} straight to the AWS cell, which does not serve that name: set custom_domain_name, cell_domain_name and dns_zone_id in the aws stack."
  }
}

# terraform/bootstrap/azure creates the group: the workflows' identities hold roles on it, not
# on the subscription.
data "azurerm_resource_group" "routing" {
  count = var.enable_front_door ? 1 : 0

  name = var.front_door_resource_group_name
}

moved {
  from = module.routing
  to   = module.routing[0]
}

module "routing" {
  source = "../../modules/global-routing"
  count  = local.cells_deployed ? 1 : 0

  name            = var.name
  cells           = { for key, cell in local.cells : key => { origin_hostname = cell.origin_hostname, dns_target = cell.dns_target, cell_hostname = cell.cell_hostname } }
  initial_weights = var.initial_weights
  tags            = var.tags

  enable_route53      = var.enable_route53
  route53_zone_id     = var.route53_zone_id
  route53_record_name = var.route53_record_name

  enable_front_door              = var.enable_front_door
  front_door_resource_group_name = var.enable_front_door ? data.azurerm_resource_group.routing[0].name : null
}
