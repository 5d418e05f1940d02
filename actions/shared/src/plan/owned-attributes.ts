/**
 * Attributes that something other than Terraform owns at run time, left out of drift reports.
 * traffic-shift moves the Route 53 record weights and the Front Door origin weight/enabled
 * state on every rollout; the modules tell Terraform to ignore them (`lifecycle.ignore_changes`),
 * but a refresh-only plan still reports every such move as drift. Counting them would open a
 * drift issue after every traffic shift and comment on it after every step.
 *
 * A pattern is `<resource type>.<attribute>[.<nested attribute>...]`, e.g.
 * `azurerm_cdn_frontdoor_origin.weight`. Lists and sets of nested blocks are looked through,
 * so `aws_route53_record.weighted_routing_policy.weight` matches the `weight` of every
 * `weighted_routing_policy` block (shown as `weighted_routing_policy[0].weight`); an index
 * written in the pattern (`[0]`, `[*]`) is accepted and means the same.
 */
import { attributeChanges } from './attribute-diff.js';
import type { ResourceChange } from './plan-model.js';

export interface OwnedAttribute {
  /** The pattern as written, for reports. */
  text: string;
  resourceType: string;
  /** Attribute names from the resource down; list indexes are left out. */
  path: string[];
}

/** The attributes traffic-shift owns (see terraform/modules/global-routing). */
export const TRAFFIC_SHIFT_ATTRIBUTES = [
  'aws_route53_record.weighted_routing_policy.weight',
  'azurerm_cdn_frontdoor_origin.weight',
  'azurerm_cdn_frontdoor_origin.enabled',
] as const;

const PATTERN = /^[a-z][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_-]*(\[(\d+|\*)\])*)+$/;

/** Parses one pattern; returns undefined when it is not of the accepted form. */
export function parseOwnedAttribute(text: string): OwnedAttribute | undefined {
  if (!PATTERN.test(text)) return undefined;
  const [resourceType, ...rest] = text.replace(/\[(\d+|\*)\]/g, '').split('.');
  return { text, resourceType: resourceType as string, path: rest };
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `value` without `path` (lists looked through); `value` itself is not changed. */
function without(value: unknown, path: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => without(item, path));
  if (!isObject(value) || path.length === 0) return value;
  const [key, ...rest] = path as [string, ...string[]];
  if (!(key in value)) return value;
  if (rest.length === 0)
    return Object.fromEntries(Object.entries(value).filter(([name]) => name !== key));
  return { ...value, [key]: without(value[key], rest) };
}

export interface OwnedAttributeFilter {
  /** The drift that is left; resources whose only drift was owned attributes are dropped. */
  kept: ResourceChange[];
  /** Patterns that matched a drifted attribute, in the order given. */
  matched: string[];
}

function strip(change: ResourceChange, patterns: readonly OwnedAttribute[]): ResourceChange {
  const stripped = { ...change };
  for (const { path } of patterns) {
    stripped.before = without(stripped.before, path);
    stripped.after = without(stripped.after, path);
    stripped.beforeSensitive = without(stripped.beforeSensitive, path);
    stripped.afterSensitive = without(stripped.afterSensitive, path);
    stripped.afterUnknown = without(stripped.afterUnknown, path);
  }
  return stripped;
}

function changedAttributeCount(change: ResourceChange): number {
  return attributeChanges(
    change.before,
    change.after,
    change.beforeSensitive,
    change.afterSensitive,
    change.afterUnknown,
  ).length;
}

/**
 * Removes owned attributes from drifted resources. A resource deleted outside Terraform stays
 * whole: its owned attributes are not what drifted.
 */
export function withoutOwnedAttributes(
  drifted: readonly ResourceChange[],
  owned: readonly OwnedAttribute[],
): OwnedAttributeFilter {
  const matched = new Set<string>();
  const kept: ResourceChange[] = [];
  for (const change of drifted) {
    const patterns = owned.filter((pattern) => pattern.resourceType === change.type);
    if (patterns.length === 0 || change.kind === 'destroy') {
      kept.push(change);
      continue;
    }
    const total = changedAttributeCount(change);
    if (total === 0) {
      kept.push(change);
      continue;
    }
    for (const pattern of patterns) {
      if (changedAttributeCount(strip(change, [pattern])) < total) matched.add(pattern.text);
    }
    const stripped = strip(change, patterns);
    if (changedAttributeCount(stripped) > 0) kept.push(stripped);
  }
  return {
    kept,
    matched: owned.map((pattern) => pattern.text).filter((text) => matched.has(text)),
  };
}
