/**
 * The plan report: the sticky pull request comment and the job summary are the same report
 * with different size limits. Sections are added in order of importance while they fit:
 * header and counts (with the stack's blast radius), the risk classes with their counts, every
 * destroy/replace address, the addresses behind each risk class, the resource table, outputs,
 * and last the attribute details, so trimming removes details first.
 */
import type { AttributeChange } from './attribute-diff.js';
import {
  code,
  escapeHidden,
  fencedBlock,
  formatCount,
  graphemePrefix,
  HIDDEN_CHARACTERS_WARNING,
  hiddenCharactersWarning,
  hiddenEscapeCount,
  isShortened,
  plural,
} from './markdown.js';
import {
  planListingLine,
  planMarker,
  planMetaLine,
  statusLine,
  type ListingHeader,
  type PlanOutcome,
} from './plan-comment.js';
import { planListing, type PlanListing } from './plan-listing.js';
import type { OutputChange, PlanModel, ResourceChange } from './plan-model.js';
import {
  actionText,
  compareForReport,
  countChanges,
  describeCounts,
  hasChanges,
  isDestructive,
  isListed,
  listedOutputs,
  reasonOf,
  resourceAttributeChanges,
  symbolOf,
} from './plan-summary.js';
import { Redactor, SENSITIVE_TEXT } from './redaction.js';
import { assessChanges, type RiskAssessment } from '../risk/risk-assessment.js';
import { riskSection } from '../risk/risk-report.js';
import { builtInCatalogue } from '../risk/risk-rules.js';
import { drainText, scopeTitle, type StackScope } from '../stack-scope.js';
import {
  COMMENT_LIMIT,
  ReportBudget,
  STATUS_RESERVE,
  SUMMARY_LIMIT_BYTES,
} from './report-budget.js';

export interface ReportContext {
  stack: string;
  commitSha?: string;
  runId?: string;
  runUrl?: string;
  digest?: string;
  /** The public id of the digest-key `digest` was made with (`key=` in plan-meta); default none. */
  digestKeyId?: string;
  terraformVersion?: string;
  /** What the stack touches; the first line says it, and whether the rollout drains a cloud. */
  scope?: StackScope;
  /** The plan's risk findings; default: the built-in catalogue's rules on the listed changes. */
  risks?: RiskAssessment;
  /** The label the apply action wants for data loss (its `data-loss-label`). */
  dataLossLabel?: string;
}

export interface ReportOptions {
  /** Maximum length of the whole body. */
  limit: number;
  /** Comment: hidden markers and the status line; summary: neither. */
  audience: 'comment' | 'summary';
  /** Longest value shown in an attribute table cell. */
  maxValueLength: number;
  /** Most attribute rows shown for one resource. */
  maxAttributesPerResource: number;
}

const commentOptions: ReportOptions = {
  limit: COMMENT_LIMIT - STATUS_RESERVE,
  audience: 'comment',
  maxValueLength: 120,
  maxAttributesPerResource: 40,
};

const summaryOptions: ReportOptions = {
  // Bytes, not characters: render to a character budget of a quarter below and check bytes.
  limit: SUMMARY_LIMIT_BYTES - 16_384,
  audience: 'summary',
  maxValueLength: 400,
  maxAttributesPerResource: 200,
};

/** Room kept for the "not shown" note so that it always fits. */
const NOTE_RESERVE = 700;

function moduleTitle(moduleAddress: string): string {
  return moduleAddress === '' ? 'Root module' : `Module ${code(moduleAddress)}`;
}

export function footerLine(context: ReportContext, plan?: PlanModel): string {
  const parts: string[] = [];
  if (context.digest) parts.push(`plan-digest \`${context.digest}\``);
  if (context.commitSha) parts.push(`commit \`${context.commitSha.slice(0, 7)}\``);
  if (context.runId && context.runUrl) parts.push(`[run ${context.runId}](${context.runUrl})`);
  else if (context.runId) parts.push(`run ${context.runId}`);
  const version = context.terraformVersion ?? plan?.terraformVersion;
  if (version) parts.push(`Terraform ${version}`);
  return parts.join(' · ');
}

