/**
 * The promises deploy.yml makes about applies, checked on the parsed workflow so that the
 * rollout jobs added later cannot quietly break them: every apply is the plan action's saved
 * plan handed to the apply action, one apply at a time per stack and never cancelled, least
 * privilege, and OIDC (no cloud secrets).
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applyActionDir } from './support/apply-scenario.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  if?: string;
}

interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  env?: Record<string, unknown>;
  steps: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflowFile = join(applyActionDir, '..', '..', '.github', 'workflows', 'deploy.yml');
const text = readFileSync(workflowFile, 'utf8');
const workflow = parse(text) as Workflow;
const applyJobs = Object.entries(workflow.jobs).filter(([, job]) =>
  job.steps.some((step) => step.uses === './actions/apply'),
);

describe('deploy.yml', () => {
  it('runs on pushes to main, never on pull request code, with no permissions by default', () => {
    expect(Object.keys(workflow.on)).not.toContain('pull_request');
    expect(Object.keys(workflow.on)).not.toContain('pull_request_target');
    expect((workflow.on['push'] as { branches: string[] }).branches).toEqual(['main']);
    expect(workflow.permissions).toEqual({});
  });

  it('applies the first deployment or global; every apply job is in the list below', () => {
    const names = applyJobs.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['first-deploy', 'global']));
    expect(workflow.jobs['global']?.needs).toContain('routing');
  });

  it.each(applyJobs)(
    '%s: when the plan action runs first, its saved plan is what gets applied',
    (_, job) => {
      const planIndex = job.steps.findIndex((step) => step.uses === './actions/plan');
      const applyIndex = job.steps.findIndex((step) => step.uses === './actions/apply');
      const apply = job.steps[applyIndex] as Step;
      // The approved digest comes from the reviewed pull request's comment, except in the first
      // deployment, whose plans read states the PR could not (ADR 19): its environment approval
      // and destroy/replace guard stand in (scripts/test/workflow-rules.test.ts checks them).
      if (_ !== 'first-deploy') expect(apply.with?.['expected-plan-digest']).toBeUndefined();
      if (planIndex < 0) return; // apply plans by itself
      expect(planIndex).toBeLessThan(applyIndex);
      const plan = job.steps[planIndex] as Step;
      expect(plan.with?.['comment']).toBe('false');
      expect(apply.with?.['plan-path']).toBe(`\${{ steps.${plan.id}.outputs.plan-path }}`);
      expect(apply.with?.['working-directory']).toBe(plan.with?.['working-directory']);
      expect(apply.with?.['stack']).toBe(plan.with?.['stack']);
    },
  );

  it("hands the plan action's saved plan to apply in the cells and global jobs", () => {
    for (const name of ['first-deploy', 'global']) {
      const steps = workflow.jobs[name]?.steps ?? [];
      expect(steps.some((step) => step.uses === './actions/plan')).toBe(true);
    }
  });

  it.each(applyJobs)(
    '%s: one apply at a time per stack, a running apply never cancelled',
    (_, job) => {
      expect(job.concurrency?.['cancel-in-progress']).toBe(false);
      expect(job.concurrency?.group).toMatch(/^deploy-stack-./);
    },
  );

  it('names the concurrency group after the stack applied', () => {
    expect(workflow.jobs['first-deploy']?.concurrency?.group).toBe('deploy-stack-first-deployment');
    expect(workflow.jobs['global']?.concurrency?.group).toBe('deploy-stack-global');
  });

  it.each(applyJobs)('%s: least privilege and OIDC for both clouds', (_, job) => {
    expect(job.permissions).toEqual({
      contents: 'read',
      'pull-requests': 'write',
      'id-token': 'write',
    });
    const uses = job.steps.map((step) => step.uses ?? '');
    const aws = uses.find((use) => use.startsWith('aws-actions/configure-aws-credentials@'));
    // Azure: ARM_USE_OIDC with the deploy identity (ADR 19), no azure/login.
    const azure = uses.find((use) => use.startsWith('azure/login@'));
    expect(aws).toMatch(/@[0-9a-f]{40}$/);
    expect(azure).toBeUndefined();
    expect(String(job.env?.['ARM_CLIENT_ID'])).toContain('vars.AZURE_DEPLOY_CLIENT_ID');
    for (const step of job.steps.filter((s) => s.uses === aws)) {
      // OIDC: a role or client ID, never a stored key or client secret.
      expect(Object.keys(step.with ?? {}).sort()).toEqual(
        step.uses === aws
          ? ['aws-region', 'role-duration-seconds', 'role-to-assume']
          : ['client-id', 'subscription-id', 'tenant-id'],
      );
    }
  });

  it('pins every third-party action by commit SHA with a version comment', () => {
    const lines = text.split('\n').filter((line) => /^\s*(- )?uses: [^.]/.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/@[0-9a-f]{40} # v\d/);
  });
});
