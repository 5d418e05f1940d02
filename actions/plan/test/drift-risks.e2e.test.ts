/**
 * Risk classes of drift end to end (issue 19): the action's bundle in drift mode, the GitHub
 * stand-in, and a refresh-only plan in the shapes real aws and azurerm plans have
 * (shared/test/fixtures/plans/drift-risks--aws-azure.json), played by scripted-terraform.ts
 * (terraform_data never drifts on refresh). The drift issue and the job summary open with the
 * classes and their addresses, the `risks` output holds them, and a user's rules file adds a
 * class to a resource type of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startGitHubStandIn,
  type GitHubStandIn,
} from '../../../stand-ins/src/github/github-stand-in.js';
import { runAction } from '../../../test-bench/src/action-runner.js';
import { workflowDispatchEvent } from '../../../test-bench/src/github-events.js';
import { driftMarker } from '../../shared/src/plan/index.js';
import type { RisksOutput } from '../../shared/src/risk/index.js';
import {
  BUCKET,
  FORCE,
  RECORD,
  ROLE,
  STORAGE,
  TOPIC,
} from '../../shared/test/risk/cell-addresses.js';
import { scriptedTerraform } from './scripted-terraform.js';

const here = dirname(fileURLToPath(import.meta.url));
const actionDir = resolve(here, '..');
const repo = 'octo-org/octo-repo';
const ready = process.platform !== 'win32';
const describeReady = ready ? describe : describe.skip;
const refreshJson = readFileSync(
  resolve(here, '../../shared/test/fixtures/plans/drift-risks--aws-azure.json'),
  'utf8',
);

let github: GitHubStandIn;
let root: string;
let runNumber = 6300;

async function checkDrift(stack: string, inputs: Record<string, string> = {}) {
  runNumber++;
  return runAction({
    actionDir,
    inputs: { 'working-directory': 'stack', stack, mode: 'drift', ...inputs },
    token: github.writeToken,
    event: workflowDispatchEvent(),
    apiUrl: github.apiUrl,
    runId: runNumber,
    workspace: root,
    env: scriptedTerraform(root, refreshJson),
  });
}

function issueOf(stack: string) {
  const issues = github.issues(repo).filter((issue) => issue.body?.startsWith(driftMarker(stack)));
  expect(issues).toHaveLength(1);
  return issues[0];
}

beforeAll(async () => {
  if (!ready) return;
  github = await startGitHubStandIn();
  root = mkdtempSync(join(tmpdir(), 'drift-risks-'));
  mkdirSync(join(root, 'stack'));
  writeFileSync(join(root, 'stack', 'main.tf'), '# played by the scripted terraform\n');
});
afterAll(async () => {
  await github?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describeReady('drift mode: risk classes', () => {
  it('opens the drift issue and the job summary with the risky drifted resources', async () => {
    const result = await checkDrift('aws');
    expect(result.exitCode).toBe(0);
    expect(result.outputs['drift']).toBe('true');
    expect(result.stdout).toContain('Risks of this drift: data loss 2 · traffic 1 · access 2.');

    const body = issueOf('aws')?.body ?? '';
    const head = '**Risks of this drift**: data loss 2 · traffic 1 · access 2';
    const section = body.slice(body.indexOf(head), body.indexOf('#### Changed outside Terraform'));
    expect(body.indexOf(head)).toBeGreaterThan(body.indexOf('Terraform found drift in stack'));
    expect(section).toContain(
      `- **Data loss** (2)\n  - \`${BUCKET}\`: deleted outside Terraform\n  - \`${FORCE}\`: \`force_destroy\` turned on\n`,
    );
    expect(section).toContain(
      `- **Traffic** (1)\n  - \`${RECORD}\`: changed outside Terraform: \`ttl\`\n`,
    );
    expect(section).toContain(`- **Access** (2)\n  - \`${ROLE}\`: deleted outside Terraform\n`);
    expect(section).toContain(`  - \`${STORAGE}\`: \`public_network_access_enabled\` turned on`);
    expect(section).not.toContain(TOPIC);
    expect(result.summary).toContain(section);
    expect(body + result.summary).not.toContain('c2VjcmV0LWtleS1zaG91bGQtbmV2ZXItYmUtc2hvd24=');

    const risks = JSON.parse(result.outputs['risks'] ?? '') as RisksOutput;
    expect(risks.classes).toEqual(['data-loss', 'traffic', 'access']);
    expect(risks.resources).toEqual({
      'data-loss': [BUCKET, FORCE],
      traffic: [RECORD],
      access: [ROLE, STORAGE],
    });
    expect(risks.findings.find((finding) => finding.address === BUCKET)?.reasons).toEqual([
      'deleted outside Terraform',
    ]);
  });

  it("adds a user's own class to a drifted resource type of its choice", async () => {
    writeFileSync(
      join(root, 'risk-rules.json'),
      JSON.stringify({
        classes: [{ id: 'compliance', title: 'Compliance' }],
        rules: [{ class: 'compliance', types: ['aws_sns_topic'], actions: ['update'] }],
      }),
    );
    const result = await checkDrift('aws-custom', { 'risk-rules': 'risk-rules.json' });
    expect(result.exitCode).toBe(0);
    const risks = JSON.parse(result.outputs['risks'] ?? '') as RisksOutput;
    expect(risks.classes).toEqual(['data-loss', 'traffic', 'access', 'compliance']);
    expect(risks.resources['compliance']).toEqual([TOPIC]);
    const body = issueOf('aws-custom')?.body ?? '';
    expect(body).toContain(
      '**Risks of this drift**: data loss 2 · traffic 1 · access 2 · compliance 1',
    );
    expect(body).toContain(
      `- **Compliance** (1)\n  - \`${TOPIC}\`: changed outside Terraform: \`tags\``,
    );
  });
});
