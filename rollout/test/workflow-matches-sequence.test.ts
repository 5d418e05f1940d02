import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import {
  APPLY_ACTION,
  ROLLOUT_STEPS,
  TRAFFIC_SHIFT_ACTION,
  type ActionStep,
} from '../src/sequence.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface WorkflowStep {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: string;
}
interface WorkflowJob {
  needs?: string | string[];
  if?: string;
  env?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  steps: WorkflowStep[];
}

const workflow = parse(
  readFileSync(join(repoRoot, '.github', 'workflows', 'deploy.yml'), 'utf8'),
) as {
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, WorkflowJob>;
};
const sequenceIds = ROLLOUT_STEPS.map((step) => step.id as string);

/** The steps of a job from the first sequence step on, as far as the sequence goes. */
function sequenceBlock(job: WorkflowJob): WorkflowStep[] {
  const start = job.steps.findIndex((step) => step.id === ROLLOUT_STEPS[0]?.id);
  return start === -1 ? [] : job.steps.slice(start, start + ROLLOUT_STEPS.length);
}

const asStrings = (record: Record<string, unknown> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [key, String(value)]));

describe('deploy.yml runs the rollout sequence of rollout/src/sequence.ts', () => {
  for (const jobId of ['rollout-first', 'rollout-second']) {
    describe(jobId, () => {
      const job = workflow.jobs[jobId];

      it('exists and runs plan, verify, drain, apply, smoke, canary in that order with nothing in between', () => {
        expect(job).toBeDefined();
        expect(sequenceBlock(job as WorkflowJob).map((step) => step.id)).toEqual(sequenceIds);
        // Nothing of the sequence appears elsewhere in the job, and no step follows it that could
        // move traffic or apply a stack after the canary.
        const ids = (job as WorkflowJob).steps.map((step) => step.id).filter(Boolean);
        expect(ids.filter((id) => sequenceIds.includes(id as string))).toEqual(sequenceIds);
        const last = (job as WorkflowJob).steps.findIndex((step) => step.id === 'canary');
        expect((job as WorkflowJob).steps.slice(last + 1)).toEqual([]);
      });

      it('calls the same actions with exactly the same inputs, or runs the same command', () => {
        const block = sequenceBlock(job as WorkflowJob);
        ROLLOUT_STEPS.forEach((expected, index) => {
          const actual = block[index] as WorkflowStep;
          expect(actual.name).toBe(expected.name);
          expect(actual.if).toBe(expected.if);
          if ('uses' in expected) {
            expect(actual.uses).toBe(expected.uses);
            expect(asStrings(actual.with)).toEqual(expected.with);
            expect(actual.run).toBeUndefined();
          } else {
            expect(actual.run).toBe(expected.run);
            expect(actual.uses).toBeUndefined();
            expect(actual.with).toBeUndefined();
          }
        });
      });

      it('verifies the saved plan against the reviewed digest before any traffic moves (ADR 24)', () => {
        const steps = (job as WorkflowJob).steps;
        const firstShift = steps.findIndex((step) => step.uses === TRAFFIC_SHIFT_ACTION);
        const verify = steps.findIndex(
          (step) => step.uses === APPLY_ACTION && String(step.with?.['verify-only']) === 'true',
        );
        const apply = steps.findIndex(
          (step) => step.uses === APPLY_ACTION && step.with?.['verify-only'] === undefined,
        );
        expect(verify).toBeGreaterThan(-1);
        expect(verify).toBeLessThan(firstShift);
        // The very plan the apply step applies, with the same stack and backend.
        for (const input of ['plan-path', 'working-directory', 'stack', 'backend-config'])
          expect(steps[verify]?.with?.[input]).toBe(steps[apply]?.with?.[input]);
        expect(steps[verify]?.if).toBe(steps[firstShift]?.if);
      });

      it('computes the rollout environment before the sequence, for its own cloud', () => {
        const steps = (job as WorkflowJob).steps;
        const cellEnv = steps.findIndex(
          (step) =>
            step.run === 'node scripts/run-typescript.js rollout/src/workflow-commands.ts cell-env',
        );
        const plan = steps.findIndex((step) => step.id === 'plan');
        expect(cellEnv).toBeGreaterThan(-1);
        expect(cellEnv).toBeLessThan(plan);
        const position = jobId === 'rollout-first' ? 'first' : 'second';
        expect(job?.env?.ROLLOUT_CLOUD).toBe(`\${{ needs.rollout-plan.outputs.${position} }}`);
        expect(job?.concurrency).toEqual({
          group: `deploy-stack-\${{ needs.rollout-plan.outputs.${position} }}`,
          'cancel-in-progress': false,
        });
      });
    });
  }

  it('starts the second cloud only after the first completed (default success() gate)', () => {
    const second = workflow.jobs['rollout-second'] as WorkflowJob;
    expect(second.needs).toContain('rollout-first');
    expect(second.if).toBeUndefined();
  });

  it('moves traffic and applies the cell stacks nowhere else (bootstrap aside)', () => {
    for (const [jobId, job] of Object.entries(workflow.jobs)) {
      if (jobId === 'rollout-first' || jobId === 'rollout-second') continue;
      for (const step of job.steps ?? []) expect(step.uses).not.toBe(TRAFFIC_SHIFT_ACTION);
      // first-deploy: no routing yet, so no traffic to move (ADR 19).
      if (jobId === 'first-deploy') expect(job.if).toContain("first-deploy == 'true'");
      else if (job.steps?.some((step) => step.uses === APPLY_ACTION)) expect(jobId).toBe('global');
    }
  });

  it('runs one deploy at a time, never beside a planned traffic shift, and never cancels one', () => {
    expect(workflow.concurrency).toEqual({ group: 'traffic', 'cancel-in-progress': false });
    const shiftWorkflow = parse(
      readFileSync(join(repoRoot, '.github', 'workflows', 'traffic-shift.yml'), 'utf8'),
    ) as typeof workflow;
    // A planned shift evaluates to the deploy's group; an emergency one to its own (ADR 20).
    expect(shiftWorkflow.concurrency?.group).toBe(
      `\${{ inputs.emergency && 'traffic-emergency' || '${workflow.concurrency?.group}' }}`,
    );
  });
});

describe('the sequence only uses inputs its actions declare', () => {
  const actionSteps = ROLLOUT_STEPS.filter((step): step is ActionStep => 'uses' in step);
  it.each(actionSteps.map((step) => ({ id: step.id, step })))('$id', ({ step }) => {
    const action = parse(readFileSync(join(repoRoot, step.uses, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { required?: boolean }>;
    };
    for (const input of Object.keys(step.with)) expect(Object.keys(action.inputs)).toContain(input);
    for (const [input, spec] of Object.entries(action.inputs)) {
      if (spec.required) expect(Object.keys(step.with)).toContain(input);
    }
  });
});
