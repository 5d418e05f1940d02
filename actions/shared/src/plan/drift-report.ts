/**
 * The drift issue body: what changed outside Terraform (the refresh-only plan's
 * resource_drift) and what is in the code but not applied (the normal plan's changes), within
 * GitHub's 65,536-character issue body limit and without any sensitive value.
 */
import { createHash } from 'node:crypto';
import { attributeChanges, nullOrEmptyChanges } from './attribute-diff.js';
import {
  code,
  formatCount,
  HIDDEN_CHARACTERS_WARNING,
  hiddenCharactersWarning,
  hiddenEscapeCount,
  plural,
} from './markdown.js';
import { withoutOwnedAttributes, type OwnedAttribute } from './owned-attributes.js';
import { driftMarker } from './plan-comment.js';
import { canonicalJson, canonicalOutput, canonicalResource } from './plan-digest.js';
import type { PlanModel, ResourceChange } from './plan-model.js';
import { footerLine, wholeAddresses, type ReportContext } from './plan-report.js';
import { actionText, compareForReport, isListed, listedOutputs } from './plan-summary.js';
import { Redactor } from './redaction.js';
import { COMMENT_LIMIT, ReportBudget, SUMMARY_LIMIT_BYTES } from './report-budget.js';
import { driftRiskSection } from '../risk/risk-report.js';

export interface DriftFindings {
  /** Resources changed outside Terraform. */
  drifted: ResourceChange[];
  /** Resource changes in the code but not applied. */
  pending: ResourceChange[];
  /** Root outputs whose stored value differs from what the code now gives. */
  outputsPending: number;
  fingerprint: string;
  hasDrift: boolean;
  /** Owned-elsewhere patterns that matched drifted attributes, which are left out. */
  ignoredAttributes: string[];
}

/**
 * Drift from the two plans. The fingerprint hashes the canonical form of both lists (the same
 * form as the plan digest, so sensitive values never enter it); it changes exactly when the
 * drift itself changes, which is when the issue gets a new comment. Attributes `owned` by
 * something else at run time (traffic-shift's weights) are left out of the drift, the report
 * and the fingerprint; a resource whose only drift is in them is not drift.
 */
export function findDrift(
  refreshOnly: PlanModel,
  normal: PlanModel,
  owned: readonly OwnedAttribute[] = [],
): DriftFindings {
  const { kept, matched } = withoutOwnedAttributes(refreshOnly.resourceDrift, owned);
  const drifted = kept.sort(compareForReport);
  const pending = normal.resourceChanges
    .filter(isListed)
    .filter((change) => change.kind !== 'read')
    .sort(compareForReport);
  const outputs = listedOutputs(normal);
  const canonical = canonicalJson({
    drifted: drifted.map(canonicalResource),
    pending: pending.map(canonicalResource),
    outputs: outputs.map(canonicalOutput),
  });
  return {
    drifted,
    pending,
    outputsPending: outputs.length,
    fingerprint: createHash('sha256')
      .update(canonicalJson({ v: 1 }) + canonical)
      .digest('hex'),
    hasDrift: drifted.length > 0 || pending.length > 0 || outputs.length > 0,
    ignoredAttributes: matched,
  };
}

const META_PATTERN =
  /<!-- multicloud:drift-meta fingerprint=([0-9a-f]{64}) drifted=(\d+) pending=(\d+) -->/;

export interface DriftMeta {
  fingerprint: string;
  drifted: number;
  pending: number;
}

export function driftMetaLine(findings: DriftFindings): string {
  return `<!-- multicloud:drift-meta fingerprint=${findings.fingerprint} drifted=${findings.drifted.length} pending=${findings.pending.length + findings.outputsPending} -->`;
}

export function parseDriftMeta(body: string | null | undefined): DriftMeta | undefined {
  const match = META_PATTERN.exec(body ?? '');
  if (!match) return undefined;
  return { fingerprint: match[1] as string, drifted: Number(match[2]), pending: Number(match[3]) };
}

export function isDriftIssueOf(body: string | null | undefined, stack: string): boolean {
  return (body ?? '').trimStart().startsWith(driftMarker(stack));
}

function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const MAX_VALUE = 120;
const MAX_ROWS_PER_RESOURCE = 20;

