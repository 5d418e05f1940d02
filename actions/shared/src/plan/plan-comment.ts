/**
 * The plan-comment codec: everything a sticky plan comment carries for machines is written and
 * read here, and nowhere else. The comment opens with hidden lines, before anything visible:
 *
 *   <!-- multicloud:plan stack=<stack> -->                       the marker (finds the comment)
 *   <!-- multicloud:plan-meta digest=<sha256|none> commit=<sha> outcome=<outcome> key=<id|none> -->
 *   <!-- multicloud:plan-listing v1 json {...} -->               or `v1 br-base64 <data>`
 *
 * then the visible report, with `<!-- multicloud:status -->` under its header for the line the
 * apply sets. The listing (plan-listing.ts) holds full addresses, actions and changed attribute
 * names, never a value; when it does not fit its share of the comment it says it is partial and
 * keeps destroys and replacements first. See docs/adr/0011-plan-comment-codec.md.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { isDestructiveListing, type PlanListing } from './plan-listing.js';
import { escapeHidden, graphemePrefix } from './markdown.js';

/** Stack names go inside an HTML comment and a code span: keep them to a safe alphabet. */
export const STACK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

export function planMarker(stack: string): string {
  return `<!-- multicloud:plan stack=${stack} -->`;
}

export function driftMarker(stack: string): string {
  return `<!-- multicloud:drift stack=${stack} -->`;
}

const MACHINE_LINE_PREFIX = '<!-- multicloud:';
const STATUS_MARKER = '<!-- multicloud:status -->';
/** `key=` (the digest-key's public id, or none) came with plan-digest form 2 (ADR 3). */
const META_PATTERN =
  /^<!-- multicloud:plan-meta digest=([0-9a-f]{64}|none) commit=([0-9A-Za-z]*) outcome=([a-z-]+)(?: key=([0-9a-f]{16}|none))? -->$/;
/** Comments older than the meta line showed the digest only in the footer. */
const FOOTER_DIGEST_PATTERN = /^plan-digest `([0-9a-f]{64})`/m;

export type PlanOutcome = 'changes' | 'no-changes' | 'failed';

function safeCommit(commit: string | undefined): string {
  return (commit ?? '').replace(/[^0-9A-Za-z]/g, '');
}

export function planMetaLine(
  digest: string | undefined,
  commit: string | undefined,
  outcome: PlanOutcome,
  keyId = 'none',
): string {
  const key = /^[0-9a-f]{16}$/.test(keyId) ? keyId : 'none';
  return `<!-- multicloud:plan-meta digest=${digest ?? 'none'} commit=${safeCommit(commit)} outcome=${outcome} key=${key} -->`;
}

export function statusLine(text = ''): string {
  return text === '' ? STATUS_MARKER : `${STATUS_MARKER}\n**${sanitizeStatus(text)}**`;
}

function sanitizeStatus(text: string): string {
  const cleaned = text
    .replace(/[\r\n]+/g, ' ')
    .replace(/<!--|-->/g, '')
    .replace(/\*\*/g, '');
  return graphemePrefix(escapeHidden(cleaned), 500);
}

/** True when `body` is the sticky plan comment of `stack` (the marker opens the body). */
export function isPlanCommentOf(body: string | undefined | null, stack: string): boolean {
  return (body ?? '').trimStart().startsWith(planMarker(stack));
}

/**
 * The hidden lines that open a comment, up to the first visible line. Only these are read as
 * the codec's own: the visible report quotes addresses and values, which may hold any text.
 */
function machineLines(body: string): string[] {
  const lines: string[] = [];
  for (const line of body.trimStart().split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith(MACHINE_LINE_PREFIX) || trimmed === STATUS_MARKER) break;
    lines.push(trimmed);
  }
  return lines;
}

