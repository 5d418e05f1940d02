// The workflows against issues 13 and 14: which identity each job holds and where, what azurerm
// and traffic-shift get to sign in with OIDC, no install scripts next to a cloud token, state
// locks, sessions as long as the jobs, router coordinates from the global stack's outputs, and
// CI validating every root module. Each rule runs on the real workflows, then on a snippet with
// the problem put back. Two run: steps are executed with a scripted terraform on PATH.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../build-actions.js';
import { ROUTING_INPUTS } from '../../rollout/src/sequence.js';
import { loadModule } from '../../terraform/test/support/terraform-module.js';
import { BOOTSTRAP_VARIABLES } from '../../terraform/test/support/bootstrap-variables.js';
import {
  azureSignInSettings,
  credentialsOutlastJobs,
  secretsOnlyInEnvironment,
  credentialsWithoutInstallScripts,
  digestKeyInputs,
  environmentOf,
  identitySplit,
  planLocking,
  routersFromGlobalOutputs,
  type Workflow,
} from './workflow-rules.js';

const read = (file: string): Workflow =>
  parse(readFileSync(join(repoRoot, '.github', 'workflows', file), 'utf8')) as Workflow;

const workflows: Record<string, Workflow> = Object.fromEntries(
  ['pr-plan.yml', 'drift.yml', 'deploy.yml', 'traffic-shift.yml', 'ci.yml'].map((file) => [
    file,
    read(file),
  ]),
);

/** The bootstrap's defaults the workflows must fit: environment name, maximum sessions. */
const bootstrap = { environment: '', plan: 0, deploy: 0 };

beforeAll(async () => {
  const aws = await loadModule('bootstrap/aws');
  const defaultOf = (name: string) => aws.variables.get(name)?.body.default;
  bootstrap.environment = String(defaultOf('github_environment'));
  bootstrap.plan = Number(defaultOf('plan_max_session_seconds'));
  bootstrap.deploy = Number(defaultOf('deploy_max_session_seconds'));
});

const snippet = (yaml: string) => parse(yaml) as Workflow;
const sorted = (problems: string[]) => [...problems].sort();

