// The modules' variable validations, evaluated by the real Terraform binary: a folder holding
// only a module's variables.tf needs no provider, so `terraform plan` runs here and reports
// every validation rule that a value breaks.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformRoot } from './support/terraform-module.js';

let work: string;
let cliConfig: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tf-validation-'));
  cliConfig = join(work, 'terraformrc');
  writeFileSync(cliConfig, '');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Plans a folder that holds only `module`'s variables.tf, with the given values (HCL). */
function plan(module: string, values: Record<string, string>): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(work, 'module-'));
  copyFileSync(join(terraformRoot, module, 'variables.tf'), join(dir, 'variables.tf'));
  // Stand-ins for what `npm run build:functions` writes; the cells check that they exist.
  mkdirSync(join(dir, 'build', 'aws'), { recursive: true });
  for (const file of [
    'aws/http.zip',
    'aws/order-events.zip',
    'aws/replication.zip',
    'aws/lease-renewal.zip',
    'azure.zip',
  ])
    writeFileSync(join(dir, 'build', file), 'zip');
  writeFileSync(
    join(dir, 'test.auto.tfvars'),
    Object.entries(values)
      .map(([name, value]) => `${name} = ${value}\n`)
      .join(''),
  );
  const result = spawnSync('terraform', ['plan', '-input=false', '-no-color', '-lock=false'], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      TF_CLI_CONFIG_FILE: cliConfig,
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
    },
  });
  if (result.error)
    throw new Error(
      `terraform could not run (${result.error.message}); install Terraform 1.11 on PATH`,
    );
  // Terraform wraps long messages to the terminal width: compare with whitespace collapsed.
  return {
    ok: result.status === 0,
    output: `${result.stdout}${result.stderr}`.replace(/\s+/g, ' '),
  };
}

describe('global-routing', () => {
  const base = {
    name: '"shop"',
    cells:
      '{ aws = { origin_hostname = "a.example.com", dns_target = "a.example.com" }, azure = { origin_hostname = "b.example.com", dns_target = "b.example.com" } }',
    route53_zone_id: '"Z0123456789ABCDEFGHIJ"',
    route53_record_name: '"api.example.com"',
    front_door_resource_group_name: '"rg-global"',
  };

  it('accepts the defaults and a 100/0 split', () => {
    expect(plan('modules/global-routing', base)).toMatchObject({ ok: true });
    expect(
      plan('modules/global-routing', { ...base, initial_weights: '{ aws = 100, azure = 0 }' }),
    ).toMatchObject({ ok: true });
  });

  it.each([
    ['a split that does not sum to 100', '{ aws = 60, azure = 30 }'],
    ['a weight over 100', '{ aws = 150, azure = -50 }'],
    ['a fraction', '{ aws = 50.5, azure = 49.5 }'],
  ])('rejects %s', (_what, weights) => {
    const result = plan('modules/global-routing', { ...base, initial_weights: weights });
    expect(result.ok).toBe(false);
    expect(result.output).toContain(
      'initial_weights must be whole percentages from 0 to 100 that sum to 100.',
    );
  });

  it('rejects a Front Door latency window under 500 ms, which would make the weights meaningless', () => {
    for (const latency of ['0', '499']) {
      const result = plan('modules/global-routing', {
        ...base,
        front_door_additional_latency_in_milliseconds: latency,
      });
      expect(result.ok).toBe(false);
      expect(result.output).toContain(
        'front_door_additional_latency_in_milliseconds must be between 500 and 1000',
      );
    }
    expect(
      plan('modules/global-routing', {
        ...base,
        front_door_additional_latency_in_milliseconds: '500',
      }),
    ).toMatchObject({
      ok: true,
    });
  });

  it('rejects weights for other clouds than the cells', () => {
    const result = plan('modules/global-routing', {
      ...base,
      initial_weights: '{ aws = 50, gcp = 50 }',
    });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('initial_weights must have exactly one entry per cell');
  });

  it.each([
    ['route53_zone_id', 'route53_zone_id is required when enable_route53 is true.'],
    ['route53_record_name', 'route53_record_name is required when enable_route53 is true.'],
    [
      'front_door_resource_group_name',
      'front_door_resource_group_name is required when enable_front_door is true.',
    ],
  ])('requires %s while its router is enabled, not when it is disabled', (name, message) => {
    const without = Object.fromEntries(Object.entries(base).filter(([key]) => key !== name));
    const result = plan('modules/global-routing', without);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(message);
    const disable = name.startsWith('route53') ? 'enable_route53' : 'enable_front_door';
    expect(plan('modules/global-routing', { ...without, [disable]: 'false' })).toMatchObject({
      ok: true,
    });
  });

  it('rejects cells keyed by something other than a cloud name', () => {
    const result = plan('modules/global-routing', {
      ...base,
      cells: '{ "AWS cell" = { origin_hostname = "a", dns_target = "a" } }',
    });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('cells needs at least one entry, keyed by a cloud name');
  });
});

