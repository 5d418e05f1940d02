/** Small, safe Markdown builders for comments, issues and job summaries. */

/**
 * Longest text a code span shows. Terraform puts no limit on addresses (a for_each key can be
 * any string) or import IDs: one huge address must not crowd every other row out of a report.
 */
export const MAX_CODE_SPAN = 1_000;

/** Keeps the start and the end (where an address's index key is), cutting the middle. */
function shortened(text: string): string {
  if (text.length <= MAX_CODE_SPAN) return text;
  const head = Math.ceil((MAX_CODE_SPAN - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (MAX_CODE_SPAN - 1 - head))}`;
}

/**
 * An inline code span that shows `text` literally. Backticks inside pick a longer fence; inside
 * a table cell a pipe must be escaped even within code (GFM splits cells first).
 */
export function code(whole: string, inTable = false): string {
  const text = shortened(whole);
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

/** A fenced block that no line of `text` can close early. */
export function fencedBlock(text: string, language = ''): string {
  const runs = text.match(/^ {0,3}(`{3,}|~{3,})/gm) ?? [];
  const longest = Math.max(2, ...runs.map((run) => run.trim().length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\s+$/, '')}\n${fence}`;
}

/** Plain text for running Markdown: the characters that could start markup are escaped. */
export function escapeText(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|~]/g, (character) => `\\${character}`);
}

const numberFormat = new Intl.NumberFormat('en-US');

export function formatCount(count: number): string {
  return numberFormat.format(count);
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}

/** Cuts text to at most `max` characters (the ellipsis included). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}