function driftRows(change: ResourceChange, redactor: Redactor): string[] {
  const address = code(change.address, true);
  if (change.kind === 'destroy')
    return [`| ${address} | (the whole resource) | exists | deleted |`];
  let changes = attributeChanges(
    change.before,
    change.after,
    change.beforeSensitive,
    change.afterSensitive,
    change.afterUnknown,
  );
  // Terraform reports the resource as changed though the diff reads null and empty alike
  // (the AWS provider refreshes `tags = null` to `{}`): show that difference, not an empty row.
  if (changes.length === 0)
    changes = nullOrEmptyChanges(
      change.before,
      change.after,
      change.beforeSensitive,
      change.afterSensitive,
    );
  if (changes.length === 0) return [`| ${address} | (no attribute differs) | | |`];
  const instance = redactor.forInstance(change);
  const rows = changes.slice(0, MAX_ROWS_PER_RESOURCE).map((attribute) => {
    const before = instance.display(attribute.before, MAX_VALUE);
    const after = instance.display(attribute.after, MAX_VALUE);
    const cell = (text: string) =>
      text.startsWith('(') && !text.startsWith('("') ? text : code(text, true);
    return `| ${address} | ${code(attribute.path || '(whole value)', true)} | ${cell(before)} | ${cell(after)} |`;
  });
  if (changes.length > MAX_ROWS_PER_RESOURCE) {
    rows.push(
      `| ${address} | … ${plural(changes.length - MAX_ROWS_PER_RESOURCE, 'more attribute')} | | |`,
    );
  }
  return rows;
}

/** Says which owned-elsewhere attributes moved and were left out, so nobody hunts for them. */
function ignoredLine(findings: DriftFindings, budget: ReportBudget): string {
  if (findings.ignoredAttributes.length === 0) return '';
  const line = `Not counted as drift (owned elsewhere at run time, input \`drift-ignore-attributes\`): ${findings.ignoredAttributes.map((text) => code(text)).join(', ')}.\n\n`;
  return budget.take(line) ? line : '';
}

/** How a drift report is shown: the issue body, or the job summary with room for more. */
interface DriftAudience {
  limit: number;
  /** The sentence after the counts of what is not shown. */
  fullReport: string;
  /** The summary gives shortened drifted and destroyed addresses whole. */
  wholeAddresses: boolean;
}

const issueAudience: DriftAudience = {
  limit: COMMENT_LIMIT - 512,
  fullReport: 'The full report is in the job summary of the run.',
  wholeAddresses: false,
};

