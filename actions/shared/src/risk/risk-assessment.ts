/**
 * Which planned changes are risky, by class: the rules of a catalogue (risk-rules.ts) applied
 * to the resource changes of a plan (or the drift of a refresh-only plan). A finding names the
 * address, the actions and why, in words built from the rule and attribute names only: no value
 * from the plan is ever part of a finding, so findings are safe to print anywhere.
 */
import type { PlanModel, ResourceChange } from '../plan/plan-model.js';
import { changedAttributeNames, compareForReport, isListed } from '../plan/plan-summary.js';
import { matchAttribute, type AttributeMatch } from './attribute-match.js';
import type { RiskAction, RiskCatalogue, RiskClass, RiskRule, RuleValue } from './risk-rules.js';

/** Why a change is in a class: an action on a type, or a change to one attribute. */
export type RiskReason =
  | { kind: 'action'; action: RiskAction; attributes?: readonly string[] }
  | {
      kind: 'attribute';
      path: string;
      change: AttributeMatch['change'];
      value?: RuleValue;
      /** sensitive: the value is hidden, so any change counts; unknown: known after apply. */
      certainty: AttributeMatch['certainty'];
    };

export interface RiskFinding {
  class: string;
  address: string;
  deposed?: string;
  actions: readonly string[];
  reasons: RiskReason[];
}

export interface ClassFindings {
  risk: RiskClass;
  findings: RiskFinding[];
}

export interface RiskAssessment {
  /** Every class of the catalogue, found or not, in display order. */
  classes: readonly RiskClass[];
  /** Per class, in class order, the findings in the order of the changes given. */
  byClass: ClassFindings[];
  /** Where the rules came from. */
  sources: readonly string[];
}

const RISK_KINDS: ReadonlySet<string> = new Set(['create', 'update', 'replace', 'destroy']);

function rulesByType(catalogue: RiskCatalogue): Map<string, RiskRule[]> {
  const index = new Map<string, RiskRule[]>();
  for (const rule of catalogue.rules) {
    for (const type of rule.types) {
      const list = index.get(type) ?? [];
      list.push(rule);
      index.set(type, list);
    }
  }
  return index;
}

function reasonOf(
  rule: RiskRule,
  change: ResourceChange,
  action: RiskAction,
): RiskReason | undefined {
  if (!rule.attribute) {
    if (action !== 'update') return { kind: 'action', action };
    return { kind: 'action', action, attributes: changedAttributeNames(change) };
  }
  if (action === 'destroy') return undefined;
  const match = matchAttribute(change, rule.attribute);
  if (!match) return undefined;
  const reason: RiskReason = {
    kind: 'attribute',
    path: rule.attribute.text,
    change: match.change,
    certainty: match.certainty,
  };
  if (rule.attribute.value !== undefined) reason.value = rule.attribute.value;
  return reason;
}

function sameReason(a: RiskReason, b: RiskReason): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The findings of every class for these changes, in the order given. */
export function assessChanges(
  changes: readonly ResourceChange[],
  catalogue: RiskCatalogue,
): RiskAssessment {
  const index = rulesByType(catalogue);
  const found = new Map<string, Map<string, RiskFinding>>();
  for (const change of changes) {
    if (change.mode !== 'managed' || !RISK_KINDS.has(change.kind)) continue;
    const action = change.kind as RiskAction;
    for (const rule of index.get(change.type) ?? []) {
      if (!rule.actions.includes(action)) continue;
      const reason = reasonOf(rule, change, action);
      if (!reason) continue;
      const findings = found.get(rule.class) ?? new Map<string, RiskFinding>();
      found.set(rule.class, findings);
      const key = `${change.address}\u0000${change.deposed ?? ''}`;
      let finding = findings.get(key);
      if (!finding) {
        finding = {
          class: rule.class,
          address: change.address,
          actions: change.actions,
          reasons: [],
        };
        if (change.deposed !== undefined) finding.deposed = change.deposed;
        findings.set(key, finding);
      }
      if (!finding.reasons.some((known) => sameReason(known, reason))) finding.reasons.push(reason);
    }
  }
  return {
    classes: catalogue.classes,
    byClass: catalogue.classes
      .filter((risk) => found.has(risk.id))
      .map((risk) => ({ risk, findings: [...(found.get(risk.id)?.values() ?? [])] })),
    sources: catalogue.sources,
  };
}

/** The findings of a plan's resource changes, in report order. */
export function assessPlan(plan: PlanModel, catalogue: RiskCatalogue): RiskAssessment {
  return assessChanges(plan.resourceChanges.filter(isListed).sort(compareForReport), catalogue);
}

/** The findings of one class ([] when none). */
export function findingsOf(assessment: RiskAssessment, classId: string): RiskFinding[] {
  return assessment.byClass.find((entry) => entry.risk.id === classId)?.findings ?? [];
}

/** The number of distinct addresses in any class. */
export function countFindings(assessment: RiskAssessment): number {
  return assessment.byClass.reduce((sum, entry) => sum + entry.findings.length, 0);
}

/** The class id the apply guards. */
export const DATA_LOSS = 'data-loss';
