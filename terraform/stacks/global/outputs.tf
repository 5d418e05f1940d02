# Named after the traffic-shift action's inputs (route53-hosted-zone-id -> route53_hosted_zone_id),
# so that a workflow maps each output to the input of the same name. Listed in terraform/README.md.

output "route53_hosted_zone_id" {
  description = "traffic-shift route53-hosted-zone-id; null when Route 53 is disabled."
  value       = one(module.routing[*].route53_hosted_zone_id)
}

output "route53_record_name" {
  description = "traffic-shift route53-record-name; null when Route 53 is disabled."
  value       = one(module.routing[*].route53_record_name)
}

output "route53_record_type" {
  description = "traffic-shift route53-record-type (CNAME); null when Route 53 is disabled."
  value       = one(module.routing[*].route53_record_type)
}

output "route53_set_identifiers" {
  description = "traffic-shift route53-set-identifiers, as aws=<id>,azure=<id>; null when Route 53 is disabled."
  value       = one(module.routing[*].route53_set_identifiers)
}

output "azure_subscription_id" {
  description = "traffic-shift azure-subscription-id: the subscription of the Front Door profile."
  value       = data.azurerm_client_config.current.subscription_id
}

output "frontdoor_resource_group" {
  description = "traffic-shift frontdoor-resource-group; null when Front Door is disabled."
  value       = one(module.routing[*].frontdoor_resource_group)
}

output "frontdoor_profile" {
  description = "traffic-shift frontdoor-profile; null when Front Door is disabled."
  value       = one(module.routing[*].frontdoor_profile)
}

output "frontdoor_origin_group" {
  description = "traffic-shift frontdoor-origin-group; null when Front Door is disabled."
  value       = one(module.routing[*].frontdoor_origin_group)
}

output "frontdoor_origins" {
  description = "traffic-shift frontdoor-origins, as aws=<name>,azure=<name>; null when Front Door is disabled."
  value       = one(module.routing[*].frontdoor_origins)
}

output "frontdoor_endpoint_hostname" {
  description = "Host name of the Front Door endpoint (*.azurefd.net); null when Front Door is disabled."
  value       = one(module.routing[*].frontdoor_endpoint_hostname)
}

output "frontdoor_id" {
  description = "The Front Door profile's ID (X-Azure-FDID): the azure stack's front_door_id."
  value       = module.routing.frontdoor_id
}

output "public_url" {
  description = "The one URL clients use (https://<route53_record_name>)."
  value       = module.routing.public_url
}

output "smoke_urls" {
  description = "traffic-shift smoke-urls: each cloud's own health URL, as aws=<url>,azure=<url>; null until both cells are deployed (no routing yet: deploy.yml's first deployment)."
  value       = local.cells_deployed ? local.smoke_urls : null
}

output "initial_split" {
  description = "The split applied when the routers were created, as aws=50,azure=50 (live weights belong to traffic-shift)."
  value       = one(module.routing[*].initial_split)
}