function where(context: ReportContext): string {
  if (context.runId && context.runUrl)
    return `the job summary of [run ${context.runId}](${context.runUrl})`;
  return 'the job summary of this workflow run';
}

function valueCell(text: string): string {
  return text.startsWith('(') && !text.startsWith('("') ? text : code(text, true);
}

function attributeRows(
  changes: readonly AttributeChange[],
  redactor: Redactor,
  options: ReportOptions,
): string {
  const rows: string[] = [];
  for (const change of changes.slice(0, options.maxAttributesPerResource)) {
    const before = redactor.display(change.before, options.maxValueLength);
    let after = redactor.display(change.after, options.maxValueLength);
    if (change.before.state === 'sensitive' && change.after.state === 'sensitive') {
      after = `${SENSITIVE_TEXT.slice(0, -1)}, changed)`;
    }
    rows.push(
      `| ${code(change.path || '(whole value)', true)} | ${valueCell(before)} | ${valueCell(after)} |`,
    );
  }
  const hidden = changes.length - options.maxAttributesPerResource;
  if (hidden > 0) rows.push(`| … ${plural(hidden, 'more attribute')} | | |`);
  return rows.join('\n');
}

/** The attribute table of one resource (for updates and replacements). */
export function resourceDetail(
  change: ResourceChange,
  redactor: Redactor,
  options: ReportOptions,
  attributeChanges: readonly AttributeChange[] = resourceAttributeChanges(change),
): string {
  if (attributeChanges.length === 0) return '';
  const rows = attributeRows(attributeChanges, redactor.forInstance(change), options);
  return `${code(change.address)}\n\n| attribute | before | after |\n|---|---|---|\n${rows}\n\n`;
}

function cautionHead(destructive: readonly ResourceChange[]): string {
  return `> [!CAUTION]\n> This plan destroys or replaces ${plural(destructive.length, 'resource')}:\n`;
}

function cautionLine(change: ResourceChange, withReason: boolean): string {
  const verb =
    change.kind === 'replace'
      ? 'replace'
      : change.kind === 'destroy'
        ? 'destroy'
        : change.actions.join(', then ');
  const reason = withReason ? reasonOf(change) : '';
  return `> - ${verb} ${code(change.address)}${reason ? ` (${reason})` : ''}\n`;
}

/** Room the caution list needs with every address and no reasons: kept for it by the risks. */
function cautionRoom(destructive: readonly ResourceChange[]): number {
  if (destructive.length === 0) return 0;
  let length = cautionHead(destructive).length + 1;
  for (const change of destructive) length += cautionLine(change, false).length;
  return length;
}

function cautionBlock(
  destructive: readonly ResourceChange[],
  budget: ReportBudget,
  /** Where shortened addresses are given whole ('' in the summary, which gives them below). */
  wholeWhere: string,
): { text: string; hidden: number } {
  if (destructive.length === 0) return { text: '', hidden: 0 };
  const shortened = wholeWhere !== '' && destructive.some((change) => isShortened(change.address));
  const head =
    cautionHead(destructive) +
    (shortened ? `> (shortened addresses are given whole in ${wholeWhere})\n` : '');
  const line = cautionLine;
  const full = head + destructive.map((change) => line(change, true)).join('') + '\n';
  if (budget.take(full)) return { text: full, hidden: 0 };
  const bare = head + destructive.map((change) => line(change, false)).join('') + '\n';
  if (budget.take(bare)) return { text: bare, hidden: 0 };
  // Not even the addresses fit: as many as do, and the count of the rest.
  const tailReserve = 80;
  let text = head;
  budget.spend(head.length + tailReserve);
  let shown = 0;
  for (const change of destructive) {
    const entry = line(change, false);
    if (!budget.take(entry)) break;
    text += entry;
    shown++;
  }
  const hidden = destructive.length - shown;
  text += `> - … and ${formatCount(hidden)} more not shown\n\n`;
  return { text, hidden };
}

const emptyPart = { text: '', hidden: 0 };

