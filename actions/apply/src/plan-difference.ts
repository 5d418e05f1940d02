/**
 * A readable explanation of why a plan does not match the approved digest: which addresses and
 * actions differ between the plan that was reviewed and the plan made now.
 *
 * The reviewed plan is known by its digest and by its sticky comment: the comment's resource
 * table and outputs table list every address with its action (and, for updates, the names of
 * the attributes that change). Both listings are built with the same plan-summary functions
 * the comment renderer uses, so the same change gives the same text on both sides. No value is
 * compared or shown: the digest already says the values differ, and values can be secrets.
 */
import { code } from '../../shared/src/plan/markdown.js';
import type { PlanModel } from '../../shared/src/plan/plan-model.js';
import { renderPlanComment } from '../../shared/src/plan/plan-report.js';
import {
  actionText,
  compareForReport,
  isListed,
  listedOutputs,
} from '../../shared/src/plan/plan-summary.js';
import { Redactor } from '../../shared/src/plan/redaction.js';

/** One listed change: "terraform_data.app" -> "update: `input`". */
export interface Listing {
  resources: Map<string, string>;
  outputs: Map<string, string>;
  /**
   * The attribute tables of updated and replaced resources: address -> attribute path -> the
   * before and after cells as shown (already redacted by the renderer).
   */
  attributes: Map<string, Map<string, string>>;
  /** False when the comment was trimmed and lists only part of the plan. */
  complete: boolean;
}

export interface DifferenceEntry {
  kind: 'resource' | 'output';
  name: string;
  /** Action in the reviewed plan, undefined when it was not in it. */
  reviewed?: string;
  /** Action in the plan made now, undefined when it is not in it. */
  planned?: string;
  /** Same action, but these attributes are planned with other values than reviewed. */
  otherValues?: string[];
}

export interface PlanDifference {
  entries: DifferenceEntry[];
  /** False when the reviewed side was only partly known (trimmed comment). */
  complete: boolean;
  /** True when no listing of the reviewed plan was available (digest from an input). */
  reviewedUnknown: boolean;
}

const RESOURCE_SYMBOLS = new Set(['+', '~', '-', '-/+', '+/-', '<=', '.', '<-', '->', '!']);

