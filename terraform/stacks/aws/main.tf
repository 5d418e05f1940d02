module "cell" {
  source = "../../modules/aws-cell"

  name                         = var.name
  environment                  = var.environment
  app_version                  = var.app_version
  artifact_path                = var.artifact_path
  peer_cell_url                = var.peer_cell_url
  peer_shared_key              = var.peer_shared_key
  custom_domain_name           = var.custom_domain_name
  cell_domain_name             = var.cell_domain_name
  dns_zone_id                  = var.dns_zone_id
  custom_domain_certificate_id = var.custom_domain_certificate_id
  log_retention_in_days        = var.log_retention_in_days
  tags                         = var.tags
  auth_issuer                  = var.auth_issuer
  auth_audience                = var.auth_audience
  auth_jwks_url                = var.auth_jwks_url
  auth_admin_scope             = var.auth_admin_scope
}
