/**
 * The rollout's `run:` steps in .github/workflows/deploy.yml (`node scripts/run-typescript.js rollout/src/workflow-commands.ts <command>`):
 *   plan      check the repository variables, output the cloud order (first, second)
 *   cell-env  put one cloud's rollout environment (ROLLOUT_*) in GITHUB_ENV for the sequence
 *   smoke     the sequence's smoke step: the cloud's own health URL on the new version
 *   summary   the job summary: which cloud runs which version, where traffic is
 * Each reads the environment and writes GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY as the
 * runner provides them; a bad value is one `::error::` naming it, never a stack trace.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

import { CLOUDS, isCloud, otherCloud, type Cloud } from '../../actions/shared/src/clouds.js';
import { RolloutError } from './errors.js';
import { cellEnvironment, ROUTING_INPUTS, type RoutingInput } from './sequence.js';
import { parseRolloutSettings, variablesFromEnv } from './settings.js';
import { smokeStep, smokeUrlOf } from './smoke-test.js';

/** Appends `name<<delimiter` entries, the form GitHub reads for any value, multi-line included. */
function appendFileCommand(variable: string, values: Record<string, string>): void {
  const path = process.env[variable];
  if (!path)
    throw new RolloutError(`${variable} is not set: run this as a step of a GitHub workflow`);
  let text = '';
  for (const [name, value] of Object.entries(values)) {
    const delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  appendFileSync(path, text);
}

function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new RolloutError(`${name} is required`);
  return value;
}

function cloudFrom(name: string): Cloud {
  const value = required(name);
  if (!isCloud(value)) throw new RolloutError(`${name} must be aws or azure, got "${value}"`);
  return value;
}

/** `terraform output -json` of the global stack into the traffic-shift input names. */
export function routingFromOutputs(json: string): Partial<Record<RoutingInput, string>> {
  let outputs: Record<string, { value?: unknown } | undefined>;
  try {
    outputs = JSON.parse(json) as typeof outputs;
  } catch {
    throw new RolloutError(
      "ROLLOUT_ROUTING_JSON must be the global stack's `terraform output -json`",
    );
  }
  const routing: Partial<Record<RoutingInput, string>> = {};
  for (const input of ROUTING_INPUTS) {
    const value = outputs?.[input.replace(/-/g, '_')]?.value;
    routing[input] = typeof value === 'string' ? value : '';
  }
  if (!routing['smoke-urls'])
    throw new RolloutError(
      'the global stack has no smoke_urls output: the cells cannot be smoke-tested',
    );
  return routing;
}

function plan(): void {
  const settings = parseRolloutSettings(variablesFromEnv(process.env));
  const [first, second] = settings.order;
  appendFileCommand('GITHUB_OUTPUT', {
    first,
    second,
    split: `aws=${settings.split.aws},azure=${settings.split.azure}`,
  });
  console.log(
    `rollout: ${first} then ${second}; each drained (steps ${settings.drainSteps}), applied, smoke-tested, ` +
      `then back to aws=${settings.split.aws},azure=${settings.split.azure} (steps ${settings.canarySteps}, bake ${settings.bakeSeconds} s)`,
  );
}

function cellEnv(): void {
  const settings = parseRolloutSettings(variablesFromEnv(process.env));
  const cloud = cloudFrom('ROLLOUT_CLOUD');
  const environment = cellEnvironment(settings, cloud, {
    version: required('DEPLOY_VERSION'),
    routing: routingFromOutputs(required('ROLLOUT_ROUTING_JSON')),
    backendConfig: process.env.TF_BACKEND_CONFIG ?? '',
    varFiles: process.env.TF_VAR_FILES ?? '',
  });
  appendFileCommand('GITHUB_ENV', environment);
  for (const [name, value] of Object.entries(environment)) {
    if (name !== 'ROLLOUT_BACKEND_CONFIG') console.log(`${name}=${value}`);
  }
}

async function smoke(): Promise<void> {
  console.log(
    `smoke test of ${process.env.ROLLOUT_CLOUD}, expecting version ${process.env.ROLLOUT_VERSION}`,
  );
  const result = await smokeStep(process.env);
  appendFileCommand('GITHUB_OUTPUT', {
    version: result.version ?? '',
    result: result.ok ? 'passed' : 'failed',
  });
  if (!result.ok) throw new RolloutError(`smoke test of ${result.cloud} failed: ${result.reason}`);
  console.log(`${result.cloud} is healthy on ${result.version} (${result.attempts} checks)`);
}

