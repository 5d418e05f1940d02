// Event payloads for action runs, built from the real webhook examples GitHub's own Octokit
// team publishes (@octokit/webhooks-examples, a devDependency: the same payloads as GitHub's
// webhook documentation, typed by @octokit/webhooks-types). The project owns them through the
// package: nothing here reads files beside the repository, so a plain clone tests everything.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import type {
  PullRequestEvent,
  PushEvent,
  WebhookEventMap,
  WebhookEventName,
  WorkflowDispatchEvent,
} from '@octokit/webhooks-types';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a run needs to know about its trigger. `sha`/`ref` are what the runner would set. */
export interface GitHubEvent {
  name: string;
  payload: Record<string, unknown>;
  sha?: string;
  ref?: string;
  /** GITHUB_HEAD_REF / GITHUB_BASE_REF (pull requests only). */
  headRef?: string;
  baseRef?: string;
}

type Json = Record<string, unknown>;

const definitions = createRequire(import.meta.url)(
  '@octokit/webhooks-examples',
) as WebhookDefinition[];

/**
 * A deep copy of the first example payload of `name` that `matches` accepts; throws, naming
 * the event, when the package has none (a new package version that dropped it).
 */
export function webhookExample<Name extends WebhookEventName>(
  name: Name,
  matches: (payload: WebhookEventMap[Name]) => boolean = () => true,
): WebhookEventMap[Name] {
  const definition = definitions.find((entry) => entry.name === name) as
    WebhookDefinition<Name> | undefined;
  const example = definition?.examples.find(matches);
  if (!example) {
    throw new Error(`@octokit/webhooks-examples has no matching "${name}" example payload`);
  }
  return structuredClone(example);
}

/** The same example as a plain JSON object, for the field edits below. */
function exampleJson<Name extends WebhookEventName>(
  name: Name,
  matches?: (payload: WebhookEventMap[Name]) => boolean,
): Json {
  return webhookExample(name, matches) as unknown as Json;
}

/** Moves an example payload to another repository, URLs included. */
function retarget(payload: Json, fromRepository: string, repository: string | undefined): Json {
  if (!repository || repository === fromRepository) return payload;
  const [owner, name] = splitRepository(repository);
  const [fromOwner] = splitRepository(fromRepository);
  const moved = JSON.parse(JSON.stringify(payload).split(fromRepository).join(repository)) as Json;
  const repos = [moved.repository as Json | undefined];
  const pull = moved.pull_request as Json | undefined;
  if (pull) repos.push((pull.head as Json).repo as Json, (pull.base as Json).repo as Json);
  for (const repo of repos) {
    if (!repo) continue;
    repo.name = name;
    repo.full_name = repository;
    const repoOwner = repo.owner as Json;
    if (repoOwner.login === fromOwner) repoOwner.login = owner;
  }
  return moved;
}

function splitRepository(repository: string): [string, string] {
  const [owner, name, ...rest] = repository.split('/');
  if (!owner || !name || rest.length > 0) {
    throw new Error(`repository must be "owner/name", got "${repository}"`);
  }
  return [owner, name];
}

export interface PullRequestEventOptions {
  number?: number;
  headSha?: string;
  headRef?: string;
  baseRef?: string;
  baseSha?: string;
  /** The merge commit GitHub creates for refs/pull/N/merge; it becomes GITHUB_SHA. */
  mergeSha?: string;
  repository?: string;
  /** The example of that action: 'synchronize' has before/after, 'closed' a closed_at. */
  action?: 'opened' | 'synchronize' | 'reopened' | 'closed';
  /** A PR from a fork: head.repo is another repository (read-only token on GitHub). */
  fromFork?: string;
  merged?: boolean;
  title?: string;
}

