################################################################################
# Cell contract: the same outputs as modules/aws-cell
################################################################################

output "cloud" {
  description = "Cloud of this cell: azure."
  value       = "azure"
}

output "region" {
  description = "Region the cell runs in."
  value       = var.location
}

output "base_url" {
  description = "Base URL of the cell's own API endpoint (no trailing slash); what the peer cell forwards to."
  value       = local.base_url
}

output "health_url" {
  description = "The cell's GET /health URL on its own endpoint; what smoke tests and probes call."
  value       = "${local.base_url}/health"
}

output "origin_hostname" {
  description = "Host name of the API Management gateway: Front Door's origin for this cell."
  value       = local.origin_hostname
}

output "dns_target" {
  description = "The API Management gateway host. The global stack points this cell's Route 53 record at Front Door instead (API Management accepts only Front Door's traffic)."
  value       = local.origin_hostname
}

output "custom_domain_name" {
  description = "Always null: Front Door serves the public name for this cell (ADR 16), so API Management has no custom domain."
  value       = null
}

output "cell_hostname" {
  description = "The cell's own host name (cell_domain_name, served by Front Door; or the API Management host without one): what the Route 53 health check and the smoke tests call."
  value       = local.cell_hostname
}

output "function_names" {
  description = "Deployed function names, by key: the one Function App (function_app) that hosts every function."
  value       = { function_app = azurerm_function_app_flex_consumption.this.name }
}

output "data_store" {
  description = "Where the cell keeps its documents: the blob container URL."
  value       = "${azurerm_storage_account.data.primary_blob_endpoint}${azurerm_storage_container.data["documents"].name}"
}

output "event_queue" {
  description = "Where order events travel: the Event Hubs namespace host and hub (namespace.servicebus.windows.net/hub)."
  value       = "${azurerm_eventhub_namespace.this.name}.servicebus.windows.net/${azurerm_eventhub.order_events.name}"
}

output "dead_letter" {
  description = "Where poison order events end: the dead-letter blob container URL."
  value       = "${azurerm_storage_account.data.primary_blob_endpoint}${azurerm_storage_container.data["dead_letter"].name}"
}

output "replication_queue" {
  description = "Where replica.changed events wait for the peer (ADR 23): the replication event hub, <namespace>.servicebus.windows.net/<hub>."
  value       = "${azurerm_eventhub_namespace.this.name}.servicebus.windows.net/${azurerm_eventhub.replication.name}"
}

output "notifier" {
  description = "Where customer notifications go: the Notification Hub resource ID."
  value       = azurerm_notification_hub.this.id
}
