/**
 * The listing of a plan: what the sticky comment carries for machines (plan-comment.ts writes
 * and reads it) and what the apply compares with the plan it makes now. Full addresses,
 * Terraform's actions and reason codes, and the names of the top-level attributes that change:
 * never a value, not even a hash of one (docs/adr/0011-plan-comment-codec.md).
 */
import { code } from './markdown.js';
import type { PlanModel, ResourceChange } from './plan-model.js';
import {
  changedAttributeNames,
  compareForReport,
  describeReason,
  isListed,
  listedOutputs,
} from './plan-summary.js';

export interface ListedResource {
  address: string;
  /** Terraform's key of a deposed object: one address can be listed twice. */
  deposed?: string;
  /** As planned, in order: ["delete", "create"] is destroy-then-create. */
  actions: readonly string[];
  /** Terraform's action_reason code, e.g. "replace_because_tainted". */
  reason?: string;
  previousAddress?: string;
  importing?: boolean;
  /** Names of the top-level attributes that change (updates and replacements). */
  attributes?: readonly string[];
}

export interface ListedOutput {
  name: string;
  actions: readonly string[];
}

export interface PlanListing {
  resources: ListedResource[];
  outputs: ListedOutput[];
}

function listResource(change: ResourceChange): ListedResource {
  const entry: ListedResource = { address: change.address, actions: change.actions };
  if (change.deposed !== undefined) entry.deposed = change.deposed;
  if (change.actionReason !== undefined) entry.reason = change.actionReason;
  if (change.previousAddress !== undefined) entry.previousAddress = change.previousAddress;
  if (change.importing) entry.importing = true;
  if (change.kind === 'update' || change.kind === 'replace') {
    entry.attributes = changedAttributeNames(change);
  }
  return entry;
}

/**
 * The listing of every change a report lists, in report order (riskiest first per module).
 * `listed`: those changes already in that order, when the caller has them.
 */
export function planListing(
  plan: PlanModel,
  listed: readonly ResourceChange[] = plan.resourceChanges.filter(isListed).sort(compareForReport),
): PlanListing {
  return {
    resources: listed.map(listResource),
    outputs: listedOutputs(plan).map((output) => ({
      name: output.name,
      actions: [...output.actions],
    })),
  };
}

/** What identifies a listed resource: its address, and its deposed key if it has one. */
export function listedKey(resource: ListedResource): string {
  return resource.deposed === undefined
    ? resource.address
    : `${resource.address} (deposed object ${resource.deposed})`;
}

/** Whether the change loses the existing object (destroy, replace, any action list with delete). */
export function isDestructiveListing(resource: ListedResource): boolean {
  return resource.actions.includes('delete');
}

/** Same action, reason, move and import: what differs then is only which attributes or values. */
export function sameListedAction(a: ListedResource, b: ListedResource): boolean {
  return (
    a.actions.join(',') === b.actions.join(',') &&
    a.reason === b.reason &&
    a.previousAddress === b.previousAddress &&
    a.importing === b.importing
  );
}

function verb(actions: readonly string[]): string {
  switch (actions.join(',')) {
    case 'create':
    case 'update':
    case 'forget':
      return actions[0] as string;
    case 'delete':
      return 'destroy';
    case 'delete,create':
      return 'replace';
    case 'create,delete':
      return 'replace (create before destroy)';
    case 'read':
      return 'read during apply';
    case 'no-op':
    case '':
      return '';
    default:
      return actions.join(', then ');
  }
}

/** Most attribute names an action description names; the rest are counted. */
const MAX_NAMED = 10;

export function attributeList(names: readonly string[], markdown: boolean): string {
  const shown = names.slice(0, MAX_NAMED).map((name) => (markdown ? code(name, true) : name));
  if (names.length > MAX_NAMED) shown.push(`${names.length - MAX_NAMED} more`);
  return shown.join(', ');
}

/**
 * "update: `input`, `output`", "replace: tainted", "create; move from `x`": the action of a
 * listed resource in words, in Markdown (for a table cell) or plain (for the log). A deposed
 * object is named by its key (listedKey), not here.
 */
export function describeListed(resource: ListedResource, markdown: boolean): string {
  const name = (text: string) => (markdown ? code(text, true) : text);
  let text = verb(resource.actions);
  const attributes = resource.attributes ?? [];
  if (resource.actions.join(',') === 'update' && attributes.length > 0) {
    text = `${text}: ${attributeList(attributes, markdown)}`;
  } else if (resource.reason !== undefined && text !== '') {
    text = `${text}: ${describeReason(resource.reason)}`;
  }
  const extras: string[] = [];
  if (resource.importing) extras.push('import');
  if (resource.previousAddress !== undefined)
    extras.push(`move from ${name(resource.previousAddress)}`);
  return [text, ...extras].filter((part) => part !== '').join('; ') || 'no change';
}

export function describeListedOutput(output: ListedOutput): string {
  const text = verb(output.actions);
  return text === 'destroy' ? 'remove' : text || 'no change';
}
