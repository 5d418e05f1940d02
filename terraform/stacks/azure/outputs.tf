# Read by the workflows (deploy, traffic-shift) and by the global stack through remote state.

output "cloud" {
  description = "Cloud of this cell: azure."
  value       = module.cell.cloud
}

output "region" {
  description = "Region of the cell."
  value       = module.cell.region
}

output "base_url" {
  description = "Base URL of the cell's own endpoint; the AWS stack's peer_cell_url."
  value       = module.cell.base_url
}

output "health_url" {
  description = "The cell's GET /health URL: the deploy workflow smoke-tests it; the azure entry of traffic-shift's smoke-urls."
  value       = module.cell.health_url
}

output "origin_hostname" {
  description = "Host of API Management: the global stack's Front Door origin for this cell."
  value       = module.cell.origin_hostname
}

output "custom_domain_name" {
  description = "Always null: Front Door serves the public name for this cell."
  value       = module.cell.custom_domain_name
}

output "cell_hostname" {
  description = "The cell's own host name (on Front Door): the global stack's Route 53 health check target."
  value       = module.cell.cell_hostname
}

output "dns_target" {
  description = "What the global Route 53 record of this cloud points to."
  value       = module.cell.dns_target
}

output "function_names" {
  description = "Function App name (key function_app)."
  value       = module.cell.function_names
}

output "replication_queue" {
  description = "Where the cell's replica.changed events wait for the peer (ADR 23)."
  value       = module.cell.replication_queue
}