export interface PlanCommentInfo {
  /** The plan-digest the comment shows, or undefined when the plan failed or has none. */
  digest?: string;
  /** Commit SHA the plan was made for. */
  commit?: string;
  outcome?: PlanOutcome;
  /**
   * The public id of the digest-key the digest was made with, or 'none'; undefined when the
   * comment predates plan-digest form 2 (no `key=`).
   */
  digestKeyId?: string;
  /** The status line apply wrote, if any. */
  status?: string;
}

function readStatus(body: string): string | undefined {
  const statusAt = body.indexOf(STATUS_MARKER);
  if (statusAt < 0) return undefined;
  const line =
    body
      .slice(statusAt + STATUS_MARKER.length)
      .split('\n')[1]
      ?.trim() ?? '';
  return line.startsWith('**') && line.endsWith('**') && line.length > 4
    ? line.slice(2, -2)
    : undefined;
}

/** Reads what apply needs back from a sticky plan comment body. */
export function parsePlanComment(body: string): PlanCommentInfo {
  const info: PlanCommentInfo = {};
  const meta = machineLines(body)
    .map((line) => META_PATTERN.exec(line))
    .find((match) => match !== null);
  if (meta) {
    if (meta[1] !== 'none') info.digest = meta[1];
    if (meta[2]) info.commit = meta[2];
    info.outcome = meta[3] as PlanOutcome;
    if (meta[4]) info.digestKeyId = meta[4];
  } else {
    const footer = FOOTER_DIGEST_PATTERN.exec(body);
    if (footer) info.digest = footer[1];
  }
  const status = readStatus(body);
  if (status !== undefined) info.status = status;
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

// ---------------------------------------------------------------------------------------------
// The listing line

export const LISTING_FORMAT_VERSION = 1;
const LISTING_PREFIX = `${MACHINE_LINE_PREFIX}plan-listing v`;
const LISTING_PATTERN = /^<!-- multicloud:plan-listing v(\d+) ([a-z0-9-]+) (.*) -->$/;
/** A listing this short (or shorter) stays readable JSON; a longer one is compressed. */
export const PLAIN_LISTING_MAX = 6_000;
/** Most bytes a compressed listing may expand to when read (a bomb is refused, not inflated). */
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;
/** Room the order of a partial listing is said in (machines read `kept`, people the words). */
const PARTIAL_ORDER = 'destroys and replacements, then outputs, then other changes, report order';

/** Whose plan the listing is: checked against the meta line when it is read. */
export interface ListingHeader {
  stack: string;
  digest?: string;
  commit?: string;
}

/** The JSON a listing line carries (format version 1). */
interface ListingDocument {
  v: number;
  stack: string;
  digest: string | null;
  commit: string;
  resources: PlanListing['resources'];
  outputs: PlanListing['outputs'];
  /** Present only when the listing is partial. */
  partial?: {
    kept: string;
    resources_left_out: number;
    outputs_left_out: number;
    every_destroy_and_replace: boolean;
  };
}

/**
 * JSON inside an HTML comment: a comment ends at the first `-->` (and `--!>`), so no two
 * hyphens may stand together. Hyphens appear only inside strings here (no negative numbers),
 * where `\u002d` is the same character to a JSON reader.
 */
function plainLine(json: string): string {
  const safe = json.replace(/-(?=-)/g, '\\u002d');
  return `${LISTING_PREFIX}${LISTING_FORMAT_VERSION} json ${safe} -->`;
}

/**
 * Brotli, then standard base64 (which has no hyphen: nothing in it can end the comment).
 * Quality 1 is fast enough not to be felt next to parsing the plan; quality 5, for listings
 * that need the room, is a quarter smaller again on plan listings and within 2 % of quality 9
 * at a tenth of its time.
 */
function packedLine(json: string, quality: 1 | 5): string {
  const packed = brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  });
  return `${LISTING_PREFIX}${LISTING_FORMAT_VERSION} br-base64 ${packed.toString('base64')} -->`;
}

function documentOf(header: ListingHeader, listing: PlanListing): ListingDocument {
  return {
    v: LISTING_FORMAT_VERSION,
    stack: header.stack,
    digest: header.digest ?? null,
    commit: safeCommit(header.commit),
    resources: listing.resources,
    outputs: listing.outputs,
  };
}

