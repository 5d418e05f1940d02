# terraform/bootstrap/azure creates the group: the workflows' identities hold roles on it, not
# on the subscription, so it cannot be this stack's to create.
data "azurerm_resource_group" "cell" {
  name = var.resource_group_name
}

# The AWS cell's URL, from its state. On the first deployment the aws stack is applied first,
# so it is there (docs/adr/0019-bootstrap-identities-and-first-deployment.md#8-the-first-deployment); until it is, the functions get a
# placeholder peer in the reserved .invalid domain (RFC 2606), which never resolves.
data "terraform_remote_state" "peer" {
  count = var.peer_cell_url == null ? 1 : 0

  backend = "s3"

  config = {
    bucket = var.aws_cell_state.bucket
    region = var.aws_cell_state.region
    key    = var.aws_cell_state.key
  }

  defaults = {
    base_url = null
  }
}

# The global stack's Front Door profile ID, from its state (in the AWS state bucket): API
# Management admits only requests that carry it (X-Azure-FDID, ADR 16). Before the global stack
# exists it is null and API Management refuses every call; deploy.yml's first deployment applies
# this stack once more after the global stack, so that no hand-copied front_door_id is needed
# (docs/adr/0019-bootstrap-identities-and-first-deployment.md).
data "terraform_remote_state" "global" {
  count = var.front_door_id == null && var.aws_cell_state != null ? 1 : 0

  backend = "s3"

  config = {
    bucket = var.aws_cell_state.bucket
    region = var.aws_cell_state.region
    key    = var.global_state_key
  }

  defaults = {
    frontdoor_id = null
  }
}

locals {
  front_door_id = var.front_door_id != null ? var.front_door_id : try(data.terraform_remote_state.global[0].outputs.frontdoor_id, null)

  peer_cell_url = coalesce(
    var.peer_cell_url,
    try(data.terraform_remote_state.peer[0].outputs.base_url, null),
    "https://aws-cell-not-deployed-yet.invalid",
  )
}

module "cell" {
  source = "../../modules/azure-cell"

  name                      = var.name
  environment               = var.environment
  app_version               = var.app_version
  artifact_path             = var.artifact_path
  peer_cell_url             = local.peer_cell_url
  peer_shared_key_secret_id = var.peer_shared_key_secret_id
  cell_domain_name          = var.cell_domain_name
  log_retention_in_days     = var.log_retention_in_days
  replication_outage_hours  = var.replication_outage_hours
  tags                      = var.tags
  auth_issuer               = var.auth_issuer
  auth_audience             = var.auth_audience
  auth_jwks_url             = var.auth_jwks_url
  auth_admin_scope          = var.auth_admin_scope

  resource_group_name  = data.azurerm_resource_group.cell.name
  location             = var.location
  apim_publisher_name  = var.apim_publisher_name
  apim_publisher_email = var.apim_publisher_email
  apim_sku_name        = var.apim_sku_name
  front_door_id        = local.front_door_id
  plan_principal_id    = var.plan_principal_id
}
