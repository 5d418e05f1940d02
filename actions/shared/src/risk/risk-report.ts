/**
 * Risk findings in words: the section at the top of a plan comment, job summary and drift issue
 * (counts per class always; the addresses behind each as long as they fit), and the `risks`
 * output (JSON for workflows). Findings hold names only (risk-assessment.ts), so nothing here
 * can print a value from the plan.
 */
import { code, formatCount, plural } from '../plan/markdown.js';
import type { ReportBudget } from '../plan/report-budget.js';
import { attributeList } from '../plan/plan-listing.js';
import type { ResourceChange } from '../plan/plan-model.js';
import {
  assessChanges,
  DATA_LOSS,
  findingsOf,
  type RiskAssessment,
  type RiskFinding,
  type RiskReason,
} from './risk-assessment.js';
import { builtInCatalogue } from './risk-rules.js';

const ACTION_WORDS = {
  plan: { create: 'create', update: 'update', replace: 'replace', destroy: 'destroy' },
  drift: {
    create: 'created outside Terraform',
    update: 'changed outside Terraform',
    replace: 'replaced outside Terraform',
    destroy: 'deleted outside Terraform',
  },
} as const;

/** Plans say what the apply will do; drift says what happened outside Terraform. */
export type RiskPhase = keyof typeof ACTION_WORDS;

function attributeWords(reason: Extract<RiskReason, { kind: 'attribute' }>, markdown: boolean) {
  const name = markdown ? code(reason.path) : reason.path;
  const value =
    reason.value === undefined
      ? ''
      : markdown
        ? code(JSON.stringify(reason.value))
        : JSON.stringify(reason.value);
  const words: Record<typeof reason.change, string> = {
    'turned-on': `${name} turned on`,
    'turned-off': `${name} turned off`,
    decreased: `${name} lowered`,
    changed: `${name} changed`,
    'changed-from': `${name} no longer ${value}`,
    'changed-to': `${name} set to ${value}`,
  };
  if (reason.certainty === 'sensitive')
    return `${name} changed (a sensitive value: any change counts)`;
  if (reason.certainty === 'unknown')
    return `${words[reason.change]} (possibly: known only after apply)`;
  return words[reason.change];
}

/** One reason in words, in Markdown (code spans) or plain text. */
export function describeRiskReason(
  reason: RiskReason,
  markdown: boolean,
  phase: RiskPhase = 'plan',
): string {
  if (reason.kind === 'attribute') return attributeWords(reason, markdown);
  const verb = ACTION_WORDS[phase][reason.action];
  const names = reason.attributes ?? [];
  return names.length > 0 ? `${verb}: ${attributeList(names, markdown)}` : verb;
}

function findingName(finding: RiskFinding, markdown: boolean): string {
  const address = markdown ? code(finding.address) : finding.address;
  if (finding.deposed === undefined) return address;
  return `${address} (deposed object ${markdown ? code(finding.deposed) : finding.deposed})`;
}

/** "`aws_s3_bucket.assets`: destroy" (Markdown) or the same in plain text. */
export function describeFinding(
  finding: RiskFinding,
  markdown: boolean,
  phase: RiskPhase = 'plan',
): string {
  const reasons = finding.reasons.map((reason) => describeRiskReason(reason, markdown, phase));
  return `${findingName(finding, markdown)}: ${reasons.join('; ')}`;
}

/** "data loss 1 · traffic 2 · access 0": every class, found or not. */
export function riskCounts(assessment: RiskAssessment): string {
  return assessment.classes
    .map(
      (risk) =>
        `${risk.title.toLowerCase()} ${formatCount(findingsOf(assessment, risk.id).length)}`,
    )
    .join(' · ');
}

export interface RiskSectionOptions {
  /** Room kept for what must follow (the caution list of every destroy and replacement). */
  reserve: number;
  phase?: RiskPhase;
  /** The label the apply action wants for data loss; said when data loss is found. */
  dataLossLabel?: string;
  /** Said after "… and N more": where the full list is. */
  fullListAt: string;
  /** Heading word ("Risks", "Risks of this drift"). */
  heading?: string;
}

export interface RiskSection {
  text: string;
  /** Addresses left out to stay in the budget. */
  hidden: number;
}

function headLine(assessment: RiskAssessment, heading: string): string {
  if (assessment.byClass.length === 0) {
    const checked = assessment.classes.map((risk) => risk.title.toLowerCase()).join(', ');
    return `**${heading}**: none found (checked: ${checked}).\n\n`;
  }
  return `**${heading}**: ${riskCounts(assessment)}\n`;
}

function labelLine(assessment: RiskAssessment, options: RiskSectionOptions): string {
  if (options.dataLossLabel === undefined || findingsOf(assessment, DATA_LOSS).length === 0)
    return '';
  return `\nThe apply refuses data loss unless the pull request carries the label ${code(options.dataLossLabel)} when it is merged.\n`;
}

