resource "azurerm_resource_group" "cell" {
  name     = var.resource_group_name
  location = var.location

  tags = var.tags
}

module "cell" {
  source = "../../modules/azure-cell"

  name                  = var.name
  environment           = var.environment
  app_version           = var.app_version
  artifact_path         = var.artifact_path
  peer_cell_url         = var.peer_cell_url
  peer_shared_key       = var.peer_shared_key
  cell_domain_name      = var.cell_domain_name
  log_retention_in_days = var.log_retention_in_days
  tags                  = var.tags
  auth_issuer           = var.auth_issuer
  auth_audience         = var.auth_audience
  auth_jwks_url         = var.auth_jwks_url
  auth_admin_scope      = var.auth_admin_scope

  resource_group_name  = azurerm_resource_group.cell.name
  location             = azurerm_resource_group.cell.location
  apim_publisher_name  = var.apim_publisher_name
  apim_publisher_email = var.apim_publisher_email
  front_door_id        = var.front_door_id
}
