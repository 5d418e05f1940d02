/** Small, safe Markdown builders for comments, issues and job summaries. */
import { createHash } from 'node:crypto';

/**
 * Longest text a code span shows. Terraform puts no limit on addresses (a for_each key can be
 * any string) or import IDs: one huge address must not crowd every other row out of a report.
 */
export const MAX_CODE_SPAN = 1_000;

/**
 * Characters a reader cannot see or that reorder what they see: C0/C1 controls and DEL,
 * format characters (bidi embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069,
 * marks U+200E/U+200F/U+061C, zero-width space, joiners, word joiner, BOM, tags...), and the
 * line and paragraph separators. A resource named to look like another is a review hazard.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const HIDDEN_ALL = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

function escapeCharacter(character: string): string {
  const point = character.codePointAt(0) as number;
  return point > 0xffff
    ? `\\u{${point.toString(16).toUpperCase()}}`
    : `\\u${point.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * How many texts escapeHidden has changed so far. A renderer reads it before and after one
 * synchronous render to learn whether its report escaped anything (the warning line), without
 * threading a flag through every builder that shows an address or a value.
 */
let hiddenSeen = 0;
export function hiddenEscapeCount(): number {
  return hiddenSeen;
}

/**
 * `text` with every invisible or direction-changing character written as its escape
 * (`\u202E`), except the joiners and tags inside an emoji sequence. Tab, newline and
 * carriage return are escaped too: a code span would show them as spaces.
 */
export function escapeHidden(text: string): string {
  if (!HIDDEN.test(text)) return text;
  const out = escaped(text);
  if (out !== text) hiddenSeen++;
  return out;
}

function escaped(text: string): string {
  return text.replace(HIDDEN_ALL, (character, at: number) =>
    joinsEmoji(text, character, at) ? character : escapeCharacter(character),
  );
}

const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
/** What may stand between a pictograph and its joiner: VS16 and the skin-tone modifiers. */
function isEmojiModifier(character: string): boolean {
  const point = character.codePointAt(0) ?? 0;
  return point === 0xfe0f || (point >= 0x1f3fb && point <= 0x1f3ff);
}
const BLACK_FLAG = 0x1f3f4;

function codePointBefore(text: string, at: number): string {
  const low = text.charCodeAt(at - 1);
  const pair = low >= 0xdc00 && low <= 0xdfff && at >= 2;
  return pair ? text.slice(at - 2, at) : text.slice(at - 1, at);
}

/**
 * True for U+200D between two pictographs (a family, a profession) and for the tag characters
 * after U+1F3F4 that spell a subdivision flag: parts of one visible emoji, not hidden text.
 * Checked on the neighbours only, so escaping stays linear in the length of the text.
 */
function joinsEmoji(text: string, character: string, at: number): boolean {
  if (character === '\u200D') {
    let before = at;
    let previous = codePointBefore(text, before);
    while (isEmojiModifier(previous)) {
      before -= previous.length;
      previous = codePointBefore(text, before);
    }
    const next = String.fromCodePoint(text.codePointAt(at + 1) ?? 0);
    return PICTOGRAPH.test(previous) && PICTOGRAPH.test(next);
  }
  const point = character.codePointAt(0) as number;
  if (point < 0xe0020 || point > 0xe007f) return false;
  let before = at;
  for (;;) {
    const previous = codePointBefore(text, before);
    if (previous === '') return false;
    const code = previous.codePointAt(0) as number;
    if (code === BLACK_FLAG) return true;
    if (code < 0xe0020 || code > 0xe007f) return false;
    before -= previous.length;
  }
}

/**
 * Context the segmenter reads on each side of a cut. Grapheme boundaries depend only on nearby
 * characters, and Intl.Segmenter slows down badly on long texts: only this window is segmented.
 * A grapheme longer than the window may be dropped whole, never split.
 */
const SEGMENT_WINDOW = 256;

/** Never between the two halves of a surrogate pair (the fallback when no boundary is found). */
function codeUnitSafe(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code >= 0xdc00 && code <= 0xdfff && at > 0 ? at - 1 : at;
}