/** Reads a code span written by markdown.code(text, true) back into its text. */
function readCodeSpan(cell: string): string | undefined {
  const match = /^(`+) ?(.*?) ?\1$/.exec(cell.trim());
  if (!match) return undefined;
  return (match[2] ?? '').replace(/\\\|/g, '|');
}

/** Splits a table row on the pipes GFM splits on (not the escaped ones). */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

/** What the sticky comment lists (see plan-report.ts: resource table and outputs table). */
export function reviewedListing(commentBody: string): Listing {
  const listing: Listing = {
    resources: new Map(),
    outputs: new Map(),
    attributes: new Map(),
    complete: true,
  };
  let table: 'resources' | 'outputs' | 'attributes' | 'other' = 'other';
  let inDetails = false;
  let detailAddress: string | undefined;
  for (const line of commentBody.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('<details>')) inDetails = true;
    if (trimmed.startsWith('</details>')) inDetails = false;
    if (!trimmed.startsWith('|')) {
      if (trimmed !== '') table = 'other';
      const address = inDetails ? readCodeSpan(trimmed) : undefined;
      if (address !== undefined) detailAddress = address;
      if (/not shown here:.*(more resources? in the table|output)/.test(trimmed))
        listing.complete = false;
      if (/^\*\*Outputs\*\*:? /.test(trimmed) && !trimmed.includes('(')) listing.complete = false;
      continue;
    }
    const row = cells(trimmed);
    if (row.length === 3 && row[0] === '' && row[1] === 'resource' && row[2] === 'action') {
      table = 'resources';
      continue;
    }
    if (row.length === 3 && row[0] === 'output' && row[1] === 'action') {
      table = 'outputs';
      continue;
    }
    if (row.length === 3 && row[0] === 'attribute' && row[1] === 'before') {
      table = inDetails && detailAddress !== undefined ? 'attributes' : 'other';
      continue;
    }
    if (row.every((cell) => /^-+$/.test(cell))) continue;
    if (table === 'resources' && row.length >= 3 && RESOURCE_SYMBOLS.has(row[0] ?? '')) {
      const address = readCodeSpan(row[1] ?? '');
      if (address !== undefined) listing.resources.set(address, row.slice(2).join('|'));
    } else if (table === 'outputs' && row.length >= 3) {
      const name = readCodeSpan(row[0] ?? '');
      if (name !== undefined) listing.outputs.set(name, row[1] ?? '');
    } else if (table === 'attributes' && detailAddress !== undefined && row.length >= 3) {
      const path = readCodeSpan(row[0] ?? '') ?? row[0] ?? '';
      let rows = listing.attributes.get(detailAddress);
      if (!rows) listing.attributes.set(detailAddress, (rows = new Map()));
      rows.set(path, `${row[1] ?? ''} -> ${row.slice(2).join('|')}`);
    }
  }
  return listing;
}

/**
 * The same listing for a plan model, as the comment renderer would write it. The attribute
 * tables come from rendering the comment for this plan and reading it back, so both sides
 * show values exactly the same way (redacted, cut at the same length).
 */
export function plannedListing(plan: PlanModel): Listing {
  const resources = new Map<string, string>();
  for (const change of plan.resourceChanges.filter(isListed).sort(compareForReport)) {
    resources.set(change.address, actionText(change, true));
  }
  const outputs = new Map<string, string>();
  for (const output of listedOutputs(plan)) {
    outputs.set(output.name, output.kind === 'destroy' ? 'remove' : output.kind);
  }
  const { attributes } = reviewedListing(renderPlanComment(plan, { stack: 'plan' }));
  return { resources, outputs, attributes, complete: true };
}

/** Attribute paths whose shown values differ, when both sides show the resource's table. */
function otherValues(
  reviewed: Map<string, string> | undefined,
  planned: Map<string, string> | undefined,
): string[] {
  if (!reviewed || !planned) return [];
  const paths = new Set([...reviewed.keys(), ...planned.keys()]);
  return [...paths].filter((path) => reviewed.get(path) !== planned.get(path)).sort();
}

function compareMaps(
  kind: DifferenceEntry['kind'],
  reviewed: Map<string, string>,
  planned: Map<string, string>,
  reviewedComplete: boolean,
  attributes?: { reviewed: Listing['attributes']; planned: Listing['attributes'] },
): DifferenceEntry[] {
  const entries: DifferenceEntry[] = [];
  const names = new Set([...reviewed.keys(), ...planned.keys()]);
  for (const name of [...names].sort()) {
    const before = reviewed.get(name);
    const after = planned.get(name);
    if (before === after) {
      const paths = otherValues(attributes?.reviewed.get(name), attributes?.planned.get(name));
      if (before !== undefined && paths.length > 0) {
        entries.push({ kind, name, reviewed: before, planned: before, otherValues: paths });
      }
      continue;
    }
    // A trimmed comment does not list everything: absence there proves nothing.
    if (before === undefined && !reviewedComplete) continue;
    const entry: DifferenceEntry = { kind, name };
    if (before !== undefined) entry.reviewed = before;
    if (after !== undefined) entry.planned = after;
    entries.push(entry);
  }
  return entries;
}

export function planDifference(reviewed: Listing | undefined, plan: PlanModel): PlanDifference {
  const planned = plannedListing(plan);
  if (!reviewed) {
    const entries: DifferenceEntry[] = [
      ...[...planned.resources].map(([name, action]) => ({
        kind: 'resource' as const,
        name,
        planned: action,
      })),
      ...[...planned.outputs].map(([name, action]) => ({
        kind: 'output' as const,
        name,
        planned: action,
      })),
    ];
    return { entries, complete: true, reviewedUnknown: true };
  }
  return {
    entries: [
      ...compareMaps('resource', reviewed.resources, planned.resources, reviewed.complete, {
        reviewed: reviewed.attributes,
        planned: planned.attributes,
      }),
      ...compareMaps('output', reviewed.outputs, planned.outputs, reviewed.complete),
    ],
    complete: reviewed.complete,
    reviewedUnknown: false,
  };
}

/** At most this many rows are printed; the count of the rest is given. */
const MAX_ROWS = 200;

function label(entry: DifferenceEntry): string {
  return entry.kind === 'output' ? `output.${entry.name}` : entry.name;
}

/** Markdown actions are shown as they are in the comment; in the log without backticks. */
function plain(text: string): string {
  return text.replace(/\\\|/g, '|').replace(/`+ ?([^`]*?) ?`+/g, '$1');
}

/** One line a change, for the log: "~ terraform_data.app: reviewed update: input; now: replace". */
export function differenceLogLines(difference: PlanDifference, redactor: Redactor): string[] {
  const lines: string[] = [];
  if (difference.reviewedUnknown) {
    lines.push(
      'The reviewed plan is known only by its digest (expected-plan-digest); the plan made now has:',
    );
  } else if (difference.entries.length === 0) {
    lines.push(
      'The same addresses and actions as the reviewed plan, but different planned values (values are not shown: they may be secret).',
    );
  }
  for (const entry of difference.entries.slice(0, MAX_ROWS)) {
    const reviewed =
      entry.reviewed === undefined ? '(not in the reviewed plan)' : plain(entry.reviewed);
    let planned = entry.planned === undefined ? '(not planned now)' : plain(entry.planned);
    if (entry.otherValues)
      planned = `the same, with other values for ${entry.otherValues.join(', ')}`;
    lines.push(
      difference.reviewedUnknown
        ? `  ${label(entry)}: ${planned}`
        : `  ${label(entry)}: reviewed ${reviewed}; now ${planned}`,
    );
  }
  if (difference.entries.length > MAX_ROWS) {
    lines.push(`  … and ${difference.entries.length - MAX_ROWS} more`);
  }
  if (!difference.complete) {
    lines.push('The reviewed comment was trimmed, so only the changes it lists could be compared.');
  }
  return lines.map((line) => redactor.scrub(line));
}

/** A Markdown table for the job summary. */
export function differenceMarkdown(difference: PlanDifference, redactor: Redactor): string {
  const parts: string[] = [];
  if (difference.reviewedUnknown) {
    parts.push(
      'The reviewed plan is known only by its digest (`expected-plan-digest`). The plan made now:\n',
    );
    parts.push('| address | planned now |\n|---|---|');
  } else if (difference.entries.length === 0) {
    parts.push(
      'The plan made now has the same addresses and actions as the reviewed plan, but different planned values. Values are not shown: they may be secret.',
    );
  } else {
    parts.push('| address | reviewed | planned now |\n|---|---|---|');
  }
  for (const entry of difference.entries.slice(0, MAX_ROWS)) {
    let planned = entry.planned ?? '(not planned now)';
    if (entry.otherValues) {
      planned = `the same, with other values for ${entry.otherValues.map((path) => code(path, true)).join(', ')}`;
    }
    const row = difference.reviewedUnknown
      ? `| ${code(label(entry), true)} | ${planned} |`
      : `| ${code(label(entry), true)} | ${entry.reviewed ?? '(not in the reviewed plan)'} | ${planned} |`;
    parts.push(row);
  }
  if (difference.entries.length > MAX_ROWS) {
    parts.push(`\n… and ${difference.entries.length - MAX_ROWS} more not shown.`);
  }
  if (!difference.complete) {
    parts.push(
      '\nThe reviewed comment was trimmed, so only the changes it lists could be compared.',
    );
  }
  return redactor.scrub(parts.join('\n'));
}

/** "2 resources differ" / "1 output differs" / "planned values differ". */
export function differenceCount(difference: PlanDifference): string {
  if (difference.reviewedUnknown) return 'its digest differs from expected-plan-digest';
  if (difference.entries.length === 0) return 'planned values differ';
  const resources = difference.entries.filter((entry) => entry.kind === 'resource').length;
  const outputs = difference.entries.length - resources;
  const parts: string[] = [];
  if (resources > 0) parts.push(`${resources} ${resources === 1 ? 'resource' : 'resources'}`);
  if (outputs > 0) parts.push(`${outputs} ${outputs === 1 ? 'output' : 'outputs'}`);
  return `${parts.join(' and ')} ${difference.entries.length === 1 ? 'differs' : 'differ'}`;
}