/** What one cloud's job reported (its outputs, passed through the summary job's env). */
interface CellReport {
  cloud: Cloud;
  result: string;
  /** The plan step's has-changes: 'false' means the cloud was left alone. */
  changes: string;
  steps: Record<string, string>;
  split: string;
  reason: string;
}

/** The verify step refused the plan (ADR 24): the cloud was never drained. */
function refusedBeforeDrain(report: CellReport): boolean {
  return report.steps.verify === 'failure' && report.steps.drain === 'not run';
}

async function summary(): Promise<void> {
  const reports: CellReport[] = (['FIRST', 'SECOND'] as const).map((position) => ({
    cloud: cloudFrom(`${position}_CLOUD`),
    result: process.env[`${position}_RESULT`] ?? '',
    changes: process.env[`${position}_CHANGES`] ?? '',
    steps: Object.fromEntries(
      ['verify', 'drain', 'apply', 'smoke', 'canary'].map((step) => [
        step,
        process.env[`${position}_${step.toUpperCase()}`] || 'not run',
      ]),
    ),
    split: process.env[`${position}_SPLIT`] ?? '',
    reason: process.env[`${position}_REASON`] ?? '',
  }));
  const completed = reports.every((report) => report.result === 'success');
  // Where traffic is: the last split a traffic-shift step reported, second cloud's job first.
  const split =
    [...reports].reverse().find((report) => report.split)?.split ??
    'unchanged (no traffic-shift ran)';
  const versions: Record<string, string> = {};
  const smokeUrls = process.env.ROLLOUT_SMOKE_URLS ?? '';
  for (const cloud of CLOUDS) {
    try {
      const response = await fetch(smokeUrlOf(smokeUrls, cloud), {
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json().catch(() => ({}))) as { version?: unknown };
      versions[cloud] =
        `${typeof body.version === 'string' ? body.version : '?'} (health ${response.status})`;
    } catch (error) {
      versions[cloud] =
        `unknown (${error instanceof RolloutError ? 'no health URL' : (error as Error).message})`;
    }
  }
  const failed = reports.find((report) => report.result !== 'success');
  const globalResult = process.env.GLOBAL_RESULT ?? 'success';
  const notStarted = globalResult !== 'success' && reports.every((r) => r.result === 'skipped');
  const lines = [
    `## Rollout of ${process.env.DEPLOY_VERSION ?? '?'}: ${completed ? 'completed' : 'FAILED'}`,
    '',
    notStarted
      ? `The rollout did not start: the \`global\` stack's job was ${globalResult || 'not run'}. No cloud was touched.`
      : failed
        ? `Stopped at **${failed.cloud}** (${failed.result})${failed.reason ? `: ${failed.reason}` : ''}. ${refusedBeforeDrain(failed) ? 'Its plan was refused before any traffic moved: traffic is where it was' : 'Traffic stays on or returned to the healthy cloud'}; ${reports.find((r) => r !== failed && r.result === 'skipped')?.cloud ?? 'no other cloud'} was not touched.`
        : 'Every cloud with changes runs the new version and traffic is back at the desired split.',
    '',
    `**Traffic now:** \`${split}\``,
    '',
    ...(failed && !notStarted && !refusedBeforeDrain(failed)
      ? [
          `**Next:** fix the release, then deploy it with \`DEPLOY_ORDER=${failed.cloud},${otherCloud(failed.cloud)}\`: a drained cloud must come back first, since draining the other one would put all traffic on it.`,
          '',
        ]
      : []),
    '| cloud | job | changes | verify | drain | apply | smoke | canary | version now |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...reports.map(
      (r) =>
        `| ${r.cloud} | ${r.result || '?'} | ${r.changes === 'false' ? 'none (left alone)' : r.changes === 'true' ? 'yes' : '?'} | ${r.steps.verify} | ${r.steps.drain} | ${r.steps.apply} | ${r.steps.smoke} | ${r.steps.canary} | ${versions[r.cloud]} |`,
    ),
  ];
  const text = lines.join('\n');
  console.log(text);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${text}\n`);
  if (!completed)
    throw new RolloutError(`the rollout did not complete: stopped at ${failed?.cloud}`);
}

export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  try {
    switch (command) {
      case 'plan':
        plan();
        break;
      case 'cell-env':
        cellEnv();
        break;
      case 'smoke':
        await smoke();
        break;
      case 'summary':
        await summary();
        break;
      default:
        throw new RolloutError(`unknown command "${command}": plan, cell-env, smoke or summary`);
    }
    return 0;
  } catch (error) {
    const message = (error as Error).message.replace(/\r?\n/g, ' ');
    console.log(`::error title=rollout ${command}::${message}`);
    return 1;
  }
}
