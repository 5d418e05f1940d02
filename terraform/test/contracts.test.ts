// Contracts between the Terraform and its users: the two cell modules are interchangeable, the
// stacks expose the outputs the workflows read (under the names terraform/README.md lists),
// the example tfvars fit the stacks, and every module README documents its inputs and outputs.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { ROUTING_INPUTS } from '../../rollout/src/sequence.js';
import { templateReferences } from './support/expression-references.js';
import { awsSettingsSchema } from '../../functions/src/aws/config.js';
import { azureSettingsSchema } from '../../functions/src/azure/config.js';
import { readmeTables } from './support/readme-tables.js';
import {
  bootstrapDirs,
  loadedModules,
  moduleDirs,
  parseHcl,
  stackDirs,
  terraformRoot,
  type TerraformModule,
} from './support/terraform-module.js';

/** Variables that only one cloud needs, with the reason; every other variable is shared. */
const cloudSpecificVariables: Record<string, string[]> = {
  'modules/aws-cell': [
    'lambda_runtime',
    'lambda_architecture',
    'lambda_packages',
    'lambda_memory_size',
    'lambda_timeout',
    'queue_max_receive_count',
    'queue_batch_size',
    'kms_key_arn',
    'api_throttling_burst_limit',
    'api_throttling_rate_limit',
    'permissions_boundary_arn',
    // The public name is an API Gateway custom domain on AWS; on Azure Front Door serves it.
    'custom_domain_name',
    'custom_domain_certificate_id',
    'dns_zone_id',
    'api_route_throttling',
  ],
  'modules/azure-cell': [
    'resource_group_name',
    'location',
    'storage_account_name',
    'storage_replication_type',
    'node_version',
    'function_route_prefix',
    'function_maximum_instance_count',
    'function_instance_memory_in_mb',
    'apim_publisher_name',
    'apim_publisher_email',
    'eventhub_partition_count',
    'eventhub_message_retention_in_days',
    'notification_hub_sku',
    // API Management accepts only this Front Door profile's traffic (ADR 16).
    'front_door_id',
    'apim_sku_name',
    'client_rate_limit',
    // Pull-request plans read the cell's own two secrets, nothing else of its group (ADR 17).
    'plan_principal_id',
  ],
};

/** The cell contract named in the issue: both cells take these. */
const sharedVariables = [
  'name',
  'environment',
  'app_version',
  'artifact_path',
  'peer_cell_url',
  // The secret holding the key of the signed calls between cells (ADR 17), never the key.
  'peer_shared_key_secret_id',
  'tags',
  // The one token issuer both cells trust (ADR 14).
  'auth_issuer',
  'auth_audience',
  'auth_jwks_url',
  'auth_admin_scope',
];

/**
 * What the workflows read. traffic-shift inputs (route53-*, azure-subscription-id,
 * frontdoor-*, smoke-urls) map to the global stack's outputs by replacing - with _;
 * deploy smoke-tests each cell on its own health_url.
 */
const workflowOutputs: Record<string, string[]> = {
  'stacks/global': [
    'route53_hosted_zone_id',
    'route53_record_name',
    'route53_record_type',
    'route53_set_identifiers',
    'azure_subscription_id',
    'frontdoor_resource_group',
    'frontdoor_profile',
    'frontdoor_origin_group',
    'frontdoor_origins',
    'smoke_urls',
  ],
  'stacks/aws': ['base_url', 'health_url', 'origin_hostname', 'dns_target'],
  'stacks/azure': ['base_url', 'health_url', 'origin_hostname', 'dns_target'],
};

/** What the deploy workflow's rollout reads from the global stack's outputs (rollout/src). */
const trafficShiftInputs: readonly string[] = ROUTING_INPUTS;

const modules = loadedModules([...moduleDirs, ...stackDirs, ...bootstrapDirs]);
const get = modules.get;

beforeAll(modules.load);

