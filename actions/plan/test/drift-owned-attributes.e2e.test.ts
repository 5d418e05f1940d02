/**
 * Drift mode and attributes owned elsewhere, end to end through the action's bundle and the
 * GitHub stand-in. A refresh-only plan that reports a traffic shift needs the aws provider,
 * which cannot be downloaded here (terraform_data never drifts on refresh), so a small
 * `terraform` script on PATH plays Terraform's part (scripted-terraform.ts) with a plan shaped
 * like Terraform 1.11's for a Route 53 record whose weight traffic-shift moved.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import { scriptedTerraform } from './scripted-terraform.js';

const actionDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = 'octo-org/octo-repo';
const ready = process.platform !== 'win32';
const describeReady = ready ? describe : describe.skip;

const address = 'module.routing.aws_route53_record.api["azure"]';

/** A refresh-only plan JSON in which the record's weight (and maybe its TTL) changed. */
function refreshOnlyPlan(ttl: number): string {
  const record = (weight: number, recordTtl: number) => ({
    name: 'api.example.com',
    set_identifier: 'azure',
    ttl: recordTtl,
    type: 'CNAME',
    weighted_routing_policy: [{ weight }],
  });
  return JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.11.4',
    resource_drift: [
      {
        address,
        module_address: 'module.routing',
        mode: 'managed',
        type: 'aws_route53_record',
        name: 'api',
        index: 'azure',
        provider_name: 'registry.terraform.io/hashicorp/aws',
        change: {
          actions: ['update'],
          before: record(50, 60),
          after: record(100, ttl),
          after_unknown: {},
          before_sensitive: { weighted_routing_policy: [{}] },
          after_sensitive: { weighted_routing_policy: [{}] },
        },
      },
    ],
    resource_changes: [],
  });
}

let github: GitHubStandIn;
let root: string;
let runNumber = 6100;

async function checkDrift(env: Record<string, string>, inputs: Record<string, string> = {}) {
  runNumber++;
  return runAction({
    actionDir,
    inputs: { 'working-directory': 'stack', stack: 'global', mode: 'drift', ...inputs },
    token: github.writeToken,
    event: workflowDispatchEvent(),
    apiUrl: github.apiUrl,
    runId: runNumber,
    workspace: root,
    env,
  });
}

function driftIssues() {
  return github.issues(repo).filter((issue) => issue.body?.startsWith(driftMarker('global')));
}

beforeAll(async () => {
  if (!ready) return;
  github = await startGitHubStandIn();
  root = mkdtempSync(join(tmpdir(), 'drift-owned-'));
  mkdirSync(join(root, 'stack'));
  writeFileSync(join(root, 'stack', 'main.tf'), '# played by the scripted terraform\n');
});
afterAll(async () => {
  await github?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describeReady('drift mode: attributes owned elsewhere', () => {
  it('does not count a traffic shift as drift, unless told to count every attribute', async () => {
    const shifted = scriptedTerraform(root, refreshOnlyPlan(60));
    const quiet = await checkDrift(shifted);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.outputs['drift']).toBe('false');
    expect(quiet.stdout).toContain(
      'Not counted as drift (owned elsewhere at run time, input drift-ignore-attributes): aws_route53_record.weighted_routing_policy.weight.',
    );
    expect(driftIssues()).toHaveLength(0);

    const counted = await checkDrift(shifted, { 'drift-ignore-attributes': 'none' });
    expect(counted.outputs['drift']).toBe('true');
    expect(driftIssues()).toHaveLength(1);
    expect(driftIssues()[0]?.body).toContain(
      `| \`${address}\` | \`weighted_routing_policy[0].weight\` | \`50\` | \`100\` |`,
    );

    // Back to the default: the only drift is the weight, so the issue closes as clean.
    const clean = await checkDrift(shifted);
    expect(clean.outputs['drift']).toBe('false');
    expect(driftIssues()[0]?.state).toBe('closed');
    expect(driftIssues()[0]?.comments.at(-1)?.body).toContain(
      'nothing changed outside Terraform but attributes owned elsewhere (aws_route53_record.weighted_routing_policy.weight), and nothing in the code is left to apply. Closing.',
    );
  });

  it('reports the rest of a resource whose weight also moved, without the weight', async () => {
    const env = scriptedTerraform(root, refreshOnlyPlan(300));
    const result = await checkDrift(env);
    expect(result.outputs['drift']).toBe('true');
    const body = driftIssues()[0]?.body ?? '';
    expect(body).toContain('#### Changed outside Terraform (1)');
    expect(body).toContain(`| \`${address}\` | \`ttl\` | \`60\` | \`300\` |`);
    expect(body).not.toContain('weighted_routing_policy[0].weight');
    expect(result.summary).toContain(`| \`${address}\` | \`ttl\` | \`60\` | \`300\` |`);
  });

  it('refuses a malformed attribute path before running terraform or calling GitHub', async () => {
    github.clearRequests();
    const result = await checkDrift(scriptedTerraform(root, refreshOnlyPlan(60)), {
      'drift-ignore-attributes': 'weight',
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.map((annotation) => annotation.message)).toEqual([
      expect.stringContaining(
        "Input 'drift-ignore-attributes': 'weight' is not an attribute path",
      ) as unknown as string,
    ]);
    expect(github.requests).toHaveLength(0);
  });
});
