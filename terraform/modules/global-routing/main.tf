################################################################################
# Route 53: one weighted, health-checked record per cloud
################################################################################

resource "aws_route53_health_check" "cells" {
  for_each = local.route53_cells

  type              = "HTTPS"
  fqdn              = each.value.origin_hostname
  port              = 443
  resource_path     = var.health_path
  request_interval  = var.route53_health_check_interval
  failure_threshold = var.route53_health_check_failure_threshold
  enable_sni        = true
  measure_latency   = true

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
  records         = [each.value.dns_target]
  set_identifier  = each.key
  health_check_id = aws_route53_health_check.cells[each.key].id

  weighted_routing_policy {
    weight = local.route53_weights[each.key]
  }

  lifecycle {
    # traffic-shift owns the weights at run time (ChangeResourceRecordSets UPSERT).
    ignore_changes = [weighted_routing_policy]
  }
}

################################################################################
# Azure Front Door: profile, endpoint, origin group, one origin per cloud, route
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
    # everything to the nearest cloud whatever the weights say.
    additional_latency_in_milliseconds = var.front_door_additional_latency_in_milliseconds
    sample_size                        = 4
    successful_samples_required        = 3
  }
}

resource "azurerm_cdn_frontdoor_origin" "cells" {
  for_each = local.front_door_cells

  name                          = each.key
  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.cells[0].id

  host_name                      = each.value.origin_hostname
  origin_host_header             = each.value.origin_hostname
  http_port                      = 80
  https_port                     = 443
  certificate_name_check_enabled = true
  priority                       = 1
  weight                         = local.front_door_weights[each.key]
  enabled                        = local.front_door_enabled[each.key]

  lifecycle {
    # traffic-shift owns weight and enabled state at run time (0% = disabled origin).
    ignore_changes = [weight, enabled]
  }
}

resource "azurerm_cdn_frontdoor_route" "cells" {
  count = var.enable_front_door ? 1 : 0

  name                          = "cells"
  cdn_frontdoor_endpoint_id     = azurerm_cdn_frontdoor_endpoint.this[0].id
  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.cells[0].id
  cdn_frontdoor_origin_ids      = [for origin in azurerm_cdn_frontdoor_origin.cells : origin.id]

  patterns_to_match      = ["/*"]
  supported_protocols    = ["Http", "Https"]
  https_redirect_enabled = true
  forwarding_protocol    = "HttpsOnly"
  link_to_default_domain = true
}