describe('cell contract', () => {
  it('both cell modules take the shared variables, with the same types', () => {
    const aws = get('modules/aws-cell');
    const azure = get('modules/azure-cell');
    for (const name of sharedVariables) {
      expect([name, aws.variables.has(name), azure.variables.has(name)]).toEqual([
        name,
        true,
        true,
      ]);
    }
    for (const [name, { body }] of aws.variables) {
      const other = azure.variables.get(name);
      if (other) expect([name, body.type]).toEqual([name, other.body.type]);
    }
  });

  it('every variable is in both cell modules, or listed as cloud-specific', () => {
    const aws = get('modules/aws-cell');
    const azure = get('modules/azure-cell');
    const only = (module: TerraformModule, other: TerraformModule) =>
      [...module.variables.keys()].filter((name) => !other.variables.has(name)).sort();
    expect(only(aws, azure)).toEqual(
      [...(cloudSpecificVariables['modules/aws-cell'] ?? [])].sort(),
    );
    expect(only(azure, aws)).toEqual(
      [...(cloudSpecificVariables['modules/azure-cell'] ?? [])].sort(),
    );
  });

  it('both cell modules expose the same outputs', () => {
    const outputs = (dir: string) => [...get(dir).outputs.keys()].sort();
    expect(outputs('modules/aws-cell')).toEqual(outputs('modules/azure-cell'));
    expect(outputs('modules/aws-cell')).toEqual(expect.arrayContaining(['base_url', 'health_url']));
  });

  it('both cell stacks expose the same outputs', () => {
    expect([...get('stacks/aws').outputs.keys()].sort()).toEqual(
      [...get('stacks/azure').outputs.keys()].sort(),
    );
  });
});

describe('outputs the workflows read', () => {
  it.each(Object.entries(workflowOutputs))('%s has every output a workflow reads', (dir, names) => {
    const module = get(dir);
    expect(names.filter((name) => !module.outputs.has(name))).toEqual([]);
  });

  it('the inputs the rollout maps outputs to are traffic-shift action inputs', () => {
    const action = readFileSync(join(terraformRoot, '../actions/traffic-shift/action.yml'), 'utf8');
    const inputs = action.slice(action.indexOf('\ninputs:'), action.indexOf('\noutputs:'));
    expect(trafficShiftInputs.filter((input) => !inputs.includes(`\n  ${input}:`))).toEqual([]);
  });

  it('every traffic-shift router and check input has a global stack output of the same name', () => {
    const global = get('stacks/global');
    expect(
      trafficShiftInputs
        .map((input) => input.replaceAll('-', '_'))
        .filter((name) => !global.outputs.has(name)),
    ).toEqual([]);
  });

  it('the global stack only reads outputs the cell stacks have (terraform_remote_state)', () => {
    const global = get('stacks/global');
    const read: Array<[string, string]> = [];
    for (const { value } of global.locals.values()) {
      for (const reference of templateReferences(JSON.stringify(value))) {
        const names = reference.segments.flatMap((segment) =>
          segment.kind === 'name' ? [segment.name] : [],
        );
        if (
          names[0] === 'data' &&
          names[1] === 'terraform_remote_state' &&
          names[3] === 'outputs'
        ) {
          read.push([names[2] ?? '', names[4] ?? '']);
        }
      }
    }
    expect(read.length).toBeGreaterThanOrEqual(6);
    for (const [stack, output] of read) {
      expect([stack, output, get(`stacks/${stack}`).outputs.has(output)]).toEqual([
        stack,
        output,
        true,
      ]);
    }
  });

  it('terraform/README.md lists every stack output', () => {
    const readme = readFileSync(join(terraformRoot, 'README.md'), 'utf8');
    for (const dir of stackDirs) {
      const missing = [...get(dir).outputs.keys()].filter(
        (name) => !readme.includes(`\`${name}\``),
      );
      expect([dir, missing]).toEqual([dir, []]);
    }
  });
});

/**
 * The settings each cell module gives its functions, against the schemas the functions
 * validate at cold start (functions/src/{aws,azure}/config.ts): every required one is set (or set by the
 * platform), and nothing is set that the functions do not read (a typo, or a setting such as a
 * consumer group that Terraform creates and the code ignores).
 */
