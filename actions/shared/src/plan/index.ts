export {
  attributeChanges,
  changedAttributes,
  changedTopLevelAttributes,
  flatten,
  type AttributeChange,
  type Leaf,
} from './attribute-diff.js';
export {
  describeDriftChange,
  driftMetaLine,
  findDrift,
  isDriftIssueOf,
  parseDriftMeta,
  renderDriftIssue,
  renderDriftSummary,
  type DriftFindings,
  type DriftMeta,
} from './drift-report.js';
export {
  parseOwnedAttribute,
  TRAFFIC_SHIFT_ATTRIBUTES,
  withoutOwnedAttributes,
  type OwnedAttribute,
} from './owned-attributes.js';
export { code, fencedBlock, formatCount, plural } from './markdown.js';
export {
  appliedStatus,
  driftMarker,
  isPlanCommentOf,
  notAppliedStatus,
  parsePlanComment,
  parsePlanDigest,
  planMarker,
  setPlanCommentStatus,
  STACK_NAME_PATTERN,
  type PlanCommentInfo,
  type PlanOutcome,
} from './plan-comment.js';
export {
  canonicalJson,
  canonicalPlanText,
  digestKeyFrom,
  digestKeyId,
  NO_DIGEST_KEY,
  PLAN_DIGEST_VERSION,
  planDigest,
  resourceDigests,
  type DigestKey,
} from './plan-digest.js';
export { MIN_DIGEST_KEY_LENGTH, NO_DIGEST_KEY_WARNING, readDigestKey } from './digest-key.js';
export {
  checkFormatVersion,
  parsePlan,
  PlanFormatError,
  readPlan,
  type ChangeKind,
  type OutputChange,
  type PlanModel,
  type ResourceChange,
} from './plan-model.js';
export {
  renderPlanComment,
  renderPlanFailure,
  renderPlanReport,
  renderPlanSummary,
  type ReportContext,
  type ReportOptions,
} from './plan-report.js';
export { countChanges, describeCounts, hasChanges, type PlanCounts } from './plan-summary.js';
export {
  maskableSecrets,
  Redactor,
  scrubPlanLog,
  scrubShortLeaves,
  SENSITIVE_TEXT,
} from './redaction.js';
export { COMMENT_LIMIT, STATUS_RESERVE, SUMMARY_LIMIT_BYTES } from './report-budget.js';