/**
 * Every shortened address of `changes` whole, one fenced block each (hidden characters
 * escaped): code spans cut long addresses, and a reviewer or on-call engineer must be able to
 * tell exactly which object goes. As many as the budget holds; the rest are counted.
 */
export function wholeAddresses(
  changes: readonly ResourceChange[],
  budget: ReportBudget,
  title = 'Shortened addresses of destroys and replacements, whole',
): { text: string; hidden: number } {
  const long = changes.filter((change) => isShortened(change.address));
  if (long.length === 0) return emptyPart;
  const head = `<details open><summary>${title} (${formatCount(long.length)})</summary>\n\n`;
  const close = '</details>\n\n';
  if (!budget.take(head + close)) return { text: '', hidden: long.length };
  let text = head;
  let shown = 0;
  for (const change of long) {
    const entry = `${fencedBlock(escapeHidden(change.address), 'text')}\n\n`;
    if (!budget.take(entry)) break;
    text += entry;
    shown++;
  }
  return { text: `${text}${close}`, hidden: long.length - shown };
}

function outputValue(output: OutputChange, redactor: Redactor, maxLength: number): string {
  if (output.afterSensitive === true) return SENSITIVE_TEXT;
  if (output.afterUnknown === true) return '(known after apply)';
  if (output.kind === 'destroy') return '(removed)';
  const shown = redactor.display(
    output.afterSensitive === false
      ? { state: 'known', value: output.after }
      : { state: 'sensitive', value: output.after },
    maxLength,
  );
  return valueCell(shown);
}

function outputsSection(
  outputs: readonly OutputChange[],
  redactor: Redactor,
  options: ReportOptions,
  budget: ReportBudget,
): { text: string; hidden: number } {
  if (outputs.length === 0) return { text: '', hidden: 0 };
  const rows = outputs.map(
    (output) =>
      `| ${code(output.name, true)} | ${output.kind === 'destroy' ? 'remove' : output.kind} | ${outputValue(output, redactor, options.maxValueLength)} |\n`,
  );
  const head = `**Outputs** (${formatCount(outputs.length)})\n\n| output | action | after |\n|---|---|---|\n`;
  const full = `${head}${rows.join('')}\n`;
  if (budget.take(full)) return { text: full, hidden: 0 };
  const names = `**Outputs** (${formatCount(outputs.length)}): ${outputs.map((output) => code(output.name)).join(', ')}\n\n`;
  if (budget.take(names)) return { text: names, hidden: 0 };
  const count = `**Outputs**: ${plural(outputs.length, 'output change')}, not listed here.\n\n`;
  budget.take(count);
  return { text: count, hidden: outputs.length };
}

/** The grouped resource table; rows are added while they fit. */
function resourceTable(
  listed: readonly ResourceChange[],
  budget: ReportBudget,
  listing?: PlanListing,
): { text: string; hidden: number } {
  let text = '';
  let module: string | undefined;
  let shown = 0;
  for (const [index, change] of listed.entries()) {
    let piece = '';
    if (change.moduleAddress !== module) {
      piece += `${module === undefined ? '' : '\n'}**${moduleTitle(change.moduleAddress)}**\n\n| | resource | action |\n|---|---|---|\n`;
    }
    const names = listing?.resources[index]?.attributes;
    piece += `| ${symbolOf(change)} | ${code(change.address, true)} | ${actionText(change, true, names)} |\n`;
    if (!budget.take(piece)) break;
    module = change.moduleAddress;
    text += piece;
    shown++;
  }
  if (text !== '') text += '\n';
  budget.spend(text === '' ? 0 : 1);
  return { text, hidden: listed.length - shown };
}

