# One public host name (var.route53_record_name, e.g. api.example.com) in front of both clouds
# (ADR 16):
#
#   client -> Route 53 weighted record (TTL 60, one health-checked record per cloud)
#               aws   -> API Gateway custom domain (ACM certificate, in the aws cell)
#               azure -> Front Door custom domain (managed certificate) -> origin group
#                          priority 1: API Management (checks X-Azure-FDID, in the azure cell)
#                          priority 2: the AWS cell's own name, used only while the first is
#                                      disabled or unhealthy (clients whose resolvers cached
#                                      the Front Door answer are still served)
#
# Front Door also serves the Front Door cell's own name (azure.api.example.com) with an origin
# group holding only API Management: the Route 53 health check of that cell, the smoke tests
# and the peer cell call it, since API Management refuses any traffic that does not come
# through this Front Door profile.

locals {
  # Each cell's own name: what its Route 53 health check and the smoke tests call.
  cell_hostnames = { for key, cell in var.cells : key => coalesce(cell.cell_hostname, cell.origin_hostname) }

  # The Front Door cell's record points at Front Door when there is one; every other record at
  # its cell's custom domain target.
  front_door_endpoint_hostname = var.enable_front_door ? azurerm_cdn_frontdoor_endpoint.this[0].host_name : null
  record_targets = {
    for key, cell in var.cells : key => (
      key == var.front_door_cell && var.enable_front_door ? local.front_door_endpoint_hostname : cell.dns_target
    )
  }

  # Front Door custom domains: the public name, and the Front Door cell's own name. Their
  # validation TXT records and CNAMEs live in the Route 53 zone, so both routers are needed.
  front_door_domains = var.enable_front_door && var.enable_route53 ? {
    public = var.route53_record_name
    cell   = local.cell_hostnames[var.front_door_cell]
  } : {}
}

################################################################################
# Route 53: one weighted, health-checked record per cloud
################################################################################

resource "aws_route53_health_check" "cells" {
  for_each = local.route53_cells

  type              = "HTTPS"
  fqdn              = local.cell_hostnames[each.key]
  port              = 443
  resource_path     = var.health_path
  request_interval  = var.route53_health_check_interval
  failure_threshold = var.route53_health_check_failure_threshold
  # Route 53 resolves fqdn and sends it as Host and SNI, so API Gateway and Front Door find
  # the custom domain (Route 53 Developer Guide, "Values that you specify when you create or
  # update health checks": FullyQualifiedDomainName, EnableSNI).
  enable_sni      = true
  measure_latency = true

  tags = merge(local.tags, {
    Name = "${var.name}-${each.key}-health"
  })
}

resource "aws_route53_record" "cells" {
  for_each = local.route53_cells

  zone_id         = var.route53_zone_id
  name            = var.route53_record_name
  type            = "CNAME"
  ttl             = local.route53_ttl
  records         = [local.record_targets[each.key]]
  set_identifier  = each.key
  health_check_id = aws_route53_health_check.cells[each.key].id

  weighted_routing_policy {
    weight = local.route53_weights[each.key]
  }

  lifecycle {
    # traffic-shift owns the weights at run time (ChangeResourceRecordSets UPSERT).
    ignore_changes = [weighted_routing_policy]
  }

  # Front Door answers for the name only once the route lists the custom domain (provider
  # docs, azurerm_cdn_frontdoor_custom_domain: "Example CNAME Record Usage").
  depends_on = [azurerm_cdn_frontdoor_route.public]
}

# The Front Door cell's own name: a plain CNAME to the Front Door endpoint (the AWS cell
# writes its own name's record next to its API Gateway custom domain).
resource "aws_route53_record" "front_door_cell" {
  count = length(local.front_door_domains) > 0 ? 1 : 0

  zone_id = var.route53_zone_id
  name    = local.front_door_domains.cell
  type    = "CNAME"
  ttl     = local.route53_ttl
  records = [local.front_door_endpoint_hostname]

  depends_on = [azurerm_cdn_frontdoor_route.cell]
}

# Front Door's domain validation: `_dnsauth.<name>` TXT with the token Front Door issues. It
# issues a new token when a managed certificate needs revalidation (a name reached through a
# weighted record is not a direct CNAME to Front Door, so renewal may ask for it: Front Door
# docs, "Domains in Azure Front Door", Certificate renewal); the next plan shows the TXT
# change and the drift workflow reports it.
resource "aws_route53_record" "front_door_validation" {
  for_each = local.front_door_domains

  zone_id = var.route53_zone_id
  name    = "_dnsauth.${each.value}"
  type    = "TXT"
  ttl     = 3600
  records = [azurerm_cdn_frontdoor_custom_domain.this[each.key].validation_token]
}

################################################################################
# Azure Front Door: profile, endpoint, custom domains, origin groups, origins, routes
################################################################################

resource "azurerm_cdn_frontdoor_profile" "this" {
  count = var.enable_front_door ? 1 : 0

  name                     = "${var.name}-fd"
  resource_group_name      = var.front_door_resource_group_name
  sku_name                 = var.front_door_sku_name
  response_timeout_seconds = 60

  tags = local.tags
}

