/** Counts and one-line descriptions of planned changes, shared by every report. */
import {
  attributeChanges,
  changedTopLevelAttributes,
  type AttributeChange,
} from './attribute-diff.js';
import { code, formatCount, plural } from './markdown.js';
import type { OutputChange, PlanModel, ResourceChange } from './plan-model.js';

export interface PlanCounts {
  add: number;
  change: number;
  replace: number;
  destroy: number;
  import: number;
  move: number;
  forget: number;
  outputs: number;
}

export function countChanges(plan: PlanModel): PlanCounts {
  const counts: PlanCounts = {
    add: 0,
    change: 0,
    replace: 0,
    destroy: 0,
    import: 0,
    move: 0,
    forget: 0,
    outputs: 0,
  };
  for (const change of plan.resourceChanges) {
    if (change.kind === 'create') counts.add++;
    else if (change.kind === 'update') counts.change++;
    else if (change.kind === 'replace') counts.replace++;
    else if (change.kind === 'destroy') counts.destroy++;
    else if (change.kind === 'forget') counts.forget++;
    if (change.importing) counts.import++;
    if (change.previousAddress !== undefined) counts.move++;
  }
  for (const output of plan.outputChanges) {
    if (output.kind !== 'no-op') counts.outputs++;
  }
  return counts;
}

export function hasChanges(counts: PlanCounts): boolean {
  return Object.values(counts).some((count) => count > 0);
}

/** "2 to add, 3 to change, 1 to replace, 1 to destroy, 1 to import, 2 output changes". */
export function describeCounts(counts: PlanCounts): string {
  const parts = [
    `${formatCount(counts.add)} to add`,
    `${formatCount(counts.change)} to change`,
    `${formatCount(counts.replace)} to replace`,
    `${formatCount(counts.destroy)} to destroy`,
  ];
  if (counts.import > 0) parts.push(`${formatCount(counts.import)} to import`);
  if (counts.move > 0) parts.push(`${formatCount(counts.move)} to move`);
  if (counts.forget > 0) parts.push(`${formatCount(counts.forget)} to forget`);
  if (counts.outputs > 0) parts.push(plural(counts.outputs, 'output change'));
  return parts.join(', ');
}

/** Whether a change loses the existing object (destroy, replace, or any action list with delete). */
export function isDestructive(change: ResourceChange): boolean {
  return (
    change.kind === 'destroy' || change.kind === 'replace' || change.actions.includes('delete')
  );
}

const severity: Record<string, number> = {
  destroy: 0,
  replace: 1,
  other: 2,
  create: 3,
  update: 4,
  forget: 5,
  read: 6,
  'no-op': 7,
};