function detailsSection(
  listed: readonly ResourceChange[],
  redactor: Redactor,
  options: ReportOptions,
  budget: ReportBudget,
): { text: string; hidden: number } {
  const candidates = listed.filter(
    (change) => change.kind === 'update' || change.kind === 'replace',
  );
  if (candidates.length === 0) return { text: '', hidden: 0 };
  const open = `<details><summary>Attribute changes (${plural(candidates.length, 'resource')} updated or replaced)</summary>\n\n`;
  const close = '</details>\n\n';
  if (budget.remaining < open.length + close.length + 200)
    return { text: '', hidden: candidates.length };
  budget.spend(open.length + close.length);
  let body = '';
  let shown = 0;
  for (const change of candidates) {
    const detail = resourceDetail(change, redactor, options);
    if (detail === '') {
      shown++;
      continue;
    }
    if (!budget.take(detail)) break;
    body += detail;
    shown++;
  }
  if (body === '') {
    budget.spend(-(open.length + close.length));
    return { text: '', hidden: candidates.length - shown };
  }
  return { text: `${open}${body}${close}`, hidden: candidates.length - shown };
}

/**
 * The first visible line: stack, what it touches, the counts, and whether the rollout drains a
 * cloud to apply it. `changed` is undefined for a failed plan (nothing is said about draining).
 */
function header(context: ReportContext, summary: string, changed?: boolean): string {
  const scope = context.scope ?? { kind: 'none' };
  const title = scopeTitle(scope);
  const drain = changed === undefined ? '' : drainText(scope, changed);
  const counts = drain === '' ? summary : `${summary.replace(/\.$/, '')}; ${drain}`;
  return `### Terraform plan for ${code(context.stack)}${title ? ` (${title})` : ''}: ${counts}${drain && !changed ? '.' : ''}`;
}

function outcomeOf(plan: PlanModel): PlanOutcome {
  return hasChanges(countChanges(plan)) ? 'changes' : 'no-changes';
}

/** Most of a comment the machine listing may take: the rest is for the people reading it. */
const LISTING_SHARE = 0.5;

/** The comment's hidden lines: marker, meta line and the plan's listing for the apply. */
function machineHeader(
  plan: PlanModel,
  listing: PlanListing,
  context: ReportContext,
  options: ReportOptions,
): string[] {
  const lines = [
    planMarker(context.stack),
    planMetaLine(context.digest, context.commitSha, outcomeOf(plan), context.digestKeyId),
  ];
  const header: ListingHeader = { stack: context.stack };
  if (context.digest !== undefined) header.digest = context.digest;
  if (context.commitSha !== undefined) header.commit = context.commitSha;
  const line = planListingLine(header, listing, Math.floor(options.limit * LISTING_SHARE));
  if (line !== '') lines.push(line);
  return lines;
}

