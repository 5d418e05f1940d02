# The Azure cell's URL, from its state. On the first deployment the azure stack does not exist
# yet when this stack is first applied: the functions start with a placeholder peer (a name in
# the reserved .invalid domain, RFC 2606, which never resolves), and the deploy workflow
# applies this stack again once the azure stack exists (docs/adr/0019-bootstrap-identities-and-first-deployment.md#8-the-first-deployment).
data "terraform_remote_state" "peer" {
  count = var.peer_cell_url == null ? 1 : 0

  backend = "azurerm"

  config = {
    resource_group_name  = var.azure_cell_state.resource_group_name
    storage_account_name = var.azure_cell_state.storage_account_name
    container_name       = var.azure_cell_state.container_name
    key                  = var.azure_cell_state.key
    use_azuread_auth     = true
  }

  defaults = {
    base_url = null
  }
}

locals {
  peer_cell_url = coalesce(
    var.peer_cell_url,
    try(data.terraform_remote_state.peer[0].outputs.base_url, null),
    "https://azure-cell-not-deployed-yet.invalid",
  )
}

module "cell" {
  source = "../../modules/aws-cell"

  name                         = var.name
  environment                  = var.environment
  app_version                  = var.app_version
  artifact_path                = var.artifact_path
  peer_cell_url                = local.peer_cell_url
  peer_shared_key_secret_id    = var.peer_shared_key_secret_id
  custom_domain_name           = var.custom_domain_name
  cell_domain_name             = var.cell_domain_name
  dns_zone_id                  = var.dns_zone_id
  custom_domain_certificate_id = var.custom_domain_certificate_id
  log_retention_in_days        = var.log_retention_in_days
  replication_outage_hours     = var.replication_outage_hours
  tags                         = var.tags
  auth_issuer                  = var.auth_issuer
  auth_audience                = var.auth_audience
  auth_jwks_url                = var.auth_jwks_url
  auth_admin_scope             = var.auth_admin_scope

  permissions_boundary_arn = var.permissions_boundary_arn == "" ? null : var.permissions_boundary_arn
}
