// The initial split as the routers receive it, computed by the real Terraform binary from the
// module's own variables.tf and weights.tf (they need no provider): Route 53 weight = percent,
// Front Door weight = percent x 10 with 0% as a disabled origin, the mapping traffic-shift
// reads back (ADR 6).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformRoot } from './support/terraform-module.js';

let work: string;
let cliConfig: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tf-split-'));
  cliConfig = join(work, 'terraformrc');
  writeFileSync(cliConfig, '');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function terraform(dir: string, args: string[]): string {
  const result = spawnSync('terraform', args, {
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
  if (result.status !== 0)
    throw new Error(`terraform ${args[0]} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

interface Split {
  route53: Record<string, number>;
  frontDoorWeights: Record<string, number>;
  frontDoorEnabled: Record<string, boolean>;
  frontDoorPriorities: Record<string, number>;
  ttl: number;
}

/** Applies variables.tf + weights.tf (local state, no provider) and reads the computed split. */
function initialSplit(weights: string): Split {
  const dir = mkdtempSync(join(work, 'module-'));
  const module = join(terraformRoot, 'modules/global-routing');
  copyFileSync(join(module, 'variables.tf'), join(dir, 'variables.tf'));
  copyFileSync(join(module, 'weights.tf'), join(dir, 'weights.tf'));
  writeFileSync(
    join(dir, 'outputs.tf'),
    [
      ['route53', 'local.route53_weights'],
      ['front_door_weights', 'local.front_door_weights'],
      ['front_door_enabled', 'local.front_door_enabled'],
      ['front_door_priorities', 'local.front_door_priorities'],
      ['ttl', 'local.route53_ttl'],
    ]
      .map(([name, value]) => `output "${name}" {\n  value = ${value}\n}\n`)
      .join(''),
  );
  writeFileSync(
    join(dir, 'test.auto.tfvars'),
    `name = "shop"
cells = {
  aws   = { origin_hostname = "a.example.com", dns_target = "a.example.com" }
  azure = { origin_hostname = "b.example.com", dns_target = "b.example.com" }
}
route53_zone_id                = "Z0123456789ABCDEFGHIJ"
route53_record_name            = "api.example.com"
front_door_resource_group_name = "rg-global"
initial_weights                = ${weights}
`,
  );
  terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color', '-lock=false']);
  const outputs = JSON.parse(terraform(dir, ['output', '-json'])) as Record<
    string,
    { value: unknown }
  >;
  return {
    route53: outputs.route53?.value as Split['route53'],
    frontDoorWeights: outputs.front_door_weights?.value as Split['frontDoorWeights'],
    frontDoorEnabled: outputs.front_door_enabled?.value as Split['frontDoorEnabled'],
    frontDoorPriorities: outputs.front_door_priorities?.value as Split['frontDoorPriorities'],
    ttl: outputs.ttl?.value as number,
  };
}

describe('initial split', () => {
  it('50/50: Route 53 weights 50/50, Front Door 500/500, both origins enabled, TTL 60', () => {
    expect(initialSplit('{ aws = 50, azure = 50 }')).toEqual({
      route53: { aws: 50, azure: 50 },
      frontDoorWeights: { aws: 500, azure: 500 },
      frontDoorEnabled: { aws: true, azure: true },
      // Front Door serves the azure record: API Management first, the AWS cell as its backup.
      frontDoorPriorities: { aws: 2, azure: 1 },
      ttl: 60,
    });
  });

  it('100/0: the drained cloud gets Route 53 weight 0 and a disabled Front Door origin (weight 0 is invalid there)', () => {
    expect(initialSplit('{ aws = 100, azure = 0 }')).toMatchObject({
      route53: { aws: 100, azure: 0 },
      frontDoorWeights: { aws: 1000, azure: 1 },
      frontDoorEnabled: { aws: true, azure: false },
    });
  });

  it('an uneven split keeps its proportions on both routers', () => {
    expect(initialSplit('{ aws = 25, azure = 75 }')).toMatchObject({
      route53: { aws: 25, azure: 75 },
      frontDoorWeights: { aws: 250, azure: 750 },
    });
  });
});