/** The report body for one audience. Never longer than options.limit. */
export function renderPlanReport(
  plan: PlanModel,
  context: ReportContext,
  options: ReportOptions,
): string {
  const escapesBefore = hiddenEscapeCount();
  const redactor = new Redactor(plan.sensitiveStrings);
  const counts = countChanges(plan);
  const changed = hasChanges(counts);
  const top: string[] = [];
  const listed = plan.resourceChanges.filter(isListed).sort(compareForReport);
  // The comment carries the listing for machines; its attribute names serve the table too.
  const listing = options.audience === 'comment' ? planListing(plan, listed) : undefined;
  if (listing) top.push(...machineHeader(plan, listing, context, options));
  top.push(header(context, changed ? describeCounts(counts) : 'no changes.', changed));
  if (options.audience === 'comment') top.push(statusLine());
  const footer = footerLine(context, plan);
  if (!changed) return `${top.join('\n')}\n\n${footer}\n`;

  const opening = `${top.join('\n')}\n\n`;
  const closing = `${footer}\n`;
  const budget = new ReportBudget(
    options.limit -
      opening.length -
      closing.length -
      NOTE_RESERVE -
      HIDDEN_CHARACTERS_WARNING.length,
  );

  const destructive = listed.filter(isDestructive);
  const risks = riskSection(context.risks ?? assessChanges(listed, builtInCatalogue()), budget, {
    reserve: Math.min(cautionRoom(destructive), Math.floor(budget.remaining / 2)),
    ...(context.dataLossLabel === undefined ? {} : { dataLossLabel: context.dataLossLabel }),
    fullListAt:
      options.audience === 'comment'
        ? `the full list is in ${where(context)} and the \`risks\` output`
        : 'the full list is in the `risks` output',
  });
  const caution = cautionBlock(
    destructive,
    budget,
    options.audience === 'comment' ? where(context) : '',
  );
  const whole = options.audience === 'summary' ? wholeAddresses(destructive, budget) : emptyPart;
  const table = resourceTable(listed, budget, listing);
  const outputs = outputsSection(listedOutputs(plan), redactor, options, budget);
  const details = detailsSection(listed, redactor, options, budget);

  const notShown: string[] = [];
  if (risks.hidden > 0)
    notShown.push(`${plural(risks.hidden, 'address', 'addresses')} in the risk list`);
  if (whole.hidden > 0)
    notShown.push(
      `the whole address of ${plural(whole.hidden, 'shortened destroy or replacement', 'shortened destroys or replacements')}`,
    );
  if (caution.hidden > 0)
    notShown.push(
      `${plural(caution.hidden, 'destroy or replacement', 'destroys or replacements')} in the caution list`,
    );
  if (table.hidden > 0) notShown.push(`${plural(table.hidden, 'more resource')} in the table`);
  if (outputs.hidden > 0) notShown.push(`the values of ${plural(outputs.hidden, 'output')}`);
  if (details.hidden > 0)
    notShown.push(`attribute changes of ${plural(details.hidden, 'resource')}`);
  let note = '';
  if (notShown.length > 0) {
    const fullReport =
      options.audience === 'comment'
        ? `The full report is in ${where(context)}.`
        : 'The plan is too large to show in full in a job summary.';
    note = `> [!NOTE]\n> … not shown here: ${notShown.join('; ')}. ${fullReport}\n\n`;
  }
  const warning = hiddenCharactersWarning(
    escapesBefore,
    listed.map((change) => change.address),
  );
  const body = `${opening}${warning}${risks.text}${caution.text}${whole.text}${table.text}${note}${outputs.text}${details.text}${closing}`;
  if (body.length <= options.limit) return body;
  // Only reachable with absurd headers (huge stack names are refused earlier): keep the counts.
  return graphemePrefix(
    `${opening}> [!NOTE]\n> The report is too large to show here. ${where(context)}.\n\n${closing}`,
    options.limit,
  );
}

export function renderPlanComment(plan: PlanModel, context: ReportContext): string {
  return renderPlanReport(plan, context, commentOptions);
}

/** The job summary: the full report, within GitHub's 1 MiB step summary limit (in bytes). */
export function renderPlanSummary(plan: PlanModel, context: ReportContext): string {
  let options = summaryOptions;
  for (;;) {
    const body = renderPlanReport(plan, context, options);
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes <= SUMMARY_LIMIT_BYTES - 16_384 || options.limit < 10_000) return body;
    options = {
      ...options,
      limit: Math.floor((options.limit * (SUMMARY_LIMIT_BYTES - 16_384)) / bytes) - 1_000,
    };
  }
}

/** The comment (or summary) for a plan that failed: Terraform's error text, secrets scrubbed. */
export function renderPlanFailure(
  context: ReportContext,
  errorText: string,
  audience: 'comment' | 'summary',
  redactor: Redactor = new Redactor(),
  lead = 'Terraform could not make a plan:',
): string {
  const top: string[] = [];
  if (audience === 'comment')
    top.push(planMarker(context.stack), planMetaLine(undefined, context.commitSha, 'failed'));
  top.push(header(context, 'failed'));
  if (audience === 'comment') top.push(statusLine());
  // The summary limit counts bytes: a UTF-16 code unit takes at most three in UTF-8.
  const limit =
    (audience === 'comment'
      ? COMMENT_LIMIT - STATUS_RESERVE
      : Math.floor(SUMMARY_LIMIT_BYTES / 3)) - 2_000;
  let text = redactor.scrub(errorText).trim();
  if (text.length > limit)
    text = `${graphemePrefix(text, limit)}\n… (cut; the rest is in the run log)`;
  return `${top.join('\n')}\n\n${lead}\n\n${fencedBlock(text || '(no error text)', 'text')}\n\n${footerLine(context)}\n`;
}