/** The grapheme boundary at or before `at` (0 < at < text.length), from a window around it. */
function boundaryBefore(text: string, at: number): number {
  const from = Math.max(0, at - SEGMENT_WINDOW);
  const to = Math.min(text.length, at + SEGMENT_WINDOW);
  let best = -1;
  for (const { index, segment } of graphemes.segment(text.slice(from, to))) {
    // The first segment of a window that starts mid-text may begin inside a grapheme.
    if (index > 0 || from === 0) {
      if (from + index > at) break;
      best = from + index;
    }
    if (from + index + segment.length === at) return at;
  }
  return best >= 0 ? best : codeUnitSafe(text, from);
}

/** The longest run of whole graphemes from the start of `text` within `max` code units. */
export function graphemePrefix(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  return text.slice(0, boundaryBefore(text, max));
}

/** The boundary at or after `at`. */
function boundaryAfter(text: string, at: number): number {
  const from = Math.max(0, at - SEGMENT_WINDOW);
  const to = Math.min(text.length, at + SEGMENT_WINDOW);
  for (const { index, segment } of graphemes.segment(text.slice(from, to))) {
    const end = from + index + segment.length;
    if ((index > 0 || from === 0) && from + index >= at) return from + index;
    if (end >= at && (end < to || to === text.length)) return end;
  }
  return codeUnitSafe(text, to);
}

/** The longest run of whole graphemes at the end of `text` within `max` code units. */
export function graphemeSuffix(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  return text.slice(boundaryAfter(text, text.length - max));
}

/** A short stable name of a text: 128 bits of its SHA-256, too many to collide by design. */
function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}

/**
 * An escape (`\u200d` as Terraform writes a hidden character of an index key, `\u{E0067}`
 * as escapeHidden writes one) begun but not finished at the end of a text: a cut there would
 * show half an escape (`\u2…`), so the head stops before it and the tail starts after it.
 * An escaped backslash (`\\u`) starts none.
 */
const ESCAPE_START_AT_END =
  /(?<=(?:^|[^\\])(?:\\\\)*)\\(?:u(?:\{[0-9A-Fa-f]{0,6}|[0-9A-Fa-f]{0,3})?)?$/;

/** How many characters from `start` finish an escape begun before it (0: none begun). */
function escapeRestLength(text: string, start: number): number {
  const open = ESCAPE_START_AT_END.exec(text.slice(Math.max(0, start - 12), start))?.[0];
  if (open === undefined) return 0;
  const rest = text.slice(start, start + 12);
  const unicode =
    open === '\\'
      ? /^u(?:\{[0-9A-Fa-f]{1,6}\}|[0-9A-Fa-f]{4})/.exec(rest)
      : open.startsWith('\\u{')
        ? /^[0-9A-Fa-f]{0,6}\}/.exec(rest)
        : new RegExp(`^[0-9A-Fa-f]{${4 - (open.length - 2)}}|^\\{[0-9A-Fa-f]{1,6}\\}`).exec(rest);
  // A backslash that starts another escape (\", \\, \n): skip its one character.
  return unicode ? unicode[0].length : open === '\\' ? 1 : 0;
}

/** Room the head and the tail of a shortened code span share. */
const KEPT = MAX_CODE_SPAN - 1;

/**
 * The start and the end (where an address's index key is) of a text too long to show whole,
 * cut between graphemes, or undefined when it fits.
 */
function shortenedParts(text: string): { head: string; tail: string } | undefined {
  if (text.length <= MAX_CODE_SPAN) return undefined;
  const head = graphemePrefix(text, Math.ceil(KEPT / 2)).replace(ESCAPE_START_AT_END, '');
  const tail = graphemeSuffix(text, KEPT - Math.ceil(KEPT / 2));
  return { head, tail: tail.slice(escapeRestLength(text, text.length - tail.length)) };
}