/**
 * The first `count` entries in the order a partial listing keeps them: destroys and
 * replacements, then outputs, then the other changes (each in report order).
 */
function keptPart(listing: PlanListing, count: number): PlanListing & { everyDestroy: boolean } {
  const destructive = listing.resources.filter(isDestructiveListing);
  const resources = new Set(destructive.slice(0, count));
  let left = count - destructive.length;
  const outputs = listing.outputs.slice(0, Math.max(0, left));
  left -= listing.outputs.length;
  for (const resource of listing.resources) {
    if (left <= 0) break;
    if (resources.has(resource) || isDestructiveListing(resource)) continue;
    resources.add(resource);
    left--;
  }
  return {
    resources: listing.resources.filter((resource) => resources.has(resource)),
    outputs,
    everyDestroy: count >= destructive.length,
  };
}

function partialLine(header: ListingHeader, listing: PlanListing, count: number): string {
  const kept = keptPart(listing, count);
  const document = documentOf(header, kept);
  document.partial = {
    kept: PARTIAL_ORDER,
    resources_left_out: listing.resources.length - kept.resources.length,
    outputs_left_out: listing.outputs.length - kept.outputs.length,
    every_destroy_and_replace: kept.everyDestroy,
  };
  return packedLine(JSON.stringify(document), 5);
}

/**
 * The listing line for a comment, at most `maxLength` characters: readable JSON when short,
 * compressed when longer, and when even that does not fit, the longest partial listing that
 * does (binary search on the number of entries kept). '' if not even an empty one fits.
 */
export function planListingLine(
  header: ListingHeader,
  listing: PlanListing,
  maxLength: number,
): string {
  const json = JSON.stringify(documentOf(header, listing));
  // The plain line is at least as long as the JSON: most plans need no escaping pass at all.
  if (json.length + 50 <= Math.min(maxLength, PLAIN_LISTING_MAX)) {
    const plain = plainLine(json);
    if (plain.length <= Math.min(maxLength, PLAIN_LISTING_MAX)) return plain;
  }
  for (const quality of [1, 5] as const) {
    const packed = packedLine(json, quality);
    if (packed.length <= maxLength) return packed;
  }
  const total = listing.resources.length + listing.outputs.length;
  let best = partialLine(header, listing, 0);
  if (best.length > maxLength) return '';
  let low = 1;
  let high = total - 1;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const line = partialLine(header, listing, middle);
    if (line.length <= maxLength) {
      best = line;
      low = middle + 1;
    } else high = middle - 1;
  }
  return best;
}

/** What the comment says about the reviewed plan's listing. */
export type ReviewedListing =
  | { state: 'complete'; listing: PlanListing }
  | {
      state: 'partial';
      listing: PlanListing;
      resourcesLeftOut: number;
      outputsLeftOut: number;
      /** True when every destroy and replacement of the reviewed plan is in the listing. */
      everyDestroyKept: boolean;
    }
  | { state: 'unavailable'; reason: string };

class ListingFormatError extends Error {}

function expectString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ListingFormatError(`${what} is not a string`);
  return value;
}

function expectStrings(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) throw new ListingFormatError(`${what} is not a list`);
  return value.map((item) => expectString(item, what));
}

function expectCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new ListingFormatError(`${what} is not a count`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readResource(value: unknown): PlanListing['resources'][number] {
  if (!isRecord(value)) throw new ListingFormatError('a resource entry is not an object');
  const resource: PlanListing['resources'][number] = {
    address: expectString(value['address'], 'an address'),
    actions: expectStrings(value['actions'], 'actions'),
  };
  if (value['deposed'] !== undefined)
    resource.deposed = expectString(value['deposed'], 'a deposed key');
  if (value['reason'] !== undefined) resource.reason = expectString(value['reason'], 'a reason');
  if (value['previousAddress'] !== undefined)
    resource.previousAddress = expectString(value['previousAddress'], 'a previous address');
  if (value['importing'] === true) resource.importing = true;
  if (value['attributes'] !== undefined)
    resource.attributes = expectStrings(value['attributes'], 'attributes');
  return resource;
}

function readOutput(value: unknown): PlanListing['outputs'][number] {
  if (!isRecord(value)) throw new ListingFormatError('an output entry is not an object');
  return {
    name: expectString(value['name'], 'an output name'),
    actions: expectStrings(value['actions'], 'actions'),
  };
}

function decodeJson(encoding: string, data: string): unknown {
  let json: string;
  if (encoding === 'json') json = data;
  else if (encoding === 'br-base64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data))
      throw new ListingFormatError('the data is not base64');
    try {
      json = brotliDecompressSync(Buffer.from(data, 'base64'), {
        maxOutputLength: MAX_INFLATED_BYTES,
      }).toString('utf8');
    } catch {
      throw new ListingFormatError('the data does not decompress (or is far too large)');
    }
  } else throw new ListingFormatError(`the encoding '${encoding}' is not known`);
  try {
    return JSON.parse(json);
  } catch {
    throw new ListingFormatError('the data is not JSON');
  }
}

function readDocument(value: unknown, header: ListingHeader): ReviewedListing {
  if (!isRecord(value)) throw new ListingFormatError('the data is not an object');
  if (!Array.isArray(value['resources']) || !Array.isArray(value['outputs']))
    throw new ListingFormatError('resources or outputs are missing');
  const belongs =
    value['stack'] === header.stack &&
    (value['digest'] ?? undefined) === header.digest &&
    (header.commit === undefined || value['commit'] === safeCommit(header.commit));
  if (!belongs) {
    return {
      state: 'unavailable',
      reason:
        'the listing in the plan comment belongs to another stack, plan or commit than its meta line',
    };
  }
  const listing: PlanListing = {
    resources: value['resources'].map(readResource),
    outputs: value['outputs'].map(readOutput),
  };
  const partial = value['partial'];
  if (partial === undefined) return { state: 'complete', listing };
  if (!isRecord(partial)) throw new ListingFormatError('partial is not an object');
  return {
    state: 'partial',
    listing,
    resourcesLeftOut: expectCount(partial['resources_left_out'], 'resources_left_out'),
    outputsLeftOut: expectCount(partial['outputs_left_out'], 'outputs_left_out'),
    everyDestroyKept: partial['every_destroy_and_replace'] === true,
  };
}

/**
 * The listing of the reviewed plan from its comment. Never throws: a comment written before
 * the listing existed, by a newer format, or damaged, gives `unavailable` with the reason.
 */
export function readPlanListing(body: string, stack: string): ReviewedListing {
  const lines = machineLines(body);
  const line = lines.find((candidate) => candidate.startsWith(LISTING_PREFIX));
  if (line === undefined) {
    return {
      state: 'unavailable',
      reason:
        'the plan comment carries no machine-readable listing (it was written by an older version of the plan action, or had no room for one)',
    };
  }
  const match = LISTING_PATTERN.exec(line);
  if (!match)
    return { state: 'unavailable', reason: 'the listing line of the plan comment is damaged' };
  if (Number(match[1]) !== LISTING_FORMAT_VERSION) {
    return {
      state: 'unavailable',
      reason: `the plan comment's listing is in format v${match[1]}, which this version of the apply action does not read (it reads v${LISTING_FORMAT_VERSION})`,
    };
  }
  const info = parsePlanComment(body);
  const header: ListingHeader = { stack };
  if (info.digest !== undefined) header.digest = info.digest;
  if (info.commit !== undefined) header.commit = info.commit;
  try {
    return readDocument(decodeJson(match[2] as string, match[3] as string), header);
  } catch (error) {
    if (!(error instanceof ListingFormatError)) throw error;
    return {
      state: 'unavailable',
      reason: `the listing in the plan comment cannot be read: ${error.message}`,
    };
  }
}
