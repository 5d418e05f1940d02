// Rules the workflows keep about identities and credentials (issues 13 and 14), on the parsed
// YAML. Each returns one readable line per problem, so that a test shows them all and the same
// rule can be run on a broken snippet.
import { parseLockTimeout } from '../../actions/shared/src/terraform/state-lock.js';
import { ROUTING_INPUTS } from '../../rollout/src/sequence.js';

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string; url?: string };
  permissions?: Record<string, string> | string;
  'timeout-minutes'?: number;
  env?: Record<string, unknown>;
  strategy?: { matrix?: Record<string, unknown> };
  steps?: Step[];
}

export interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: Record<string, string> | string;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

export const PLAN_ACTION = './actions/plan';
export const APPLY_ACTION = './actions/apply';
export const SHIFT_ACTION = './actions/traffic-shift';
const AWS_CREDENTIALS = 'aws-actions/configure-aws-credentials@';

/** The repository variables of each identity (terraform/bootstrap prints them). */
export const IDENTITY_VARIABLES = {
  plan: ['AWS_PLAN_ROLE_ARN', 'AZURE_PLAN_CLIENT_ID'],
  deploy: ['AWS_DEPLOY_ROLE_ARN', 'AZURE_DEPLOY_CLIENT_ID'],
} as const;

/** Variables of the single identity the workflows used before the split. */
const RETIRED_IDENTITY_VARIABLES = ['AZURE_CLIENT_ID', 'AWS_TRAFFIC_ROLE_ARN'];

function steps(job: Job): Step[] {
  return job.steps ?? [];
}

function uses(job: Job, action: string): boolean {
  return steps(job).some((step) => step.uses === action);
}

export function environmentOf(job: Job): string | undefined {
  return typeof job.environment === 'string' ? job.environment : job.environment?.name;
}

function holdsIdToken(job: Job, workflow: Workflow): boolean {
  const permissions = job.permissions ?? workflow.permissions;
  if (permissions === 'write-all') return true;
  return typeof permissions === 'object' && permissions['id-token'] === 'write';
}

/** The environment a step runs with: workflow, then job, then step. */
function stepEnv(workflow: Workflow, job: Job, step: Step): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...workflow.env, ...job.env, ...step.env }).map(([key, value]) => [
      key,
      String(value),
    ]),
  );
}

/** `vars.NAME` references anywhere in a value. */
function variablesIn(value: unknown): string[] {
  return [...JSON.stringify(value ?? '').matchAll(/\bvars\.([A-Za-z_][A-Za-z0-9_]*)/g)].map(
    (match) => match[1] as string,
  );
}

/** Which identities a job signs in as: the variables its credential settings read. */
function identityVariables(workflow: Workflow, job: Job): string[] {
  const used = new Set<string>();
  for (const step of steps(job)) {
    if (step.uses?.startsWith(AWS_CREDENTIALS)) {
      for (const name of variablesIn(step.with?.['role-to-assume'])) used.add(name);
    }
    const env = stepEnv(workflow, job, step);
    if (step.uses === PLAN_ACTION || step.uses === APPLY_ACTION)
      for (const name of variablesIn(env.ARM_CLIENT_ID)) used.add(name);
    if (step.uses === SHIFT_ACTION)
      for (const name of variablesIn(env.AZURE_CLIENT_ID)) used.add(name);
  }
  return [...used];
}

/**
 * azurerm needs what OIDC needs from the environment (azure/login exports none of it):
 * ARM_USE_OIDC=true, ARM_CLIENT_ID, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID on every plan and apply
 * step (every stack reads Azure: azure and global directly, aws the Azure cell's state); and
 * the traffic-shift action signs in to Front Door with AZURE_CLIENT_ID and AZURE_TENANT_ID in a
 * job that may ask for ID tokens.
 */