describe('cell settings the functions read', () => {
  const cells = [
    {
      dir: 'modules/aws-cell',
      local: 'environment',
      schema: awsSettingsSchema,
      platform: ['AWS_REGION'],
      hostOnly: [] as string[],
      // Read at cold start from the secret this setting names (ADR 17), never set by Terraform.
      fromSecret: { PEER_SHARED_KEY: 'PEER_SHARED_KEY_SECRET_ARN' } as Record<string, string>,
    },
    {
      dir: 'modules/azure-cell',
      local: 'app_settings',
      schema: azureSettingsSchema,
      platform: ['REGION_NAME'],
      fromSecret: {} as Record<string, string>,
      // The host's own storage setting (AzureWebJobsStorage) is written by the provider from
      // storage_access_key, not through app_settings.
      hostOnly: [] as string[],
    },
  ];

  it.each(cells)('$dir sets what the functions require, and only what they read', (cell) => {
    const expression = String(get(cell.dir).locals.get(cell.local)?.value ?? '');
    const set = [...expression.matchAll(/^\s*(\w+)\s*=/gm)].map((match) => match[1] as string);
    // The conditional HTTP_ROUTE_PREFIX of the Azure cell is written `{ NAME = value }`.
    for (const match of expression.matchAll(/\{\s*(\w+)\s*=/g)) set.push(match[1] as string);
    const schema = cell.schema as Record<string, { required?: boolean; default?: string }>;
    const required = Object.entries(schema)
      .filter(([, spec]) => spec.required !== false && spec.default === undefined)
      .map(([name]) => name);
    expect(set.length).toBeGreaterThan(5);
    const fromSecret = cell.fromSecret as Record<string, string>;
    const provided = (name: string) =>
      set.includes(name) ||
      cell.platform.includes(name) ||
      (fromSecret[name] !== undefined && set.includes(fromSecret[name]));
    expect(required.filter((name) => !provided(name))).toEqual([]);
    // A key read from a secret is never also set in clear.
    expect(Object.keys(fromSecret).filter((name) => set.includes(name))).toEqual([]);
    expect(set.filter((name) => !(name in schema) && !cell.hostOnly.includes(name))).toEqual([]);
  });
});

describe('stack examples', () => {
  it.each(stackDirs)(
    '%s/example.tfvars sets only declared variables, and every required one or says where it comes from',
    async (dir) => {
      const module = get(dir);
      const file = join(terraformRoot, dir, 'example.tfvars');
      const values = await parseHcl('example.tfvars', readFileSync(file, 'utf8'));
      const unknown = Object.keys(values).filter((name) => !module.variables.has(name));
      const required = [...module.variables]
        .filter(([, { body }]) => !('default' in body))
        .map(([name]) => name);
      // A required variable the workflows pass as TF_VAR_<name> is left out of the file (a
      // -var-file value would override it), and the file says so.
      const text = readFileSync(file, 'utf8');
      expect(unknown).toEqual([]);
      expect(
        required.filter((name) => !(name in values) && !text.includes(`TF_VAR_${name}`)),
      ).toEqual([]);
    },
  );

  it.each(stackDirs)('%s has a backend example and a README', (dir) => {
    expect(existsSync(join(terraformRoot, dir, 'backend.example.tfbackend'))).toBe(true);
    expect(existsSync(join(terraformRoot, dir, 'README.md'))).toBe(true);
  });
});

describe('module READMEs', () => {
  it.each([...moduleDirs, ...stackDirs, ...bootstrapDirs])(
    '%s/README.md ends with Inputs and Outputs tables that match the code (regenerate: see the diff)',
    async (dir) => {
      const file = join(terraformRoot, dir, 'README.md');
      const readme = readFileSync(file, 'utf8');
      const expected = await format(readmeTables(get(dir)), {
        ...(await resolveConfig(file)),
        parser: 'markdown',
      });
      expect(readme.slice(readme.indexOf('## Inputs'))).toBe(expected);
    },
  );

  it.each(moduleDirs)('%s/README.md has an example that calls the module', (dir) => {
    const readme = readFileSync(join(terraformRoot, dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/```hcl[\s\S]*module "[\w-]+" \{[\s\S]*source\s*=[\s\S]*```/);
  });
});