/** Every class with its addresses: `withReasons` adds why, `limit` caps the addresses per class. */
function classLines(
  assessment: RiskAssessment,
  options: RiskSectionOptions,
  withReasons: boolean,
  shown?: Map<string, number>,
): string {
  let text = '';
  for (const { risk, findings } of assessment.byClass) {
    text += `- **${risk.title}** (${formatCount(findings.length)})\n`;
    const count = shown?.get(risk.id) ?? findings.length;
    for (const finding of findings.slice(0, count)) {
      text += withReasons
        ? `  - ${describeFinding(finding, true, options.phase)}\n`
        : `  - ${findingName(finding, true)}\n`;
    }
    if (count < findings.length)
      text += `  - … and ${plural(findings.length - count, 'more address', 'more addresses')} (${options.fullListAt})\n`;
  }
  return text;
}

/**
 * The risk section within `budget` minus `options.reserve`: counts always; then every address
 * with its reasons, or without them, or as many addresses per class as fit (data loss first).
 */
export function riskSection(
  assessment: RiskAssessment,
  budget: ReportBudget,
  options: RiskSectionOptions,
): RiskSection {
  const head = headLine(assessment, options.heading ?? 'Risks');
  if (assessment.byClass.length === 0) {
    budget.spend(head.length);
    return { text: head, hidden: 0 };
  }
  const tail = `${labelLine(assessment, options)}\n`;
  const room = budget.remaining - options.reserve;
  for (const withReasons of [true, false]) {
    const text = `${head}${classLines(assessment, options, withReasons)}${tail}`;
    if (text.length <= room) {
      budget.spend(text.length);
      return { text, hidden: 0 };
    }
  }
  // Counts and "… and N more" lines (at their longest) first, then addresses, class by class in
  // order (data loss first), while they fit.
  const shown = new Map(assessment.byClass.map(({ risk }) => [risk.id, 0]));
  let left = room - `${head}${classLines(assessment, options, false, shown)}${tail}`.length;
  for (const { risk, findings } of assessment.byClass) {
    for (const finding of findings) {
      const line = `  - ${findingName(finding, true)}\n`.length;
      if (line > left) break;
      left -= line;
      shown.set(risk.id, (shown.get(risk.id) ?? 0) + 1);
    }
  }
  const text = `${head}${classLines(assessment, options, false, shown)}${tail}`;
  budget.spend(text.length);
  const total = assessment.byClass.reduce((sum, entry) => sum + entry.findings.length, 0);
  const hidden = total - [...shown.values()].reduce((sum, count) => sum + count, 0);
  return { text, hidden };
}

/**
 * The risk section at the top of a drift issue and its job summary: the classes of the resources
 * changed or deleted outside Terraform (`assessment` of them, by default the built-in
 * catalogue's), keeping at least half the budget for the drift table. Nothing when no resource
 * drifted: code not yet applied is a plan's risk, which its pull request's comment showed.
 */
export function driftRiskSection(
  drifted: readonly ResourceChange[],
  assessment: RiskAssessment | undefined,
  budget: ReportBudget,
): RiskSection {
  if (drifted.length === 0) return { text: '', hidden: 0 };
  return riskSection(assessment ?? assessChanges(drifted, builtInCatalogue()), budget, {
    reserve: Math.floor(budget.remaining / 2),
    phase: 'drift',
    heading: 'Risks of this drift',
    fullListAt: 'the full list is in the `risks` output of the run',
  });
}

/** Most characters of the `risks` output before its findings are left out (GitHub allows 1 MiB). */
const OUTPUT_LIMIT = 900_000;

/** The JSON document of the `risks` output (a contract: workflows read it, action.yml documents it). */
export interface RisksOutput {
  version: 1;
  /** The classes found, in catalogue order. */
  classes: string[];
  /** Every class of the catalogue with how many findings it has (0 when none). */
  counts: Record<string, number>;
  resources: Record<string, string[]>;
  findings: {
    class: string;
    address: string;
    deposed?: string;
    actions: readonly string[];
    reasons: string[];
  }[];
  /** Present when the output was cut to stay under GitHub's limit. */
  truncated?: true;
}

/**
 * The `risks` output: every class with its count and addresses, and the findings with their
 * reasons in plain text. `classes` lists only the classes found.
 */
export function risksOutput(assessment: RiskAssessment, phase: RiskPhase = 'plan'): string {
  const counts: Record<string, number> = {};
  const resources: Record<string, string[]> = {};
  for (const risk of assessment.classes) {
    const findings = findingsOf(assessment, risk.id);
    counts[risk.id] = findings.length;
    resources[risk.id] = [...new Set(findings.map((finding) => finding.address))];
  }
  const findings = assessment.byClass.flatMap(({ findings: list }) =>
    list.map((finding) => ({
      class: finding.class,
      address: finding.address,
      ...(finding.deposed === undefined ? {} : { deposed: finding.deposed }),
      actions: finding.actions,
      reasons: finding.reasons.map((reason) => describeRiskReason(reason, false, phase)),
    })),
  );
  const document: RisksOutput = {
    version: 1,
    classes: assessment.byClass.map(({ risk }) => risk.id),
    counts,
    resources,
    findings,
  };
  const full = JSON.stringify(document);
  if (full.length <= OUTPUT_LIMIT) return full;
  const withoutFindings = JSON.stringify({ ...document, findings: [], truncated: true });
  if (withoutFindings.length <= OUTPUT_LIMIT) return withoutFindings;
  return JSON.stringify({
    ...document,
    resources: Object.fromEntries(Object.keys(resources).map((id) => [id, []])),
    findings: [],
    truncated: true,
  });
}
