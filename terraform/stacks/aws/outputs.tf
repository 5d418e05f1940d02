# Read by the workflows (deploy, traffic-shift) and by the global stack through remote state.

output "cloud" {
  description = "Cloud of this cell: aws."
  value       = module.cell.cloud
}

output "region" {
  description = "Region of the cell."
  value       = module.cell.region
}

output "base_url" {
  description = "Base URL of the cell's own endpoint; the Azure stack's peer_cell_url."
  value       = module.cell.base_url
}

output "health_url" {
  description = "The cell's GET /health URL: the deploy workflow smoke-tests it; the aws entry of traffic-shift's smoke-urls."
  value       = module.cell.health_url
}

output "origin_hostname" {
  description = "Host of the cell's own endpoint: the global stack's Front Door origin and health check target."
  value       = module.cell.origin_hostname
}

output "cell_hostname" {
  description = "The cell's own host name: the global stack's Route 53 health check target and Front Door backup origin."
  value       = module.cell.cell_hostname
}

output "dns_target" {
  description = "What the global Route 53 record of this cloud points to."
  value       = module.cell.dns_target
}

output "custom_domain_name" {
  description = "The custom domain the cell serves, or null: the global stack checks it matches the Route 53 record name."
  value       = module.cell.custom_domain_name
}

output "function_names" {
  description = "Lambda function names by key."
  value       = module.cell.function_names
}

output "replication_queue" {
  description = "Where the cell's replica.changed events wait for the peer (ADR 23)."
  value       = module.cell.replication_queue
}
