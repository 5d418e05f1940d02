/**
 * A readable explanation of why a plan does not match the approved digest: which addresses,
 * actions and changed attributes differ between the plan that was reviewed and the plan made
 * now. The reviewed side is the listing the plan comment carries for machines (read by the
 * codec, plan-comment.ts), the other side the same listing of the plan made now: full
 * addresses against full addresses, never a rendered table. No value is compared or shown: the
 * digest already says the values differ, and values can be secrets (docs/adr/0011).
 */
import { code, escapeHidden } from '../../shared/src/plan/markdown.js';
import type { ReviewedListing } from '../../shared/src/plan/plan-comment.js';
import {
  attributeList,
  describeListed,
  describeListedOutput,
  isDestructiveListing,
  listedKey,
  planListing,
  sameListedAction,
  type ListedOutput,
  type ListedResource,
  type PlanListing,
} from '../../shared/src/plan/plan-listing.js';
import type { PlanModel } from '../../shared/src/plan/plan-model.js';
import type { Redactor } from '../../shared/src/plan/redaction.js';

export type DifferenceEntry =
  | {
      kind: 'resource';
      name: string;
      /** The entry in the reviewed listing; undefined when it is not there. */
      reviewed?: ListedResource;
      /** The entry in the plan made now; undefined when it is not planned now. */
      planned?: ListedResource;
      /** Set when a partial reviewed listing proves only that this was no destroy or replace. */
      reviewedNotDestructive?: boolean;
      /** Same action on both sides, but other attributes change. */
      attributes?: { added: string[]; removed: string[] };
    }
  | { kind: 'output'; name: string; reviewed?: ListedOutput; planned?: ListedOutput };

/** What is known of the reviewed plan: its listing, or only its digest (input). */
export type ReviewedSide = ReviewedListing | { state: 'digest-only' };

export interface PlanDifference {
  entries: DifferenceEntry[];
  reviewed: ReviewedSide;
  /** Changes in both plans with the same address, action and changed attribute names. */
  same: number;
  /** Changes of the plan made now that a partial reviewed listing cannot speak for. */
  notCompared: number;
}

function difference(a: readonly string[] = [], b: readonly string[] = []): string[] {
  const other = new Set(b);
  return a.filter((name) => !other.has(name));
}

function byKey<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [key(item), item]));
}

/** Destroys and replacements planned now first (the entries a re-reviewer must not miss). */
function order(a: DifferenceEntry, b: DifferenceEntry): number {
  const risk = (entry: DifferenceEntry) =>
    entry.kind === 'resource' && entry.planned && isDestructiveListing(entry.planned) ? 0 : 1;
  if (a.kind !== b.kind) return a.kind === 'resource' ? -1 : 1;
  return risk(a) - risk(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function compareResources(
  reviewed: Extract<ReviewedListing, { listing: PlanListing }>,
  planned: readonly ListedResource[],
  result: PlanDifference,
): void {
  const before = byKey(reviewed.listing.resources, listedKey);
  const after = byKey(planned, listedKey);
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(name);
    const now = after.get(name);
    if (old && now) {
      if (!sameListedAction(old, now)) {
        result.entries.push({ kind: 'resource', name, reviewed: old, planned: now });
        continue;
      }
      const added = difference(now.attributes, old.attributes);
      const removed = difference(old.attributes, now.attributes);
      if (added.length + removed.length === 0) result.same++;
      else
        result.entries.push({
          kind: 'resource',
          name,
          reviewed: old,
          planned: now,
          attributes: { added, removed },
        });
    } else if (old) {
      result.entries.push({ kind: 'resource', name, reviewed: old });
    } else if (now && reviewed.state === 'complete') {
      result.entries.push({ kind: 'resource', name, planned: now });
    } else if (
      now &&
      reviewed.state === 'partial' &&
      reviewed.everyDestroyKept &&
      isDestructiveListing(now)
    ) {
      // Every reviewed destroy and replacement is listed, and this is not one of them.
      result.entries.push({ kind: 'resource', name, planned: now, reviewedNotDestructive: true });
    } else if (now) result.notCompared++;
  }
}

function compareOutputs(
  reviewed: Extract<ReviewedListing, { listing: PlanListing }>,
  planned: readonly ListedOutput[],
  result: PlanDifference,
): void {
  const before = byKey(reviewed.listing.outputs, (output) => output.name);
  const after = byKey(planned, (output) => output.name);
  const allKnown = reviewed.state === 'complete' || reviewed.outputsLeftOut === 0;
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(name);
    const now = after.get(name);
    if (old && now && old.actions.join(',') === now.actions.join(',')) result.same++;
    else if (old && now) result.entries.push({ kind: 'output', name, reviewed: old, planned: now });
    else if (old) result.entries.push({ kind: 'output', name, reviewed: old });
    else if (now && allKnown) result.entries.push({ kind: 'output', name, planned: now });
    else if (now) result.notCompared++;
  }
}