export function azureSignInSettings(name: string, workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    for (const step of steps(job)) {
      const env = stepEnv(workflow, job, step);
      const where = `${name}: job ${jobId}, step "${step.name ?? step.id ?? step.uses}"`;
      if (step.uses === PLAN_ACTION || step.uses === APPLY_ACTION) {
        if (env.ARM_USE_OIDC !== 'true')
          problems.push(`${where} runs Terraform without ARM_USE_OIDC=true`);
        for (const key of ['ARM_CLIENT_ID', 'ARM_TENANT_ID', 'ARM_SUBSCRIPTION_ID']) {
          if (!env[key]) problems.push(`${where} runs Terraform without ${key}`);
        }
      }
      if (step.uses === SHIFT_ACTION) {
        for (const key of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID']) {
          if (!env[key]) problems.push(`${where} shifts traffic without ${key}`);
        }
      }
      if (
        (step.uses === PLAN_ACTION || step.uses === APPLY_ACTION || step.uses === SHIFT_ACTION) &&
        !holdsIdToken(job, workflow)
      ) {
        problems.push(`${where} needs id-token: write to sign in with OIDC`);
      }
    }
  }
  return problems;
}

/**
 * Every job that applies a stack or moves traffic runs in the environment whose OIDC subject
 * the deploy identities trust; those identities are used nowhere else, and the plan identities
 * nowhere in it. No job uses the single identity of before.
 */
export function identitySplit(
  name: string,
  workflow: Workflow,
  environment = 'production',
): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const where = `${name}: job ${jobId}`;
    const inEnvironment = environmentOf(job) === environment;
    if ((uses(job, APPLY_ACTION) || uses(job, SHIFT_ACTION)) && !inEnvironment) {
      problems.push(`${where} applies or shifts traffic outside the ${environment} environment`);
    }
    const identities = identityVariables(workflow, job);
    for (const variable of identities) {
      const plan = (IDENTITY_VARIABLES.plan as readonly string[]).includes(variable);
      const deploy = (IDENTITY_VARIABLES.deploy as readonly string[]).includes(variable);
      if (deploy && !inEnvironment)
        problems.push(`${where} signs in with ${variable} outside the ${environment} environment`);
      if (plan && inEnvironment)
        problems.push(
          `${where} runs in ${environment} but signs in with the plan identity ${variable}`,
        );
      if (!plan && !deploy)
        problems.push(
          `${where} signs in with ${variable}, which is neither a plan nor a deploy identity`,
        );
    }
    for (const variable of variablesIn(job)) {
      if (RETIRED_IDENTITY_VARIABLES.includes(variable))
        problems.push(`${where} reads vars.${variable}: use the plan or deploy identity`);
    }
  }
  return problems;
}

const INSTALL = /\bnpm\s+(ci|install|i|add)\b/;

/**
 * A job that holds id-token: write installs no package scripts (`npm ci --ignore-scripts`) and
 * needs the token: it signs in to a cloud (configure-aws-credentials, or a plan, apply or
 * traffic-shift step, which sign in to Azure with it).
 */
export function credentialsWithoutInstallScripts(name: string, workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    if (!holdsIdToken(job, workflow)) continue;
    const where = `${name}: job ${jobId}`;
    for (const step of steps(job)) {
      for (const line of (step.run ?? '').split('\n')) {
        if (INSTALL.test(line) && !line.includes('--ignore-scripts'))
          problems.push(
            `${where} holds id-token: write and runs "${line.trim()}" without --ignore-scripts`,
          );
      }
    }
    const signsIn = steps(job).some(
      (step) =>
        step.uses?.startsWith(AWS_CREDENTIALS) ||
        [PLAN_ACTION, APPLY_ACTION, SHIFT_ACTION].includes(step.uses ?? ''),
    );
    if (!signsIn) problems.push(`${where} holds id-token: write but signs in to no cloud`);
  }
  return problems;
}

/**
 * Plans by read-only identities take no lock (lock: false): pull request plans and drift
 * checks. Plans a deploy applies wait for the lock (a lock-timeout above zero).
 */
export function planLocking(
  name: string,
  workflow: Workflow,
  kind: 'read-only' | 'deploy',
): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    for (const step of steps(job).filter((s) => s.uses === PLAN_ACTION)) {
      const where = `${name}: job ${jobId}, step "${step.name ?? step.id}"`;
      const lock = String(step.with?.lock ?? 'true');
      const timeout = step.with?.['lock-timeout'];
      if (kind === 'read-only' && lock !== 'false')
        problems.push(
          `${where} plans with a read-only identity but takes the state lock (set lock: 'false')`,
        );
      if (kind === 'deploy') {
        const seconds = parseLockTimeout(String(timeout ?? ''));
        if (lock === 'false' || !seconds)
          problems.push(`${where} fails at once on a held lock: give it a lock-timeout (e.g. 5m)`);
      }
    }
  }
  return problems;
}

