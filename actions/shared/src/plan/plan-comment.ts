/**
 * Markers and metadata of the sticky plan comment, and the functions apply uses on it:
 * find the digest that was reviewed, and set the status line ("Applied at <sha> by run N").
 */

/** Stack names go inside an HTML comment and a code span: keep them to a safe alphabet. */
export const STACK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

export function planMarker(stack: string): string {
  return `<!-- multicloud:plan stack=${stack} -->`;
}

export function driftMarker(stack: string): string {
  return `<!-- multicloud:drift stack=${stack} -->`;
}

const STATUS_MARKER = '<!-- multicloud:status -->';
const META_PATTERN =
  /<!-- multicloud:plan-meta digest=([0-9a-f]{64}|none) commit=([0-9A-Za-z]*) outcome=([a-z-]+) -->/;
const VISIBLE_DIGEST_PATTERN = /plan-digest `([0-9a-f]{64})`/;

export type PlanOutcome = 'changes' | 'no-changes' | 'failed';

export function planMetaLine(
  digest: string | undefined,
  commit: string | undefined,
  outcome: PlanOutcome,
): string {
  const safeCommit = (commit ?? '').replace(/[^0-9A-Za-z]/g, '');
  return `<!-- multicloud:plan-meta digest=${digest ?? 'none'} commit=${safeCommit} outcome=${outcome} -->`;
}

export function statusLine(text = ''): string {
  return text === '' ? STATUS_MARKER : `${STATUS_MARKER}\n**${sanitizeStatus(text)}**`;
}

function sanitizeStatus(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/<!--|-->/g, '')
    .replace(/\*\*/g, '')
    .slice(0, 500);
}

/** True when `body` is the sticky plan comment of `stack` (the marker opens the body). */
export function isPlanCommentOf(body: string | undefined | null, stack: string): boolean {
  return (body ?? '').trimStart().startsWith(planMarker(stack));
}

export interface PlanCommentInfo {
  /** The plan-digest the comment shows, or undefined when the plan failed or has none. */
  digest?: string;
  /** Commit SHA the plan was made for. */
  commit?: string;
  outcome?: PlanOutcome;
  /** The status line apply wrote, if any. */
  status?: string;
}

/** Reads what apply needs back from a sticky plan comment body. */
export function parsePlanComment(body: string): PlanCommentInfo {
  const info: PlanCommentInfo = {};
  const meta = META_PATTERN.exec(body);
  if (meta) {
    if (meta[1] !== 'none') info.digest = meta[1];
    if (meta[2]) info.commit = meta[2];
    info.outcome = meta[3] as PlanOutcome;
  } else {
    const visible = VISIBLE_DIGEST_PATTERN.exec(body);
    if (visible) info.digest = visible[1];
  }
  const statusAt = body.indexOf(STATUS_MARKER);
  if (statusAt >= 0) {
    const rest = body.slice(statusAt + STATUS_MARKER.length).split('\n');
    const line = rest[1]?.trim() ?? '';
    if (line.startsWith('**') && line.endsWith('**') && line.length > 4) {
      info.status = line.slice(2, -2);
    }
  }
  return info;
}

/** Just the digest: what apply compares with its own plan. */
export function parsePlanDigest(body: string): string | undefined {
  return parsePlanComment(body).digest;
}

/**
 * Sets the status line under the header, e.g. "Applied at a1b2c3d by run 4243" or "Not
 * applied: the plan changed after review". Replaces an earlier status; the rest of the body is
 * kept. The renderer leaves STATUS_RESERVE characters for this, so the body stays in limits.
 */
export function setPlanCommentStatus(body: string, text: string): string {
  const replacement = statusLine(text);
  const statusAt = body.indexOf(STATUS_MARKER);
  if (statusAt >= 0) {
    const after = body.slice(statusAt + STATUS_MARKER.length);
    const lines = after.split('\n');
    // lines[0] is the rest of the marker line (empty); lines[1] may be an old status.
    const hasOld = (lines[1] ?? '').startsWith('**');
    const tail = lines.slice(hasOld ? 2 : 1).join('\n');
    return `${body.slice(0, statusAt)}${replacement}\n${tail}`;
  }
  // A comment without the marker (older format): put the status after the header line.
  const lines = body.split('\n');
  const headerIndex = lines.findIndex((line) => line.startsWith('### '));
  lines.splice(headerIndex >= 0 ? headerIndex + 1 : lines.length, 0, replacement);
  return lines.join('\n');
}

/** "Applied at a1b2c3d by run 4243". */
export function appliedStatus(commitSha: string, runId: string | number): string {
  return `Applied at ${commitSha.slice(0, 7)} by run ${runId}`;
}

/** "Not applied: <reason>". */
export function notAppliedStatus(reason: string): string {
  return `Not applied: ${reason}`;
}