/** The secret holding the peer key, as each cloud names it (ADR 17): never the key itself. */
const peerKeySecretIds: Record<string, string> = {
  'modules/aws-cell':
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:multicloud/peer-shared-key-AbCdEf',
  'modules/azure-cell':
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/shop-peer-kv/secrets/peer-shared-key',
};

describe.each(['modules/aws-cell', 'modules/azure-cell'])('%s', (module) => {
  const base: Record<string, string> = {
    name: '"shop"',
    environment: '"prod"',
    app_version: '"1.4.0"',
    artifact_path: module === 'modules/aws-cell' ? '"build/aws"' : '"build/azure.zip"',
    peer_cell_url: '"https://peer.example.com"',
    peer_shared_key_secret_id: `"${peerKeySecretIds[module]}"`,
    auth_issuer: '"https://login.example.com/"',
    auth_audience: '"https://api.example.com"',
    auth_jwks_url: '"https://login.example.com/.well-known/jwks.json"',
    ...(module === 'modules/azure-cell'
      ? {
          resource_group_name: '"rg"',
          location: '"westeurope"',
          apim_publisher_name: '"Example"',
          apim_publisher_email: '"ops@example.com"',
        }
      : {}),
  };

  it('accepts a valid cell', () => {
    const result = plan(module, base);
    expect([result.ok, result.output]).toEqual([true, expect.stringContaining('No changes')]);
  });

  it.each([
    ['name', '"Shop_AWS"', 'name must be 3-32 characters'],
    ['environment', '"Production-1"', 'environment must be 1-10 lowercase letters or digits'],
    ['app_version', '"1.4.0 beta"', 'app_version must be 1-64 letters, digits'],
    ['peer_cell_url', '""', 'peer_cell_url must be an https:// URL'],
    ['peer_cell_url', '"http://peer.example.com"', 'peer_cell_url must be an https:// URL'],
    // The key itself where the secret's ID belongs, and the other cloud's ID.
    [
      'peer_shared_key_secret_id',
      '"GzV0n7bq3c0m2Xr4h8J1s5k9W6e2T0p4L7y3U1i5O9a2D6f8H0j4K7l1Z3x5C7v9"',
      'peer_shared_key_secret_id must be a',
    ],
    [
      'peer_shared_key_secret_id',
      `"${peerKeySecretIds[module === 'modules/aws-cell' ? 'modules/azure-cell' : 'modules/aws-cell']}"`,
      'peer_shared_key_secret_id must be a',
    ],
    ['auth_issuer', '"http://login.example.com/"', 'auth_issuer must be an https:// URL'],
    ['auth_jwks_url', '"login.example.com/jwks"', 'auth_jwks_url must be an https:// URL'],
    ['auth_audience', '"api example"', 'auth_audience must be 1-256 visible ASCII'],
    ['auth_admin_scope', '"inventory admin"', 'auth_admin_scope must be one OAuth scope'],
    // A hub keeps events 7 days at most (Standard); whole hours only.
    ['replication_outage_hours', '0', 'replication_outage_hours must be a whole number'],
    ['replication_outage_hours', '169', 'replication_outage_hours must be a whole number'],
    ['replication_outage_hours', '1.5', 'replication_outage_hours must be a whole number'],
    // EventBridge runs a schedule at most once a minute; a lease spans two renewals (ADR 25).
    ['inventory_lease_renew_ms', '90000', 'inventory_lease_renew_ms must be whole minutes'],
    ['inventory_lease_ms', '60000', 'inventory_lease_ms must be a whole number of ms from 120000'],
    ['inventory_lease_budget', '0', 'inventory_lease_budget must be a whole number'],
  ])('rejects %s = %s', (name, value, message) => {
    const result = plan(module, { ...base, [name]: value });
    expect(result.ok).toBe(false);
    expect(result.output).toContain(message);
  });

  it('takes a replication outage of 1 to 168 whole hours', () => {
    expect(plan(module, { ...base, replication_outage_hours: '1' })).toMatchObject({ ok: true });
    expect(plan(module, { ...base, replication_outage_hours: '168' })).toMatchObject({ ok: true });
  });

  it('rejects a log retention the cloud does not accept', () => {
    const result = plan(module, { ...base, log_retention_in_days: '2' });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('log_retention_in_days must be');
    expect(plan(module, { ...base, log_retention_in_days: '90' })).toMatchObject({ ok: true });
  });

  it('rejects a missing package, saying how to build it', () => {
    const result = plan(module, { ...base, artifact_path: '"build/nothing"' });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('run `npm run build:functions` first.');
  });

  it('rejects a cell name that is not a host name', () => {
    const result = plan(module, { ...base, cell_domain_name: '"https://cell.example.com/"' });
    expect(result.ok).toBe(false);
    expect(result.output).toContain(
      'cell_domain_name must be a lowercase fully qualified host name',
    );
    expect(plan(module, { ...base, cell_domain_name: '"cell.api.example.com"' })).toMatchObject({
      ok: true,
    });
  });

  if (module === 'modules/aws-cell') {
    it('requires the cell name and the DNS zone with the public custom domain', () => {
      const result = plan(module, { ...base, custom_domain_name: '"api.example.com"' });
      expect(result.ok).toBe(false);
      expect(result.output).toContain(
        'cell_domain_name is required when custom_domain_name is set',
      );
      const noZone = plan(module, {
        ...base,
        custom_domain_name: '"api.example.com"',
        cell_domain_name: '"aws.api.example.com"',
      });
      expect(noZone.ok).toBe(false);
      expect(noZone.output).toContain(
        'dns_zone_id (the Route 53 hosted zone of the custom domains) is required',
      );
      expect(
        plan(module, {
          ...base,
          custom_domain_name: '"api.example.com"',
          cell_domain_name: '"aws.api.example.com"',
          dns_zone_id: '"Z0123456789ABCDEFGHIJ"',
        }),
      ).toMatchObject({ ok: true });
    });
    it('keeps each route throttle under the stage limit', () => {
      const routes = (admin: string) =>
        `{ public = { burst_limit = 50, rate_limit = 20 }, customer = { burst_limit = 500, rate_limit = 250 }, admin = ${admin} }`;
      const result = plan(module, {
        ...base,
        api_route_throttling: routes('{ burst_limit = 5000, rate_limit = 10 }'),
      });
      expect(result.ok).toBe(false);
      expect(result.output).toContain(
        "api_route_throttling limits must be positive and at most the stage's",
      );
      expect(
        plan(module, {
          ...base,
          api_route_throttling: routes('{ burst_limit = 5, rate_limit = 1 }'),
        }),
      ).toMatchObject({ ok: true });
    });
  } else {
    it('takes only a Front Door profile GUID as front_door_id', () => {
      const result = plan(module, { ...base, front_door_id: '"my-front-door"' });
      expect(result.ok).toBe(false);
      expect(result.output).toContain(
        "front_door_id must be the Front Door profile's resource GUID",
      );
      expect(
        plan(module, { ...base, front_door_id: '"3f2504e0-4f89-11d3-9a0c-0305e82c3301"' }),
      ).toMatchObject({ ok: true });
    });

    it('takes only a classic API Management tier as apim_sku_name', () => {
      // Consumption and the v2 tiers have no IP addresses of their own (ADR 14).
      for (const tier of ['"Consumption_0"', '"StandardV2_1"']) {
        const result = plan(module, { ...base, apim_sku_name: tier });
        expect([tier, result.ok]).toEqual([tier, false]);
        expect(result.output).toContain(
          'apim_sku_name must be a classic API Management tier: Developer_1, Basic_1',
        );
      }
      expect(plan(module, { ...base, apim_sku_name: '"Basic_1"' })).toMatchObject({ ok: true });
    });

    it('takes a per-address limit no smaller than the per-subject one, 1200 when left out', () => {
      const result = plan(module, {
        ...base,
        client_rate_limit: '{ calls = 300, calls_per_address = 100, renewal_period_seconds = 60 }',
      });
      expect(result.ok).toBe(false);
      expect(result.output).toContain('calls_per_address of at least calls');
      // Without calls_per_address: its default (1200) is at least calls.
      expect(
        plan(module, {
          ...base,
          client_rate_limit: '{ calls = 600, renewal_period_seconds = 60 }',
        }),
      ).toMatchObject({ ok: true });
      const tooMany = plan(module, {
        ...base,
        client_rate_limit: '{ calls = 2000, renewal_period_seconds = 60 }',
      });
      expect(tooMany.ok).toBe(false);
      expect(
        plan(module, {
          ...base,
          client_rate_limit: '{ calls = 10, renewal_period_seconds = 301 }',
        }).output,
      ).toContain('renewal_period_seconds from 1 to 300');
    });
  }

  it('requires the peer cell URL (the functions refuse to start without PEER_URL)', () => {
    const { peer_cell_url: _omitted, ...withoutPeer } = base;
    const result = plan(module, withoutPeer);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('No value for required variable');
  });
});

describe('modules/aws-cell permissions_boundary_arn', () => {
  const base: Record<string, string> = {
    name: '"shop"',
    environment: '"prod"',
    app_version: '"1.4.0"',
    artifact_path: '"build/aws"',
    peer_cell_url: '"https://peer.example.com"',
    peer_shared_key_secret_id: `"${peerKeySecretIds['modules/aws-cell']}"`,
    auth_issuer: '"https://login.example.com/"',
    auth_audience: '"https://api.example.com"',
    auth_jwks_url: '"https://login.example.com/.well-known/jwks.json"',
  };

  it('accepts an IAM policy ARN or nothing, and rejects anything else', () => {
    expect(plan('modules/aws-cell', base)).toMatchObject({ ok: true });
    expect(
      plan('modules/aws-cell', {
        ...base,
        permissions_boundary_arn:
          '"arn:aws:iam::123456789012:policy/multicloud-cell-function-boundary"',
      }),
    ).toMatchObject({ ok: true });
    const result = plan('modules/aws-cell', {
      ...base,
      permissions_boundary_arn: '"multicloud-cell-function-boundary"',
    });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('permissions_boundary_arn must be an IAM policy ARN');
  });
});