/** Root module first, then modules by address; inside each, the riskiest changes first. */
export function compareForReport(a: ResourceChange, b: ResourceChange): number {
  if (a.moduleAddress !== b.moduleAddress) {
    if (a.moduleAddress === '') return -1;
    if (b.moduleAddress === '') return 1;
    return a.moduleAddress < b.moduleAddress ? -1 : 1;
  }
  const bySeverity = (severity[a.kind] ?? 9) - (severity[b.kind] ?? 9);
  if (bySeverity !== 0) return bySeverity;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/** Resources a report lists: everything but pure no-ops (moves and imports are listed). */
export function isListed(change: ResourceChange): boolean {
  return change.kind !== 'no-op' || change.previousAddress !== undefined || change.importing;
}

export function symbolOf(change: ResourceChange): string {
  switch (change.kind) {
    case 'create':
      return '+';
    case 'update':
      return '~';
    case 'destroy':
      return '-';
    case 'replace':
      return change.createBeforeDestroy ? '+/-' : '-/+';
    case 'read':
      return '<=';
    case 'forget':
      return '.';
    case 'no-op':
      return change.importing ? '<-' : '->';
    default:
      return '!';
  }
}

function pathText(path: readonly unknown[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (typeof step === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(step)) {
      out += out === '' ? step : `.${step}`;
    } else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}

/** Terraform's action_reason codes in words (replace paths, where known, are named apart). */
const REASON_WORDS: Record<string, string> = {
  replace_because_tainted: 'tainted',
  replace_because_cannot_update: 'cannot be updated in place',
  replace_by_request: 'replacement requested (-replace)',
  replace_by_triggers: 'replace_triggered_by changed',
  delete_because_no_resource_config: 'no longer in the configuration',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_wrong_repetition: 'count or for_each added or removed',
  delete_because_count_index: 'count index no longer in range',
  delete_because_each_key: 'for_each key no longer present',
  delete_because_no_move_target: 'moved to an address that is not in the configuration',
  read_because_config_unknown: 'configuration known only after apply',
  read_because_dependency_pending: 'a dependency has pending changes',
  read_because_check_nested: 'read by a check block',
};

/** An action_reason code in words; a code this release does not know, with spaces. */
export function describeReason(reason: string): string {
  return Object.hasOwn(REASON_WORDS, reason)
    ? (REASON_WORDS[reason] as string)
    : reason.replace(/_/g, ' ');
}

/** Why Terraform chose this action, in words, or '' when it gave no reason. */
export function reasonOf(change: ResourceChange, inTable = false): string {
  const paths = change.replacePaths.map((path) => code(pathText(path), inTable));
  const cannotUpdate =
    change.actionReason === 'replace_because_cannot_update' ||
    (change.actionReason === undefined && change.kind === 'replace');
  if (cannotUpdate && paths.length > 0) return `${paths.join(', ')} cannot be updated in place`;
  return change.actionReason === undefined ? '' : describeReason(change.actionReason);
}

const attributeChangeCache = new WeakMap<ResourceChange, AttributeChange[]>();

/** Attribute changes of a resource, computed once per report run. */
export function resourceAttributeChanges(change: ResourceChange): AttributeChange[] {
  let cached = attributeChangeCache.get(change);
  if (!cached) {
    cached = attributeChanges(
      change.before,
      change.after,
      change.beforeSensitive,
      change.afterSensitive,
      change.afterUnknown,
    );
    attributeChangeCache.set(change, cached);
  }
  return cached;
}

/** Top-level attribute names that change (the action column, the listing). */
export function changedAttributeNames(change: ResourceChange): string[] {
  return changedTopLevelAttributes(
    change.before,
    change.after,
    change.beforeSensitive,
    change.afterSensitive,
    change.afterUnknown,
  );
}

const MAX_NAMED_ATTRIBUTES = 6;

/** The action column: "update: `memory_size`, `environment`", "replace: tainted", ... */
export function actionText(
  change: ResourceChange,
  inTable = true,
  /** The changed attribute names, when the caller has them already (the comment's listing). */
  known?: readonly string[],
): string {
  let text: string;
  const reason = reasonOf(change, inTable);
  switch (change.kind) {
    case 'update': {
      const names = known ?? changedAttributeNames(change);
      const shown = names.slice(0, MAX_NAMED_ATTRIBUTES).map((name) => code(name, inTable));
      if (names.length > MAX_NAMED_ATTRIBUTES)
        shown.push(`${names.length - MAX_NAMED_ATTRIBUTES} more`);
      text = shown.length > 0 ? `update: ${shown.join(', ')}` : 'update';
      break;
    }
    case 'forget':
      text = 'forget (removed from state, not destroyed)';
      break;
    case 'no-op':
      text = '';
      break;
    case 'other':
      text = change.actions.join(', then ');
      break;
    case 'read':
      text = 'read during apply';
      break;
    default:
      text = change.kind;
  }
  if (reason !== '' && change.kind !== 'update') text = `${text}: ${reason}`;
  const extras: string[] = [];
  if (change.importing) {
    extras.push(
      change.importingId !== undefined ? `import ${code(change.importingId, inTable)}` : 'import',
    );
  }
  if (change.previousAddress !== undefined) {
    extras.push(`move from ${code(change.previousAddress, inTable)}`);
  }
  if (change.deposed !== undefined) extras.push(`deposed object ${code(change.deposed, inTable)}`);
  return [text, ...extras].filter((part) => part !== '').join('; ');
}

export function listedOutputs(plan: PlanModel): OutputChange[] {
  return plan.outputChanges.filter((output) => output.kind !== 'no-op');
}