/**
 * The difference between the reviewed listing (undefined: only a digest was approved) and the
 * plan made now.
 */
export function planDifference(
  reviewed: ReviewedListing | undefined,
  plan: PlanModel,
): PlanDifference {
  const planned = planListing(plan);
  const result: PlanDifference = {
    entries: [],
    reviewed: reviewed ?? { state: 'digest-only' },
    same: 0,
    notCompared: 0,
  };
  if (reviewed === undefined || reviewed.state === 'unavailable') {
    for (const resource of planned.resources)
      result.entries.push({ kind: 'resource', name: listedKey(resource), planned: resource });
    for (const output of planned.outputs)
      result.entries.push({ kind: 'output', name: output.name, planned: output });
  } else {
    compareResources(reviewed, planned.resources, result);
    compareOutputs(reviewed, planned.outputs, result);
  }
  result.entries.sort(order);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Words: the log (plain) and the job summary (Markdown) say the same thing.

/** At most this many rows are printed in the log; the count of the rest is given. */
const MAX_ROWS = 200;
/** Bytes of the job summary the table may take (GitHub allows 1 MiB a step). */
const SUMMARY_ROWS_BYTES = 900_000;

function label(entry: DifferenceEntry): string {
  return entry.kind === 'output' ? `output.${entry.name}` : entry.name;
}

function onlyPlannedNow(difference: PlanDifference): boolean {
  return difference.reviewed.state === 'digest-only' || difference.reviewed.state === 'unavailable';
}

function reviewedText(entry: DifferenceEntry, markdown: boolean): string {
  if (entry.kind === 'resource' && entry.reviewedNotDestructive)
    return '(no destroy or replace in the reviewed plan)';
  if (!entry.reviewed) return '(not in the reviewed plan)';
  return entry.kind === 'resource'
    ? describeListed(entry.reviewed, markdown)
    : describeListedOutput(entry.reviewed);
}

function plannedText(entry: DifferenceEntry, markdown: boolean): string {
  if (entry.kind === 'resource' && entry.attributes) {
    const parts: string[] = [];
    if (entry.attributes.added.length > 0)
      parts.push(`also changes ${attributeList(entry.attributes.added, markdown)}`);
    if (entry.attributes.removed.length > 0)
      parts.push(`no longer changes ${attributeList(entry.attributes.removed, markdown)}`);
    return `the same action, but ${parts.join('; ')}`;
  }
  if (!entry.planned) return '(not planned now)';
  return entry.kind === 'resource'
    ? describeListed(entry.planned, markdown)
    : describeListedOutput(entry.planned);
}

/** The sentence before the list: what was compared with what. */
function lead(difference: PlanDifference, markdown: boolean): string {
  const reviewed = difference.reviewed;
  if (reviewed.state === 'digest-only') {
    return `The reviewed plan is known only by its digest (${markdown ? '`expected-plan-digest`' : 'expected-plan-digest'}); the plan made now has:`;
  }
  if (reviewed.state === 'unavailable') {
    return `Reviewed listing unavailable: ${reviewed.reason}. So no address can be compared; the plan made now has:`;
  }
  if (difference.entries.length === 0) {
    return 'The plan made now has the same addresses, actions and changed attributes as the reviewed plan: only planned values differ. Values are not compared or shown: the comment keeps none, and they may be secret.';
  }
  return 'Addresses, actions and changed attributes that differ from the reviewed plan:';
}

/** What the list cannot say: same-looking changes, and what a partial listing left out. */
function trailer(difference: PlanDifference, shown: number): string[] {
  const lines: string[] = [];
  if (difference.entries.length > shown) {
    lines.push(`… and ${difference.entries.length - shown} more not shown.`);
  }
  if (difference.entries.length > 0 && difference.same > 0) {
    lines.push(
      `${difference.same} other ${difference.same === 1 ? 'change has' : 'changes have'} the same address, action and changed attributes as reviewed; ${difference.same === 1 ? 'its' : 'their'} planned values may differ.`,
    );
  }
  const reviewed = difference.reviewed;
  if (reviewed.state === 'partial') {
    const kept = reviewed.everyDestroyKept
      ? 'every destroy and replacement, and as many other changes as fitted'
      : 'only some of its destroys and replacements (the plan has more than a comment can list)';
    lines.push(
      `The reviewed comment's listing is partial: it names ${kept}; ${reviewed.resourcesLeftOut} resources and ${reviewed.outputsLeftOut} outputs were left out, so ${difference.notCompared} changes planned now could not be compared.`,
    );
  }
  return lines;
}

/** One line a change, for the log: "terraform_data.app: reviewed update: input; now replace". */
export function differenceLogLines(difference: PlanDifference, redactor: Redactor): string[] {
  const lines = [lead(difference, false)];
  for (const entry of difference.entries.slice(0, MAX_ROWS)) {
    lines.push(
      onlyPlannedNow(difference)
        ? `  ${label(entry)}: ${plannedText(entry, false)}`
        : `  ${label(entry)}: reviewed ${reviewedText(entry, false)}; now ${plannedText(entry, false)}`,
    );
  }
  lines.push(...trailer(difference, MAX_ROWS));
  return lines.map((line) => escapeHidden(redactor.scrub(line)));
}

/** The same as a Markdown table, for the job summary. */
export function differenceMarkdown(difference: PlanDifference, redactor: Redactor): string {
  const parts = [lead(difference, true), ''];
  if (difference.entries.length > 0) {
    parts.push(
      onlyPlannedNow(difference)
        ? '| address | planned now |\n|---|---|'
        : '| address | reviewed | planned now |\n|---|---|---|',
    );
  }
  // A job summary holds 1 MiB: rows while they fit in most of it (the rest is the headline).
  let room = SUMMARY_ROWS_BYTES;
  let shown = 0;
  for (const entry of difference.entries) {
    const row = onlyPlannedNow(difference)
      ? `| ${code(label(entry), true)} | ${plannedText(entry, true)} |`
      : `| ${code(label(entry), true)} | ${reviewedText(entry, true)} | ${plannedText(entry, true)} |`;
    room -= Buffer.byteLength(row, 'utf8') + 1;
    if (room < 0) break;
    parts.push(row);
    shown++;
  }
  const notes = trailer(difference, shown);
  if (notes.length > 0) parts.push('', ...notes);
  return redactor.scrub(parts.join('\n').trim());
}

/** "2 resources differ" / "1 output differs" / "planned values differ". */
export function differenceCount(difference: PlanDifference): string {
  if (difference.reviewed.state === 'digest-only')
    return 'its digest differs from expected-plan-digest';
  if (difference.reviewed.state === 'unavailable') return 'reviewed listing unavailable';
  if (difference.entries.length === 0) return 'planned values differ';
  const resources = difference.entries.filter((entry) => entry.kind === 'resource').length;
  const outputs = difference.entries.length - resources;
  const parts: string[] = [];
  if (resources > 0) parts.push(`${resources} ${resources === 1 ? 'resource' : 'resources'}`);
  if (outputs > 0) parts.push(`${outputs} ${outputs === 1 ? 'output' : 'outputs'}`);
  return `${parts.join(' and ')} ${difference.entries.length === 1 ? 'differs' : 'differ'}`;
}
