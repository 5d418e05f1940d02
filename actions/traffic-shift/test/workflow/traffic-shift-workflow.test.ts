// .github/workflows/traffic-shift.yml: what the issue asks of it, read from the file itself.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: { workflow_dispatch: { inputs: Record<string, { type: string }> } };
  concurrency: { group: string; 'cancel-in-progress': boolean };
  permissions: Record<string, string>;
  jobs: Record<string, { permissions: Record<string, string>; steps: Step[] }>;
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

  it('is dispatched by hand with target, steps, bake and dry run', () => {
    expect(Object.keys(workflow.on.workflow_dispatch.inputs).sort()).toEqual([
      'bake-seconds',
      'dry-run',
      'steps',
      'target',
    ]);
  });

  it('never runs two shifts at once, and never cancels one mid-rollout', () => {
    expect(workflow.concurrency).toEqual({ group: 'traffic', 'cancel-in-progress': false });
  });

  it('authenticates to both clouds by OIDC with least privilege and pinned actions', () => {
    expect(workflow.permissions).toEqual({});
    const [job] = Object.values(workflow.jobs);
    expect(job?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const uses = (job?.steps ?? []).map((step) => step.uses).filter(Boolean) as string[];
    expect(uses.filter((use) => !use.startsWith('./'))).toEqual([
      expect.stringMatching(/^actions\/checkout@[0-9a-f]{40}$/),
      expect.stringMatching(/^aws-actions\/configure-aws-credentials@[0-9a-f]{40}$/),
      expect.stringMatching(/^azure\/login@[0-9a-f]{40}$/),
    ]);
    // No long-lived keys: nothing reads a secret.
    expect(JSON.stringify(job)).not.toContain('secrets.');
  });

  it('passes only inputs the action has', () => {
    const [job] = Object.values(workflow.jobs);
    const shift = job?.steps.find((step) => step.uses === './actions/traffic-shift');
    expect(shift).toBeDefined();
    const unknown = Object.keys(shift?.with ?? {}).filter((name) => !actionInputs.includes(name));
    expect(unknown).toEqual([]);
  });
});