describe('the workflows', () => {
  it.each(Object.keys(workflows))('%s gives azurerm and traffic-shift what OIDC needs', (file) => {
    expect(azureSignInSettings(file, workflows[file] as Workflow)).toEqual([]);
  });

  it.each(Object.keys(workflows))(
    '%s: applies and shifts run in production with the deploy identities; everything else with the plan identities',
    (file) => {
      expect(identitySplit(file, workflows[file] as Workflow, bootstrap.environment)).toEqual([]);
    },
  );

  it.each(Object.keys(workflows))(
    '%s gives repository secrets only to jobs in production (no peer key in any plan, ADR 17)',
    (file) => {
      // The plan-digest key may reach the PR plan as the plan action's input (ADR 3, issue 13).
      const allowed = ['GITHUB_TOKEN', ...(file === 'pr-plan.yml' ? ['PLAN_DIGEST_KEY'] : [])];
      expect(
        secretsOnlyInEnvironment(file, workflows[file] as Workflow, bootstrap.environment, allowed),
      ).toEqual([]);
    },
  );

  it('runs every apply and traffic-shift job in the environment the deploy identities trust', () => {
    const changing = Object.entries(workflows).flatMap(([file, workflow]) =>
      Object.entries(workflow.jobs)
        .filter(([, job]) =>
          (job.steps ?? []).some((step) =>
            ['./actions/apply', './actions/traffic-shift'].includes(step.uses ?? ''),
          ),
        )
        .map(([jobId, job]) => [`${file}:${jobId}`, environmentOf(job)]),
    );
    expect(changing).toEqual([
      ['deploy.yml:first-deploy', 'production'],
      ['deploy.yml:global', 'production'],
      ['deploy.yml:rollout-first', 'production'],
      ['deploy.yml:rollout-second', 'production'],
      ['traffic-shift.yml:shift', 'production'],
    ]);
  });

  it.each(Object.keys(workflows))(
    '%s installs no package scripts where it holds id-token: write, and holds it only to sign in',
    (file) => {
      expect(credentialsWithoutInstallScripts(file, workflows[file] as Workflow)).toEqual([]);
    },
  );

  it('plans without the lock in pull requests and drift checks, and waits for it in deploys', () => {
    expect(planLocking('pr-plan.yml', workflows['pr-plan.yml'] as Workflow, 'read-only')).toEqual(
      [],
    );
    expect(planLocking('drift.yml', workflows['drift.yml'] as Workflow, 'read-only')).toEqual([]);
    expect(planLocking('deploy.yml', workflows['deploy.yml'] as Workflow, 'deploy')).toEqual([]);
    const deployPlans = Object.values(workflows['deploy.yml']?.jobs ?? {}).flatMap((job) =>
      (job.steps ?? []).filter((step) => step.uses === './actions/plan'),
    );
    expect(deployPlans.length).toBeGreaterThanOrEqual(6);
  });

  it.each(Object.keys(workflows))(
    '%s gives every reviewed plan and every apply the same digest-key secret',
    (file) => {
      expect(digestKeyInputs(file, workflows[file] as Workflow)).toEqual([]);
    },
  );

  it('digests with the key in the pull request plan and in every plan and apply of the deploy', () => {
    const keyed = (file: string) =>
      Object.values(workflows[file]?.jobs ?? {}).flatMap((job) =>
        (job.steps ?? []).filter((step) => step.with?.['digest-key'] !== undefined),
      );
    expect(keyed('pr-plan.yml')).toHaveLength(1);
    expect(keyed('deploy.yml').length).toBeGreaterThanOrEqual(16);
    expect(keyed('drift.yml')).toEqual([]);
  });

  it.each(Object.keys(workflows))('%s asks AWS for sessions as long as its jobs', (file) => {
    expect(
      credentialsOutlastJobs(file, workflows[file] as Workflow, {
        plan: bootstrap.plan,
        deploy: bootstrap.deploy,
      }),
    ).toEqual([]);
  });

  it('deploy.yml: a first deployment applies aws, azure, aws, global, then azure with Front Door’s ID', () => {
    const job = workflows['deploy.yml']?.jobs['first-deploy'];
    const steps = job?.steps ?? [];
    const plans = steps.filter((step) => step.uses === './actions/plan');
    expect(plans.map((step) => step.with?.stack)).toEqual([
      'aws',
      'azure',
      'aws',
      'global',
      'azure',
    ]);
    for (const plan of plans) {
      const after = steps.slice(steps.indexOf(plan) + 1);
      const guard = after[0];
      const apply = after[1];
      // The guard refuses a plan that destroys or replaces; the apply takes exactly that plan.
      expect(String(guard?.env?.DESTROY)).toContain(`steps.${plan.id}.outputs.destroy`);
      expect(String(guard?.env?.REPLACE)).toContain(`steps.${plan.id}.outputs.replace`);
      expect(apply?.uses).toBe('./actions/apply');
      expect(apply?.with?.stack).toBe(plan.with?.stack);
      expect(String(apply?.with?.['expected-plan-digest'])).toContain(
        `steps.${plan.id}.outputs.plan-digest`,
      );
    }
    // Every later deployment goes through global and the rollout instead.
    expect(job?.if).toContain("first-deploy == 'true'");
    expect(workflows['deploy.yml']?.jobs.global?.if).toContain("first-deploy == 'false'");
  });

  it('shifts traffic with router coordinates from the global stack, never hand-copied variables', () => {
    for (const file of ['deploy.yml', 'traffic-shift.yml'])
      expect(routersFromGlobalOutputs(file, workflows[file] as Workflow)).toEqual([]);
  });

  it('reads only repository variables the bootstrap prints, or the optional settings', () => {
    const printed = new Set(Object.values(BOOTSTRAP_VARIABLES).flat());
    // GLOBAL_ROUTING_OUTPUTS: saved by hand for an emergency shift (docs/deploying.md).
    const optional = /^(DEPLOY_[A-Z0-9_]+|TF_VAR_FILES_\w+|GLOBAL_ROUTING_OUTPUTS)$/;
    const read = new Set(
      Object.values(workflows).flatMap((workflow) =>
        [
          ...JSON.stringify(workflow).matchAll(
            /\bvars\.([A-Za-z_]\w*)|vars\[format\('([A-Za-z_]+)\{0\}'/g,
          ),
        ].map((match) => match[1] ?? `${match[2]}<stack>`),
      ),
    );
    const unknown = [...read].filter(
      (name) => !printed.has(name) && !optional.test(name) && !name.endsWith('<stack>'),
    );
    expect(unknown).toEqual([]);
    // TF_BACKEND_CONFIG_<stack>: the bootstrap prints one per stack.
    for (const stack of ['aws', 'azure', 'global'])
      expect(printed.has(`TF_BACKEND_CONFIG_${stack}`)).toBe(true);
  });

  it('ci.yml validates and lints every root module: the stacks and the bootstrap stacks', () => {
    const roots = ['stacks', 'bootstrap'].flatMap((kind) =>
      readdirSync(join(repoRoot, 'terraform', kind), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${kind}/${entry.name}`),
    );
    const job = workflows['ci.yml']?.jobs['terraform'];
    expect([...((job?.strategy?.matrix?.['root'] as string[]) ?? [])].sort()).toEqual(roots.sort());
    const runs = (job?.steps ?? []).map((step) => step.run ?? '').join('\n');
    for (const command of ['terraform init -backend=false', 'terraform validate', 'tflint'])
      expect(runs).toContain(command);
  });
});

describe('each rule catches its problem', () => {
  it('reports an azurerm plan without the OIDC settings, and a shift without the Azure identity', () => {
    const workflow = snippet(`
permissions: {}
env:
  ARM_TENANT_ID: \${{ vars.AZURE_TENANT_ID }}
jobs:
  plan:
    permissions: { contents: read, id-token: write }
    steps:
      - name: Plan
        uses: ./actions/plan
  shift:
    permissions: { contents: read }
    environment: production
    steps:
      - name: Shift
        uses: ./actions/traffic-shift
`);
    expect(sorted(azureSignInSettings('bad', workflow))).toEqual(
      sorted([
        'bad: job plan, step "Plan" runs Terraform without ARM_USE_OIDC=true',
        'bad: job plan, step "Plan" runs Terraform without ARM_CLIENT_ID',
        'bad: job plan, step "Plan" runs Terraform without ARM_SUBSCRIPTION_ID',
        'bad: job shift, step "Shift" shifts traffic without AZURE_CLIENT_ID',
        'bad: job shift, step "Shift" shifts traffic without AZURE_TENANT_ID',
        'bad: job shift, step "Shift" needs id-token: write to sign in with OIDC',
      ]),
    );
  });

  it('reports an apply outside production, a deploy identity in a pull request job, the old shared identity', () => {
    const workflow = snippet(`
jobs:
  apply:
    env: { ARM_CLIENT_ID: '\${{ vars.AZURE_DEPLOY_CLIENT_ID }}' }
    steps:
      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
        with: { role-to-assume: '\${{ vars.AWS_DEPLOY_ROLE_ARN }}' }
      - uses: ./actions/apply
  plan:
    environment: production
    env: { ARM_CLIENT_ID: '\${{ vars.AZURE_PLAN_CLIENT_ID }}' }
    steps:
      - uses: ./actions/plan
  login:
    steps:
      - uses: azure/login@a457da9ea143d694b1b9c7c869ebb04ebe844ef5
        with: { client-id: '\${{ vars.AZURE_CLIENT_ID }}' }
`);
    expect(sorted(identitySplit('bad', workflow))).toEqual(
      sorted([
        'bad: job apply applies or shifts traffic outside the production environment',
        'bad: job apply signs in with AWS_DEPLOY_ROLE_ARN outside the production environment',
        'bad: job apply signs in with AZURE_DEPLOY_CLIENT_ID outside the production environment',
        'bad: job plan runs in production but signs in with the plan identity AZURE_PLAN_CLIENT_ID',
        'bad: job login reads vars.AZURE_CLIENT_ID: use the plan or deploy identity',
      ]),
    );
  });

  it('reports a secret in a pull request plan or a drift check, not the job token or a production job', () => {
    const workflow = snippet(`
jobs:
  plan:
    env: { TF_VAR_peer_shared_key: '\${{ secrets.PEER_SHARED_KEY }}' }
    steps:
      - uses: ./actions/plan
        with: { github-token: '\${{ secrets.GITHUB_TOKEN }}' }
  drift:
    steps:
      - run: echo "\${{ secrets.DIGEST_KEY }}"
  deploy:
    environment: { name: production }
    env: { DIGEST_KEY: '\${{ secrets.DIGEST_KEY }}' }
    steps:
      - uses: ./actions/apply
`);
    expect(sorted(secretsOnlyInEnvironment('bad', workflow))).toEqual(
      sorted([
        'bad: job plan reads secrets.PEER_SHARED_KEY outside the production environment',
        'bad: job drift reads secrets.DIGEST_KEY outside the production environment',
      ]),
    );
  });

  it('reports install scripts next to a cloud token, and a token no step uses', () => {
    const workflow = snippet(`
jobs:
  plan:
    permissions: { id-token: write }
    steps:
      - run: |
          npm ci --no-audit
          npm run build:functions
      - uses: ./actions/plan
  idle:
    permissions: { id-token: write }
    steps:
      - run: npm install --ignore-scripts
`);
    expect(sorted(credentialsWithoutInstallScripts('bad', workflow))).toEqual(
      sorted([
        'bad: job plan holds id-token: write and runs "npm ci --no-audit" without --ignore-scripts',
        'bad: job idle holds id-token: write but signs in to no cloud',
      ]),
    );
  });

  it('reports a pull request plan that locks, and deploy plans that do not wait', () => {
    const plans = (inputs: string[]) =>
      snippet(`
jobs:
  plan:
    steps:
${inputs.map((input, index) => `      - { name: p${index}, uses: ./actions/plan, with: { ${input} } }`).join('\n')}
`);
    expect(planLocking('pr', plans(['stack: aws', "lock: 'true'"]), 'read-only')).toEqual([
      'pr: job plan, step "p0" plans with a read-only identity but takes the state lock (set lock: \'false\')',
      'pr: job plan, step "p1" plans with a read-only identity but takes the state lock (set lock: \'false\')',
    ]);
    expect(
      planLocking('deploy', plans(['stack: aws', "lock-timeout: '0s'", "lock: 'false'"]), 'deploy'),
    ).toEqual(
      [0, 1, 2].map(
        (index) =>
          `deploy: job plan, step "p${index}" fails at once on a held lock: give it a lock-timeout (e.g. 5m)`,
      ),
    );
  });

  it('reports a plan or apply without the digest-key secret, or with another one', () => {
    const workflow = snippet(`
jobs:
  deploy:
    steps:
      - { name: plan, uses: ./actions/plan, with: { stack: aws } }
      - { name: apply, uses: ./actions/apply, with: { stack: aws, digest-key: '\${{ secrets.OTHER_KEY }}' } }
      - { name: drift, uses: ./actions/plan, with: { stack: aws, mode: drift } }
      - { name: ok, uses: ./actions/apply, with: { digest-key: '\${{ secrets.PLAN_DIGEST_KEY }}' } }
`);
    expect(digestKeyInputs('bad', workflow)).toEqual([
      'bad: job deploy, step "plan" passes digest-key not at all: give it digest-key: ${{ secrets.PLAN_DIGEST_KEY }}',
      'bad: job deploy, step "apply" passes digest-key \'${{ secrets.OTHER_KEY }}\': give it digest-key: ${{ secrets.PLAN_DIGEST_KEY }}',
    ]);
  });

  it('reports sessions shorter than the job, longer than the role allows, or AWS’s default hour', () => {
    const workflow = snippet(`
jobs:
  rollout:
    timeout-minutes: 180
    steps:
      - name: short
        uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
        with: { role-to-assume: '\${{ vars.AWS_DEPLOY_ROLE_ARN }}', role-duration-seconds: 3600 }
      - name: default
        uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
        with: { role-to-assume: '\${{ vars.AWS_DEPLOY_ROLE_ARN }}' }
  plan:
    timeout-minutes: 30
    steps:
      - name: long
        uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
        with: { role-to-assume: '\${{ vars.AWS_PLAN_ROLE_ARN }}', role-duration-seconds: 7200 }
`);
    expect(sorted(credentialsOutlastJobs('bad', workflow, { plan: 3600, deploy: 14400 }))).toEqual(
      sorted([
        'bad: job rollout, step "short" asks for 3600 s, less than the job\'s 10800 s timeout',
        'bad: job rollout, step "default" sets no role-duration-seconds: the session ends after AWS\'s default hour, within a 180-minute job',
        'bad: job plan, step "long" asks for 7200 s, more than the plan role allows (3600 s)',
      ]),
    );
  });

  it('reports a shift workflow with hand-copied router variables', () => {
    const workflow = snippet(`
jobs:
  shift:
    steps:
      - uses: ./actions/traffic-shift
        with:
          route53-hosted-zone-id: \${{ vars.ROUTE53_HOSTED_ZONE_ID }}
          route53-record-name: \${{ needs.routers.outputs.route53-record-name }}
          route53-record-type: CNAME
          route53-set-identifiers: \${{ needs.routers.outputs.route53-set-identifiers }}
          azure-subscription-id: \${{ needs.routers.outputs.azure-subscription-id }}
          frontdoor-resource-group: \${{ needs.routers.outputs.frontdoor-resource-group }}
          frontdoor-profile: \${{ needs.routers.outputs.frontdoor-profile }}
          frontdoor-origin-group: \${{ needs.routers.outputs.frontdoor-origin-group }}
          frontdoor-origins: \${{ needs.routers.outputs.frontdoor-origins }}
          smoke-urls: \${{ vars.SMOKE_URLS }}
`);
    expect(routersFromGlobalOutputs('bad', workflow)).toEqual([
      'bad: job shift passes route53-hosted-zone-id = "${{ vars.ROUTE53_HOSTED_ZONE_ID }}", not the global stack\'s output',
      'bad: job shift passes route53-record-type = "CNAME", not the global stack\'s output',
      'bad: job shift passes smoke-urls = "${{ vars.SMOKE_URLS }}", not the global stack\'s output',
    ]);
  });
});

/**
 * A run: step of a workflow executed with bash, as the runner does, with `terraform` on PATH
 * replaced by a script that prints the given `terraform output -json` and logs its arguments.
 */
describe('run: steps that read the global stack', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'workflow-steps-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function runStep(
    file: string,
    jobId: string,
    stepId: string,
    outputs: object,
    options: { stateUnreadable?: boolean; env?: Record<string, string> } = {},
  ) {
    const step = workflows[file]?.jobs[jobId]?.steps?.find((candidate) => candidate.id === stepId);
    if (!step?.run) throw new Error(`${file} has no run step ${jobId}.${stepId}`);
    const bin = join(dir, 'bin');
    const log = join(dir, 'terraform.log');
    const output = join(dir, 'github-output');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(dir, 'outputs.json'), JSON.stringify(outputs));
    writeFileSync(log, '');
    writeFileSync(output, '');
    writeFileSync(
      join(bin, 'terraform'),
      options.stateUnreadable
        ? `#!/bin/sh\necho "$*" >> "${log}"\necho 'Error: AccessDenied reading the state' >&2\nexit 1\n`
        : `#!/bin/sh\necho "$*" >> "${log}"\n[ "$1" = output ] && cat "${join(dir, 'outputs.json')}"\nexit 0\n`,
    );
    chmodSync(join(bin, 'terraform'), 0o755);
    // bash -e -o pipefail: the runner's default shell for run: steps.
    const child = spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step.run], {
      cwd: dir,
      env: {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        GITHUB_OUTPUT: output,
        RUNNER_TEMP: dir,
        BACKEND_CONFIG: 'bucket=state-bucket\nregion=eu-west-1\n',
        ...options.env,
      },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const status = await new Promise<number | null>((done) => child.on('close', done));
    return {
      status,
      stdout,
      githubOutput: readFileSync(output, 'utf8'),
      log: readFileSync(log, 'utf8'),
    };
  }

  const routing = {
    route53_hosted_zone_id: { value: 'Z0123456789ABCDEFGHIJ', sensitive: false },
    route53_record_name: { value: 'api.example.com' },
    route53_record_type: { value: 'CNAME' },
    route53_set_identifiers: { value: 'aws=aws,azure=azure' },
    azure_subscription_id: { value: '00000000-0000-0000-0000-000000000000' },
    frontdoor_resource_group: { value: null },
    frontdoor_profile: { value: null },
    frontdoor_origin_group: { value: null },
    frontdoor_origins: { value: null },
    smoke_urls: { value: 'aws=https://a.example/health,azure=https://b.example/health' },
    initial_split: { value: 'aws=50,azure=50' },
    injected: { value: 'x\nsmoke-urls=https://attacker.example' },
  };

  it('traffic-shift.yml: every global output under the input of the same name, nothing else', async () => {
    const result = await runStep('traffic-shift.yml', 'routers', 'outputs', routing);
    expect(result.status).toBe(0);
    expect(result.log).toContain(
      'init -input=false -no-color -backend-config=bucket=state-bucket -backend-config=region=eu-west-1',
    );
    expect(result.githubOutput.trim().split('\n').sort()).toEqual([
      'azure-subscription-id=00000000-0000-0000-0000-000000000000',
      'initial-split=aws=50,azure=50',
      'route53-hosted-zone-id=Z0123456789ABCDEFGHIJ',
      'route53-record-name=api.example.com',
      'route53-record-type=CNAME',
      'route53-set-identifiers=aws=aws,azure=azure',
      'smoke-urls=aws=https://a.example/health,azure=https://b.example/health',
    ]);
    // The shift job passes on exactly the routing inputs the routers job outputs.
    const outputs = Object.keys(
      (workflows['traffic-shift.yml']?.jobs['routers'] as { outputs?: object }).outputs ?? {},
    ).sort();
    expect(outputs).toEqual([...ROUTING_INPUTS].sort());
  });

  it('traffic-shift.yml: refuses to shift before the routing exists', async () => {
    const result = await runStep('traffic-shift.yml', 'routers', 'outputs', {});
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('::error title=No routing::');
    expect(result.githubOutput).toBe('');
  });

  it('traffic-shift.yml: with the state unreadable, only an emergency uses the saved routers', async () => {
    const saved = { EMERGENCY: 'true', ROUTING_FALLBACK: JSON.stringify(routing) };
    const planned = await runStep('traffic-shift.yml', 'routers', 'outputs', routing, {
      stateUnreadable: true,
      env: { ...saved, EMERGENCY: 'false' },
    });
    expect(planned.status).not.toBe(0);
    expect(planned.stdout).toContain('::error title=Routers unknown::');
    expect(planned.githubOutput).toBe('');

    const emergency = await runStep('traffic-shift.yml', 'routers', 'outputs', routing, {
      stateUnreadable: true,
      env: saved,
    });
    expect(emergency.status).toBe(0);
    expect(emergency.stdout).toContain('::warning title=Routers from GLOBAL_ROUTING_OUTPUTS::');
    expect(emergency.githubOutput).toContain('route53-hosted-zone-id=Z0123456789ABCDEFGHIJ\n');
    expect(emergency.githubOutput).not.toContain('attacker');

    const nothingSaved = await runStep('traffic-shift.yml', 'routers', 'outputs', routing, {
      stateUnreadable: true,
      env: { EMERGENCY: 'true' },
    });
    expect(nothingSaved.status).not.toBe(0);
    expect(nothingSaved.githubOutput).toBe('');

    const notJson = await runStep('traffic-shift.yml', 'routers', 'outputs', routing, {
      stateUnreadable: true,
      env: { EMERGENCY: 'true', ROUTING_FALLBACK: 'aws=50' },
    });
    expect(notJson.status).not.toBe(0);
    expect(notJson.stdout).toContain('::error title=GLOBAL_ROUTING_OUTPUTS::');
    expect(notJson.githubOutput).toBe('');
  });

  it('deploy.yml: a first deployment exactly when the global stack has no routing', async () => {
    const first = await runStep('deploy.yml', 'routing', 'routing', {});
    expect([first.status, first.githubOutput]).toEqual([0, 'first-deploy=true\n']);
    const later = await runStep('deploy.yml', 'routing', 'routing', routing);
    expect([later.status, later.githubOutput]).toEqual([0, 'first-deploy=false\n']);
  });
});