/** The one secret every reviewed plan and every apply digests sensitive values under (ADR 3). */
const DIGEST_KEY_INPUT = '${{ secrets.PLAN_DIGEST_KEY }}';

/**
 * Every plan whose digest is compared (mode plan) and every apply passes the same digest-key,
 * as an input (never through an environment every step would see): a PR plan digested under
 * one key and an apply under another, or none, can never agree.
 */
export function digestKeyInputs(name: string, workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    for (const step of steps(job)) {
      const isDigesting =
        step.uses === APPLY_ACTION || (step.uses === PLAN_ACTION && step.with?.mode !== 'drift');
      if (!isDigesting) continue;
      const key = step.with?.['digest-key'];
      if (key !== DIGEST_KEY_INPUT)
        problems.push(
          `${name}: job ${jobId}, step "${step.name ?? step.id}" passes digest-key ${key === undefined ? 'not at all' : `'${String(key)}'`}: give it digest-key: ${DIGEST_KEY_INPUT}`,
        );
    }
  }
  return problems;
}

/**
 * AWS sessions last as long as the job that uses them: role-duration-seconds at least the
 * job's timeout (and AWS's minimum of 900 s), at most the role's maximum session (the
 * bootstrap's max_session_duration for that role).
 */
export function credentialsOutlastJobs(
  name: string,
  workflow: Workflow,
  maxSessionSeconds: { plan: number; deploy: number },
): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    for (const step of steps(job).filter((s) => s.uses?.startsWith(AWS_CREDENTIALS))) {
      const where = `${name}: job ${jobId}, step "${step.name ?? step.uses}"`;
      const timeout = Number(job['timeout-minutes'] ?? 360) * 60;
      const duration = Number(step.with?.['role-duration-seconds']);
      const role = variablesIn(step.with?.['role-to-assume']);
      const kind = role.some((v) => (IDENTITY_VARIABLES.deploy as readonly string[]).includes(v))
        ? 'deploy'
        : 'plan';
      if (!Number.isInteger(duration)) {
        problems.push(
          `${where} sets no role-duration-seconds: the session ends after AWS's default hour, within a ${timeout / 60}-minute job`,
        );
        continue;
      }
      if (duration < Math.max(900, timeout))
        problems.push(`${where} asks for ${duration} s, less than the job's ${timeout} s timeout`);
      if (duration > maxSessionSeconds[kind])
        problems.push(
          `${where} asks for ${duration} s, more than the ${kind} role allows (${maxSessionSeconds[kind]} s)`,
        );
    }
  }
  return problems;
}

/**
 * Where the routers are comes from the global stack's outputs (a job output or the rollout's
 * environment computed from them), never from repository variables copied by hand.
 */
export function routersFromGlobalOutputs(name: string, workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    for (const step of steps(job).filter((s) => s.uses === SHIFT_ACTION)) {
      for (const input of ROUTING_INPUTS) {
        const value = String(step.with?.[input] ?? '');
        if (
          variablesIn(value).length > 0 ||
          !/\$\{\{\s*(needs\.[\w-]+\.outputs\.|env\.ROLLOUT_)/.test(value)
        ) {
          problems.push(
            `${name}: job ${jobId} passes ${input} = ${JSON.stringify(value)}, not the global stack's output`,
          );
        }
      }
    }
  }
  return problems;
}

const SECRET = /\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Repository secrets reach only jobs in the environment that guards deploys: any other job
 * (a pull request's plan, the drift check) runs code a pull request may have changed and could
 * print them. GITHUB_TOKEN is the job's own token, scoped by its permissions; a caller may
 * allow more by name. The cells' peer key is not a workflow secret at all (ADR 17).
 */
export function secretsOnlyInEnvironment(
  name: string,
  workflow: Workflow,
  environment = 'production',
  allowed: readonly string[] = ['GITHUB_TOKEN'],
): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    if (environmentOf(job) === environment) continue;
    const read = new Set(
      [...JSON.stringify(job).matchAll(SECRET)]
        .map((match) => match[1] as string)
        .filter((secret) => !allowed.includes(secret)),
    );
    for (const secret of read)
      problems.push(
        `${name}: job ${jobId} reads secrets.${secret} outside the ${environment} environment`,
      );
  }
  return problems;
}