/** The issue body. `foundAt` is when the check ran. */
export function renderDriftIssue(
  findings: DriftFindings,
  refreshOnly: PlanModel,
  normal: PlanModel,
  context: ReportContext & { foundAt: Date },
  audience: DriftAudience = issueAudience,
): string {
  const { limit, fullReport } = audience;
  const escapesBefore = hiddenEscapeCount();
  const redactor = new Redactor([...refreshOnly.sensitiveStrings, ...normal.sensitiveStrings]);
  const run = context.runId && context.runUrl ? ` ([run ${context.runId}](${context.runUrl}))` : '';
  const opening = `${driftMarker(context.stack)}\n${driftMetaLine(findings)}\nTerraform found drift in stack ${code(context.stack)} on ${formatUtc(context.foundAt)}${run}.\n\n`;
  const closing =
    'To make it right: merge a change that codifies the new values, or run the deploy workflow to ' +
    "put the code's values back. This issue closes itself when a check finds no drift.\n\n" +
    `${footerLine({ ...context, digest: undefined }, normal)}\n`;
  const budget = new ReportBudget(
    limit - opening.length - closing.length - 600 - HIDDEN_CHARACTERS_WARNING.length,
  );
  const notShown: string[] = [];
  const risks = driftRiskSection(findings.drifted, context.risks, budget);
  if (risks.hidden > 0)
    notShown.push(`${plural(risks.hidden, 'address', 'addresses')} in the risk list`);
  const whole = audience.wholeAddresses
    ? wholeAddresses(
        [...findings.drifted, ...findings.pending],
        budget,
        'Shortened addresses of drifted resources and pending changes, whole',
      )
    : { text: '', hidden: 0 };
  if (whole.hidden > 0)
    notShown.push(
      `the whole address of ${plural(whole.hidden, 'shortened address', 'shortened addresses')}`,
    );

  let drifted = '';
  if (findings.drifted.length > 0) {
    drifted = `#### Changed outside Terraform (${formatCount(findings.drifted.length)})\n| resource | attribute | in state | in the cloud |\n|---|---|---|---|\n`;
    budget.spend(drifted.length + 1);
    let shown = 0;
    for (const change of findings.drifted) {
      const rows = `${driftRows(change, redactor).join('\n')}\n`;
      if (!budget.take(rows)) break;
      drifted += rows;
      shown++;
    }
    drifted += '\n';
    if (shown < findings.drifted.length)
      notShown.push(`${plural(findings.drifted.length - shown, 'drifted resource')}`);
  }

  let pending = '';
  const pendingCount = findings.pending.length + findings.outputsPending;
  if (pendingCount > 0) {
    pending = `#### In the code but not applied (${formatCount(pendingCount)})\n| resource | action |\n|---|---|\n`;
    budget.spend(pending.length + 1);
    let shown = 0;
    for (const change of findings.pending) {
      const row = `| ${code(change.address, true)} | ${actionText(change, true)} |\n`;
      if (!budget.take(row)) break;
      pending += row;
      shown++;
    }
    if (shown < findings.pending.length)
      notShown.push(`${plural(findings.pending.length - shown, 'pending change')}`);
    if (findings.outputsPending > 0) {
      const row = `| ${plural(findings.outputsPending, 'output')} | update |\n`;
      if (budget.take(row)) pending += row;
    }
    pending += '\n';
  }
  const note =
    notShown.length > 0
      ? `> [!NOTE]\n> … not shown here: ${notShown.join('; ')}. ${fullReport}\n\n`
      : '';
  const shortenedNote =
    !audience.wholeAddresses && /\(shortened from [\d,]+ characters, sha256/.test(drifted + pending)
      ? 'Shortened addresses are given whole in the job summary of the run.\n\n'
      : '';
  const warning = hiddenCharactersWarning(
    escapesBefore,
    [...findings.drifted, ...findings.pending].map((change) => change.address),
  );
  return `${opening}${warning}${risks.text}${whole.text}${drifted}${pending}${note}${shortenedNote}${ignoredLine(findings, budget)}${closing}`;
}

/**
 * The job summary of a drift check: the issue body with room for more rows, within GitHub's
 * 1 MiB step summary limit, which counts bytes: addresses with non-ASCII keys take up to
 * three bytes per character, so the body is rendered again, smaller, until it fits.
 */
export function renderDriftSummary(
  findings: DriftFindings,
  refreshOnly: PlanModel,
  normal: PlanModel,
  context: ReportContext & { foundAt: Date },
): string {
  const target = SUMMARY_LIMIT_BYTES - 16_384;
  // Characters first (most text is ASCII), then smaller while the bytes do not fit.
  let limit = target;
  for (;;) {
    const body = renderDriftIssue(findings, refreshOnly, normal, context, {
      limit,
      fullReport: 'The drift is too large to show in full in a job summary.',
      wholeAddresses: true,
    });
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes <= target || limit < 10_000) return body;
    limit = Math.floor((limit * target) / bytes) - 1_000;
  }
}

/** "Drift changed: 1 more resource changed outside Terraform" and similar. */
export function describeDriftChange(
  previous: DriftMeta | undefined,
  findings: DriftFindings,
): string {
  const drifted = findings.drifted.length;
  const pending = findings.pending.length + findings.outputsPending;
  if (!previous)
    return `Drift changed: now ${plural(drifted, 'resource')} changed outside Terraform and ${plural(pending, 'change')} in the code not applied.`;
  const parts: string[] = [];
  const delta = (now: number, before: number, what: string) => {
    if (now > before) parts.push(`${formatCount(now - before)} more ${what}`);
    else if (now < before) parts.push(`${formatCount(before - now)} fewer ${what}`);
  };
  delta(drifted, previous.drifted, 'changed outside Terraform');
  delta(pending, previous.pending, 'in the code but not applied');
  if (parts.length === 0) return 'Drift changed: the same resources, with different values.';
  return `Drift changed: ${parts.join(', ')}.`;
}
