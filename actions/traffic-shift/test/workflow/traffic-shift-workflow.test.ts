// .github/workflows/traffic-shift.yml: what the issue asks of it, read from the file itself.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

interface Step {
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  'continue-on-error'?: string | boolean;
}
interface Job {
  permissions: Record<string, string>;
  environment?: string;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { workflow_dispatch: { inputs: Record<string, { type: string }> } };
  concurrency: { group: string; 'cancel-in-progress': boolean };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('traffic-shift workflow', () => {
  let workflow: Workflow;
  let actionInputs: string[];

  beforeAll(async () => {
    workflow = parse(
      await readFile(join(root, '.github/workflows/traffic-shift.yml'), 'utf8'),
    ) as Workflow;
    const action = parse(
      await readFile(join(root, 'actions/traffic-shift/action.yml'), 'utf8'),
    ) as { inputs: Record<string, unknown> };
    actionInputs = Object.keys(action.inputs);
  });

  it('is dispatched by hand with target, steps, bake, dry run, emergency and force', () => {
    expect(Object.keys(workflow.on.workflow_dispatch.inputs).sort()).toEqual([
      'bake-seconds',
      'dry-run',
      'emergency',
      'force',
      'steps',
      'target',
    ]);
    expect(workflow.on.workflow_dispatch.inputs['emergency']?.type).toBe('boolean');
    expect(workflow.on.workflow_dispatch.inputs['force']?.type).toBe('boolean');
  });

  it('queues a planned shift behind a deploy, but an emergency shift in its own group', async () => {
    // A planned shift shares deploy.yml's group (never two writers at once, never cancelled);
    // an emergency is never queued behind a rollout's bakes nor replaced while pending.
    expect(workflow.concurrency).toEqual({
      group: "${{ inputs.emergency && 'traffic-emergency' || 'traffic' }}",
      'cancel-in-progress': false,
    });
    const deploy = parse(await readFile(join(root, '.github/workflows/deploy.yml'), 'utf8')) as {
      concurrency: { group: string };
    };
    expect(deploy.concurrency.group).toBe('traffic');
  });

  it('in an emergency, a failed AWS sign-in does not stop Front Door from moving', () => {
    for (const jobId of ['routers', 'shift']) {
      const aws = workflow.jobs[jobId]?.steps.find((step) =>
        step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect([jobId, aws?.['continue-on-error']]).toEqual([jobId, '${{ inputs.emergency }}']);
    }
    const shift = workflow.jobs['shift']?.steps.find((s) => s.uses === './actions/traffic-shift');
    expect(shift?.with).toMatchObject({
      emergency: '${{ inputs.emergency }}',
      force: '${{ inputs.force }}',
    });
  });

  it('reads the routers with the plan role, then shifts in production with the deploy identities', () => {
    expect(workflow.permissions).toEqual({});
    const { routers, shift } = workflow.jobs;
    for (const job of [routers, shift])
      expect(job?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const pinned = (job: Job | undefined): string[] =>
      ((job?.steps ?? []).map((step) => step.uses).filter(Boolean) as string[]).filter(
        (use) => !use.startsWith('./'),
      );
    for (const use of [...pinned(routers), ...pinned(shift)])
      expect(use).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    expect(JSON.stringify(routers)).toContain('vars.AWS_PLAN_ROLE_ARN');
    expect(JSON.stringify(routers)).not.toContain('DEPLOY');
    expect(routers?.environment).toBeUndefined();
    // Only the shift holds the deploy identities, and only in the protected environment (ADR 19);
    // Azure signs in inside the action with fresh GitHub ID tokens (no azure/login).
    expect(shift?.environment).toBe('production');
    expect(JSON.stringify(shift)).toContain('vars.AWS_DEPLOY_ROLE_ARN');
    expect(shift?.env?.['AZURE_CLIENT_ID']).toBe('${{ vars.AZURE_DEPLOY_CLIENT_ID }}');
    expect(pinned(shift).some((use) => use.startsWith('azure/login@'))).toBe(false);
    // No long-lived keys: nothing reads a secret.
    expect(JSON.stringify(workflow.jobs)).not.toContain('secrets.');
  });

  it('passes only inputs the action has', () => {
    const step = workflow.jobs['shift']?.steps.find((s) => s.uses === './actions/traffic-shift');
    expect(step).toBeDefined();
    const unknown = Object.keys(step?.with ?? {}).filter((name) => !actionInputs.includes(name));
    expect(unknown).toEqual([]);
  });
});
