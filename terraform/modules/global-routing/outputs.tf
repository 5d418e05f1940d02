# Names follow the traffic-shift action's inputs (route53-hosted-zone-id -> route53_hosted_zone_id);
# the `<cloud>=<value>` strings are ready to pass as they are.

output "route53_hosted_zone_id" {
  description = "Hosted zone of the weighted records (traffic-shift input route53-hosted-zone-id); null when Route 53 is disabled."
  value       = var.enable_route53 ? var.route53_zone_id : null
}

output "route53_record_name" {
  description = "Name of the weighted record set (traffic-shift input route53-record-name); null when Route 53 is disabled."
  value       = var.enable_route53 ? var.route53_record_name : null
}

output "route53_record_type" {
  description = "Type of the weighted record set (traffic-shift input route53-record-type); null when Route 53 is disabled."
  value       = var.enable_route53 ? "CNAME" : null
}

output "route53_set_identifiers" {
  description = "Set identifier of each cloud's record as `aws=<id>,azure=<id>` (traffic-shift input route53-set-identifiers); null when Route 53 is disabled."
  value       = var.enable_route53 ? join(",", [for key in sort(keys(aws_route53_record.cells)) : "${key}=${aws_route53_record.cells[key].set_identifier}"]) : null
}

output "route53_health_check_ids" {
  description = "Route 53 health check ID of each cloud, keyed by cloud."
  value       = { for key, check in aws_route53_health_check.cells : key => check.id }
}

output "frontdoor_resource_group" {
  description = "Resource group of the Front Door profile (traffic-shift input frontdoor-resource-group); null when Front Door is disabled."
  value       = var.enable_front_door ? var.front_door_resource_group_name : null
}

output "frontdoor_profile" {
  description = "Front Door profile name (traffic-shift input frontdoor-profile); null when Front Door is disabled."
  value       = var.enable_front_door ? azurerm_cdn_frontdoor_profile.this[0].name : null
}

output "frontdoor_origin_group" {
  description = "Front Door origin group name (traffic-shift input frontdoor-origin-group); null when Front Door is disabled."
  value       = var.enable_front_door ? azurerm_cdn_frontdoor_origin_group.cells[0].name : null
}

output "frontdoor_origins" {
  description = "Origin name of each cloud as `aws=<name>,azure=<name>` (traffic-shift input frontdoor-origins); null when Front Door is disabled."
  value       = var.enable_front_door ? join(",", [for key in sort(keys(azurerm_cdn_frontdoor_origin.cells)) : "${key}=${azurerm_cdn_frontdoor_origin.cells[key].name}"]) : null
}

output "frontdoor_endpoint_hostname" {
  description = "Host name of the Front Door endpoint (*.azurefd.net), what the Front Door cell's Route 53 record points to; null when Front Door is disabled."
  value       = local.front_door_endpoint_hostname
}

output "frontdoor_id" {
  description = "The Front Door profile's ID (resource GUID): the X-Azure-FDID header Front Door sends to every origin, which the azure cell's API Management requires (its front_door_id); null when Front Door is disabled."
  value       = var.enable_front_door ? azurerm_cdn_frontdoor_profile.this[0].resource_guid : null
}

output "public_url" {
  description = "The one URL clients use (https://<route53_record_name>); null when Route 53 is disabled."
  value       = var.enable_route53 ? "https://${var.route53_record_name}" : null
}

output "initial_split" {
  description = "The split applied when the routers were created, as `aws=50,azure=50`; live weights are owned by traffic-shift."
  value       = join(",", [for key in sort(keys(var.initial_weights)) : "${key}=${var.initial_weights[key]}"])
}
