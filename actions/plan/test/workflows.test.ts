// .github/workflows/pr-plan.yml and drift.yml: what issues 3 and 5 ask of them, read from the
// files themselves.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: { stack: string } };
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

async function workflow(name: string): Promise<Workflow> {
  return parse(await readFile(join(root, '.github/workflows', name), 'utf8')) as Workflow;
}

function planStep(job: Job | undefined): Step | undefined {
  return job?.steps.find((step) => step.uses === './actions/plan');
}

describe('pr-plan.yml and drift.yml', () => {
  let prPlan: Workflow;
  let drift: Workflow;
  let actionInputs: string[];

  beforeAll(async () => {
    prPlan = await workflow('pr-plan.yml');
    drift = await workflow('drift.yml');
    const action = parse(await readFile(join(root, 'actions/plan/action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    actionInputs = Object.keys(action.inputs);
  });

  it('plans on pull_request only, never pull_request_target, one job per stack', () => {
    expect(Object.keys(prPlan.on)).toEqual(['pull_request']);
    expect(JSON.stringify(prPlan)).not.toContain('pull_request_target');
    expect(prPlan.jobs['stacks']?.steps.at(-1)?.run).toContain('find terraform/stacks');
    // The functions are built in a job without credentials (ADR 19), then the plan job needs it.
    expect(prPlan.jobs['plan']?.needs).toEqual(['stacks', 'build']);
    expect(prPlan.jobs['build']?.permissions).toEqual({ contents: 'read' });
    expect(prPlan.jobs['plan']?.strategy?.matrix.stack).toBe(
      '${{ fromJSON(needs.stacks.outputs.stacks) }}',
    );
  });

  it('gives the plan job least privilege: comments, reading the code and OIDC', () => {
    expect(prPlan.permissions).toEqual({});
    expect(prPlan.jobs['plan']?.permissions).toEqual({
      contents: 'read',
      'pull-requests': 'write',
      'id-token': 'write',
    });
    expect(prPlan.jobs['stacks']?.permissions).toEqual({ contents: 'read' });
  });

  it('checks drift daily and by hand, one run per stack at a time, allowed to write issues', () => {
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(drift.permissions).toEqual({});
    const job = drift.jobs['drift'];
    expect(job?.permissions).toEqual({
      contents: 'read',
      issues: 'write',
      'id-token': 'write',
    });
    expect(job?.concurrency).toEqual({
      group: 'drift-${{ matrix.stack }}',
      'cancel-in-progress': false,
    });
    expect(planStep(job)?.with?.['mode']).toBe('drift');
  });

  it('holds no secret in any job, the peer key included (ADR 17)', () => {
    for (const workflow of [prPlan, drift])
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const secrets = JSON.stringify(job).match(/secrets\.[A-Za-z_]+/g) ?? [];
        const allowed = id === 'plan' && workflow === prPlan ? ['secrets.PLAN_DIGEST_KEY'] : [];
        expect([id, secrets.filter((secret) => !allowed.includes(secret))]).toEqual([id, []]);
        expect([id, JSON.stringify(job)]).not.toEqual([
          id,
          expect.stringMatching(/peer_shared_key\b|PEER_SHARED_KEY\b/),
        ]);
      }
  });

  it('runs terraform without the setup-terraform wrapper, with pinned actions, the digest key only in PR plans', () => {
    for (const job of [prPlan.jobs['plan'], drift.jobs['drift']]) {
      const uses = (job?.steps ?? []).map((step) => step.uses).filter(Boolean) as string[];
      for (const use of uses.filter((name) => !name.startsWith('./')))
        expect(use).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      const setup = job?.steps.find((step) => step.uses?.startsWith('hashicorp/setup-terraform@'));
      expect(setup?.with?.['terraform_wrapper']).toBe(false);
    }
    // Which secrets the jobs hold: 'holds no secret in any job' above (the plan-digest key, as
    // the PR plan's plan action input, ADR 3, and nothing else).
    expect(planStep(prPlan.jobs['plan'])?.with?.['digest-key']).toBe(
      '${{ secrets.PLAN_DIGEST_KEY }}',
    );
    // A drift check's digest is compared with nothing: it gets no key.
    expect(planStep(drift.jobs['drift'])?.with?.['digest-key']).toBeUndefined();
  });

  it('passes only inputs the plan action has', () => {
    for (const job of [prPlan.jobs['plan'], drift.jobs['drift']]) {
      const step = planStep(job);
      expect(step).toBeDefined();
      expect(Object.keys(step?.with ?? {}).filter((name) => !actionInputs.includes(name))).toEqual(
        [],
      );
    }
  });
});

// Issue 18 item 2: the plans, the deploy and the drift check agree on what a push changes.
describe('pr-plan.yml, deploy.yml and drift.yml: change-aware rollout', () => {
  interface AnyJob {
    needs?: string | string[];
    env?: Record<string, string>;
    outputs?: Record<string, string>;
    steps: (Step & { id?: string; env?: Record<string, string> })[];
  }
  let files: Record<
    string,
    { on: Record<string, { paths?: string[] }>; jobs: Record<string, AnyJob> }
  >;
  const VERSION = '${{ needs.build.outputs.version }}';

  beforeAll(async () => {
    files = {};
    for (const name of ['pr-plan.yml', 'deploy.yml', 'drift.yml']) {
      files[name] = (await workflow(name)) as unknown as (typeof files)[string];
    }
  });

  it('watches the same paths for a pull request plan as for a deploy', () => {
    const planPaths = files['pr-plan.yml']?.on['pull_request']?.paths;
    const deployPaths = files['deploy.yml']?.on['push']?.paths;
    expect(planPaths).toEqual(
      expect.arrayContaining(['actions/apply/**', '.github/workflows/deploy.yml']),
    );
    expect([...(deployPaths ?? [])].sort()).toEqual([...(planPaths ?? [])].sort());
  });

  it('computes the workload version from the built packages in each build job', () => {
    for (const [name, file] of Object.entries(files)) {
      const build = file.jobs['build'];
      expect([name, build?.outputs?.['version']]).toEqual([
        name,
        '${{ steps.version.outputs.version }}',
      ]);
      const step = build?.steps.find((s) => s.id === 'version');
      expect([name, step?.run]).toEqual([
        name,
        expect.stringContaining('node functions/scripts/version.js functions/build'),
      ]);
      // After the build, before the upload of the same bytes.
      const steps = build?.steps ?? [];
      const at = step ? steps.indexOf(step) : -1;
      expect(at).toBeGreaterThan(0);
      expect(steps.slice(0, at).some((s) => s.run?.includes('npm run build:functions'))).toBe(true);
    }
  });

  it('passes that one version to every job that plans, applies or checks a cell', () => {
    let count = 0;
    for (const [name, file] of Object.entries(files)) {
      for (const [id, job] of Object.entries(file.jobs)) {
        const values = [
          job.env?.['TF_VAR_app_version'],
          job.env?.['DEPLOY_VERSION'],
          ...job.steps.flatMap((s) => [s.env?.['TF_VAR_app_version'], s.env?.['DEPLOY_VERSION']]),
        ].filter((v): v is string => v !== undefined);
        for (const value of values) {
          expect([name, id, value]).toEqual([name, id, VERSION]);
          const needs = typeof job.needs === 'string' ? [job.needs] : (job.needs ?? []);
          expect([name, id, needs]).toEqual([name, id, expect.arrayContaining(['build'])]);
          count += 1;
        }
      }
      expect(JSON.stringify(file)).not.toMatch(/app_version[^}]*(github\.sha|head\.sha)/);
    }
    // pr-plan's plan, drift's drift, deploy's first-deploy, rollout-first/second (x2), summary.
    expect(count).toBeGreaterThanOrEqual(8);
  });
});