/** A pull_request example event with a chosen number, head, base and repository. */
export function pullRequestEvent(options: PullRequestEventOptions = {}): GitHubEvent {
  const action = options.action ?? 'opened';
  const example = exampleJson(
    'pull_request',
    (payload: PullRequestEvent) => payload.action === action,
  );
  const from = (example.repository as Json).full_name as string;
  const exampleNumber = example.number as number;
  const number = options.number ?? exampleNumber;
  // Every URL that names the example's pull request (pulls/2, pull/2.diff, issues/2/comments...).
  const renumbered = JSON.parse(
    JSON.stringify(example).replace(
      new RegExp(`/(pulls|pull|issues)/${exampleNumber}(?=[/".])`, 'g'),
      `/$1/${number}`,
    ),
  ) as Json;
  const payload = retarget(renumbered, from, options.repository);
  const pull = payload.pull_request as Json;
  const head = pull.head as Json;
  const base = pull.base as Json;
  payload.action = action;
  payload.number = number;
  pull.number = number;
  if (options.headSha) {
    head.sha = options.headSha;
    if (action === 'synchronize') payload.after = options.headSha;
  }
  if (options.headRef) {
    head.ref = options.headRef;
    head.label = `${String((head.label as string).split(':')[0])}:${options.headRef}`;
  }
  if (options.baseRef) {
    base.ref = options.baseRef;
    base.label = `${String((base.label as string).split(':')[0])}:${options.baseRef}`;
  }
  if (options.baseSha) base.sha = options.baseSha;
  if (options.title) pull.title = options.title;
  if (options.fromFork) {
    const [forkOwner, forkName] = splitRepository(options.fromFork);
    const forkRepo = JSON.parse(JSON.stringify(head.repo)) as Json;
    forkRepo.name = forkName;
    forkRepo.full_name = options.fromFork;
    forkRepo.fork = true;
    (forkRepo.owner as Json).login = forkOwner;
    head.repo = forkRepo;
    head.label = `${forkOwner}:${String(head.ref)}`;
  }
  if (action === 'closed') {
    pull.state = 'closed';
    pull.merged = options.merged ?? false;
    pull.merged_at = pull.merged ? pull.closed_at : null;
  }
  return {
    name: 'pull_request',
    payload,
    sha: options.mergeSha ?? fakeSha(`merge-${number}-${String(head.sha)}`),
    ref: `refs/pull/${number}/merge`,
    headRef: head.ref as string,
    baseRef: base.ref as string,
  };
}

export interface PushEventOptions {
  ref?: string;
  before?: string;
  after?: string;
  repository?: string;
}

/**
 * A branch push: the example that creates refs/heads/master with one commit, adjusted (the
 * package has no ordinary branch push; `before` makes it one).
 */
export function pushEvent(options: PushEventOptions = {}): GitHubEvent {
  const example = exampleJson(
    'push',
    (payload: PushEvent) => payload.ref.startsWith('refs/heads/') && payload.head_commit !== null,
  );
  const from = (example.repository as Json).full_name as string;
  const payload = retarget(example, from, options.repository);
  if (options.ref) payload.ref = options.ref;
  if (options.before) {
    payload.before = options.before;
    payload.created = /^0+$/.test(options.before);
  }
  if (options.after) {
    payload.after = options.after;
    const headCommit = payload.head_commit as Json | null;
    if (headCommit) headCommit.id = options.after;
  }
  return { name: 'push', payload, sha: payload.after as string, ref: payload.ref as string };
}

export interface WorkflowDispatchEventOptions {
  inputs?: Record<string, string | number | boolean>;
  ref?: string;
  sha?: string;
  repository?: string;
}

export function workflowDispatchEvent(options: WorkflowDispatchEventOptions = {}): GitHubEvent {
  const example = exampleJson('workflow_dispatch', (payload: WorkflowDispatchEvent) =>
    payload.ref.startsWith('refs/heads/'),
  );
  const from = (example.repository as Json).full_name as string;
  const payload = retarget(example, from, options.repository);
  if (options.inputs) payload.inputs = options.inputs;
  if (options.ref) payload.ref = options.ref;
  return {
    name: 'workflow_dispatch',
    payload,
    sha: options.sha ?? fakeSha(`dispatch-${String(payload.ref)}`),
    ref: payload.ref as string,
  };
}

/** A stable 40-hex-digit sha for names that have no real commit behind them. */
export function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}
