# The initial split as each router expresses it. Kept apart from the resources (it depends on
# variables only) so that the tests can evaluate it with the real Terraform binary. The
# mapping is the one traffic-shift uses (ADR 6): Route 53 weight = percent (0-100 of 0-255);
# Front Door weight = percent x 10 (1-1000, and 0 is invalid, so 0% is a disabled origin).
locals {
  tags = merge(var.tags, {
    "multicloud:app" = var.name
  })

  route53_cells    = var.enable_route53 ? var.cells : {}
  front_door_cells = var.enable_front_door ? var.cells : {}

  route53_weights    = { for key, cell in var.cells : key => lookup(var.initial_weights, key, 0) }
  front_door_weights = { for key, cell in var.cells : key => max(1, lookup(var.initial_weights, key, 0) * 10) }
  front_door_enabled = { for key, cell in var.cells : key => lookup(var.initial_weights, key, 0) > 0 }

  # Front Door sits behind one cell's Route 53 record (ADR 16): that cell's origin is priority 1,
  # every other cell is a priority-2 backup that Front Door uses only while the primary is
  # disabled (drained) or failing its health probes. Weights only rank origins of one priority.
  front_door_priorities = { for key, cell in var.cells : key => key == var.front_door_cell ? 1 : 2 }

  # A short TTL so that a weight change reaches resolvers within a bake step.
  route53_ttl = 60
}