/** Backticks inside pick a longer fence; in a table cell a pipe is escaped even within code. */
function codeSpan(text: string, inTable: boolean): string {
  // Most addresses and names need no escaping: skip the regular expressions for them.
  if (text !== '' && !/[`|\r\n]/.test(text)) return `\`${text}\``;
  let body = text.replace(/\r?\n|\r/g, ' ');
  if (inTable) body = body.replace(/\|/g, '\\|');
  if (body === '') return '` `';
  const runs = body.match(/`+/g);
  const longest = runs ? Math.max(...runs.map((run) => run.length)) : 0;
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || longest > 0 ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * An inline code span that shows `text` literally, hidden characters escaped. A text too long
 * to show whole keeps its start and end, and after the span (outside it, so no address can
 * imitate it) says that it was shortened, from how many characters, and a hash of the whole
 * text: two different texts never look the same. The job summaries give such addresses whole.
 */
export function code(whole: string, inTable = false): string {
  const text = escapeHidden(whole);
  const parts = shortenedParts(text);
  if (parts === undefined) return codeSpan(text, inTable);
  return `${codeSpan(`${parts.head}…${parts.tail}`, inTable)} (shortened from ${formatCount(text.length)} characters, sha256 \`${shortHash(whole)}\`)`;
}

/** Whether code() shows `text` shortened. */
export function isShortened(text: string): boolean {
  return text.length > MAX_CODE_SPAN || (HIDDEN.test(text) && escaped(text).length > MAX_CODE_SPAN);
}

/** A fenced block that no line of `text` can close early. */
export function fencedBlock(text: string, language = ''): string {
  const runs = text.match(/^ {0,3}(`{3,}|~{3,})/gm) ?? [];
  const longest = Math.max(2, ...runs.map((run) => run.trim().length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\s+$/, '')}\n${fence}`;
}

/** Plain text for running Markdown: the characters that could start markup are escaped. */
export function escapeText(text: string): string {
  return escapeHidden(text).replace(/[\\`*_{}[\]<>()#+!|~]/g, (character) => `\\${character}`);
}

const numberFormat = new Intl.NumberFormat('en-US');

export function formatCount(count: number): string {
  return numberFormat.format(count);
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}

/** Cuts text to at most `max` code units (the ellipsis included), between graphemes. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${graphemePrefix(text, Math.max(0, max - 1))}…`;
}

/**
 * The one warning line a report shows near its top when it escaped hidden characters.
 */
export const HIDDEN_CHARACTERS_WARNING =
  '> [!WARNING]\n> This plan contains invisible or direction-changing characters (bidi controls, zero-width or control characters) in addresses or values; they are shown escaped, e.g. `\\u202E`. A name can be made to look like another: compare escaped names carefully.\n\n';

/**
 * Terraform writes a hidden character of an index key as an escape in the address
 * (`["user-\u202enimda"]`): shown literally, so nothing is hidden, but a reviewer is still told.
 * The joiner of emoji sequences (U+200D) is left out: it joins, it does not hide or reorder.
 */
const ESCAPED_IN_ADDRESS =
  /(?<!\\)(?:\\\\)*\\u(?:00[01][0-9a-f]|007f|00[89][0-9a-f]|061c|200[bcef]|202[a-e]|206[0-9]|feff)/i;

function addressHasEscapedHidden(address: string): boolean {
  return address.includes('\\u') && ESCAPED_IN_ADDRESS.test(address);
}

/**
 * HIDDEN_CHARACTERS_WARNING when a report escaped a hidden character since `escapesBefore`
 * (hiddenEscapeCount() when it began) or one of `addresses` carries one as Terraform's escape;
 * otherwise nothing.
 */
export function hiddenCharactersWarning(
  escapesBefore: number,
  addresses: Iterable<string>,
): string {
  if (hiddenEscapeCount() !== escapesBefore) return HIDDEN_CHARACTERS_WARNING;
  for (const address of addresses)
    if (addressHasEscapedHidden(address)) return HIDDEN_CHARACTERS_WARNING;
  return '';
}