resource "azurerm_cdn_frontdoor_endpoint" "this" {
  count = var.enable_front_door ? 1 : 0

  name                     = var.name
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.this[0].id

  tags = local.tags
}

resource "azurerm_cdn_frontdoor_custom_domain" "this" {
  for_each = local.front_door_domains

  name                     = "${var.name}-${each.key}"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.this[0].id
  host_name                = each.value

  tls {
    # Front Door issues and renews the certificate (DigiCert); validated by the TXT record above.
    certificate_type    = "ManagedCertificate"
    minimum_tls_version = "TLS12"
  }
}

resource "azurerm_cdn_frontdoor_origin_group" "cells" {
  count = var.enable_front_door ? 1 : 0

  name                     = "cells"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.this[0].id
  session_affinity_enabled = false

  restore_traffic_time_to_healed_or_new_endpoint_in_minutes = 5

  health_probe {
    path                = var.health_path
    protocol            = "Https"
    request_type        = "GET"
    interval_in_seconds = var.front_door_health_probe_interval
  }

  load_balancing {
    # Weights only apply among origins inside this latency window; 0 ms would send nearly
    # everything to the nearest origin whatever the weights say.
    additional_latency_in_milliseconds = var.front_door_additional_latency_in_milliseconds
    sample_size                        = 4
    successful_samples_required        = 3
  }
}

resource "azurerm_cdn_frontdoor_origin" "cells" {
  for_each = local.front_door_cells

  name                          = each.key
  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.cells[0].id

  # API Management's own host for the Front Door cell; the other cells' own custom domain
  # (never the public name, which would resolve back through Route 53 to Front Door).
  host_name                      = each.value.origin_hostname
  origin_host_header             = each.value.origin_hostname
  http_port                      = 80
  https_port                     = 443
  certificate_name_check_enabled = true
  priority                       = local.front_door_priorities[each.key]
  weight                         = local.front_door_weights[each.key]
  enabled                        = local.front_door_enabled[each.key]

  lifecycle {
    # traffic-shift owns weight and enabled state at run time (0% = disabled origin).
    ignore_changes = [weight, enabled]
  }
}

# The Front Door cell alone, for its own name: health checks, smoke tests and the peer cell
# must reach that cell, never a backup.
resource "azurerm_cdn_frontdoor_origin_group" "cell" {
  count = var.enable_front_door ? 1 : 0

  name                     = "cell-${var.front_door_cell}"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.this[0].id
  session_affinity_enabled = false

  health_probe {
    path                = var.health_path
    protocol            = "Https"
    request_type        = "GET"
    interval_in_seconds = var.front_door_health_probe_interval
  }

  load_balancing {
    additional_latency_in_milliseconds = var.front_door_additional_latency_in_milliseconds
    sample_size                        = 4
    successful_samples_required        = 3
  }
}

resource "azurerm_cdn_frontdoor_origin" "cell" {
  count = var.enable_front_door ? 1 : 0

  name                          = var.front_door_cell
  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.cell[0].id

  host_name                      = var.cells[var.front_door_cell].origin_hostname
  origin_host_header             = var.cells[var.front_door_cell].origin_hostname
  http_port                      = 80
  https_port                     = 443
  certificate_name_check_enabled = true
  priority                       = 1
  weight                         = 1000
  enabled                        = true
}

resource "azurerm_cdn_frontdoor_route" "public" {
  count = var.enable_front_door ? 1 : 0

  name                          = "public"
  cdn_frontdoor_endpoint_id     = azurerm_cdn_frontdoor_endpoint.this[0].id
  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.cells[0].id
  cdn_frontdoor_origin_ids      = [for origin in azurerm_cdn_frontdoor_origin.cells : origin.id]

  cdn_frontdoor_custom_domain_ids = contains(keys(local.front_door_domains), "public") ? [azurerm_cdn_frontdoor_custom_domain.this["public"].id] : []
  # Without a custom domain the *.azurefd.net name is the only way in; with one, clients use it.
  link_to_default_domain = length(local.front_door_domains) == 0

  patterns_to_match      = ["/*"]
  supported_protocols    = ["Http", "Https"]
  https_redirect_enabled = true
  forwarding_protocol    = "HttpsOnly"
}

resource "azurerm_cdn_frontdoor_route" "cell" {
  count = length(local.front_door_domains) > 0 ? 1 : 0

  name                          = "cell-${var.front_door_cell}"
  cdn_frontdoor_endpoint_id     = azurerm_cdn_frontdoor_endpoint.this[0].id
  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.cell[0].id
  cdn_frontdoor_origin_ids      = [azurerm_cdn_frontdoor_origin.cell[0].id]

  cdn_frontdoor_custom_domain_ids = [azurerm_cdn_frontdoor_custom_domain.this["cell"].id]
  link_to_default_domain          = false

  patterns_to_match      = ["/*"]
  supported_protocols    = ["Http", "Https"]
  https_redirect_enabled = true
  forwarding_protocol    = "HttpsOnly"
}
