/** Small, safe Markdown builders for comments, issues and job summaries. */

/**
 * An inline code span that shows `text` literally. Backticks inside pick a longer fence; inside
 * a table cell a pipe must be escaped even within code (GFM splits cells first).
 */
export function code(text: string, inTable = false): string {
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
