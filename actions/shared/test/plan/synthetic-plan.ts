/** Builds plan JSON documents shaped like `terraform show -json` output, for unit tests. */

export interface SyntheticResource {
  address: string;
  actions: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  action_reason?: string;
  replace_paths?: unknown[][];
  previous_address?: string;
  importing?: { id?: string; identity?: unknown };
  deposed?: string;
}

export function syntheticPlan(
  resources: SyntheticResource[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    format_version: '1.2',
    terraform_version: '1.11.4',
    timestamp: '2026-11-24T10:00:00Z',
    resource_changes: resources.map((resource) => {
      const moduleMatch = /^(module\.[^.]+(?:\.module\.[^.]+)*)\./.exec(resource.address);
      const entry: Record<string, unknown> = {
        address: resource.address,
        mode: 'managed',
        type: 'terraform_data',
        name: resource.address.split('.').pop(),
        provider_name: 'terraform.io/builtin/terraform',
        change: {
          actions: resource.actions,
          before: resource.before ?? null,
          after: resource.after ?? null,
          after_unknown: resource.after_unknown ?? {},
          before_sensitive: resource.before_sensitive ?? {},
          after_sensitive: resource.after_sensitive ?? {},
          ...(resource.replace_paths ? { replace_paths: resource.replace_paths } : {}),
          ...(resource.importing ? { importing: resource.importing } : {}),
        },
      };
      if (moduleMatch) entry['module_address'] = moduleMatch[1];
      if (resource.action_reason) entry['action_reason'] = resource.action_reason;
      if (resource.previous_address) entry['previous_address'] = resource.previous_address;
      if (resource.deposed) entry['deposed'] = resource.deposed;
      return entry;
    }),
    ...extra,
  };
}

/** A plan with `count` resources per action, in modules, with long values. */
export function largePlan(counts: {
  create?: number;
  update?: number;
  destroy?: number;
  replace?: number;
}): Record<string, unknown> {
  const resources: SyntheticResource[] = [];
  const long = 'x'.repeat(300);
  for (let i = 0; i < (counts.create ?? 0); i++) {
    resources.push({
      address: `module.m${i % 7}.terraform_data.create_${i}`,
      actions: ['create'],
      after: { input: `${long}${i}` },
      after_unknown: { id: true, output: true },
    });
  }
  for (let i = 0; i < (counts.update ?? 0); i++) {
    resources.push({
      address: `module.m${i % 5}.terraform_data.update_${i}`,
      actions: ['update'],
      before: { id: `id-${i}`, input: { a: `${long}old${i}`, b: i, c: [1, 2, 3] } },
      after: { id: `id-${i}`, input: { a: `${long}new${i}`, b: i + 1, c: [1, 2, 4] } },
    });
  }
  for (let i = 0; i < (counts.destroy ?? 0); i++) {
    resources.push({
      address: `terraform_data.destroy_${i}`,
      actions: ['delete'],
      before: { id: `d-${i}` },
      action_reason: 'delete_because_no_resource_config',
    });
  }
  for (let i = 0; i < (counts.replace ?? 0); i++) {
    resources.push({
      address: `module.r.terraform_data.replace_${i}`,
      actions: ['delete', 'create'],
      before: { id: `r-${i}`, triggers_replace: i },
      after: { triggers_replace: i + 1 },
      after_unknown: { id: true },
      action_reason: 'replace_because_cannot_update',
      replace_paths: [['triggers_replace']],
    });
  }
  return syntheticPlan(resources);
}
