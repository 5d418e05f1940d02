/**
 * Reads only the parts of a plan JSON text that the model uses. `show -json` prints the plan
 * several times over (planned_values, prior_state, configuration); parsing those parts just to
 * drop them would cost more time and memory than the rest. One scan finds where each member of
 * an object begins and ends (skipping strings and nested values by character), and JSON.parse
 * then reads only the members needed. Anything unexpected returns undefined and the caller
 * parses the whole text instead, so the scan can only save work, never change a result.
 */

type Span = [start: number, end: number];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** Index just past the string that opens at `i` (text[i] is a quote), or -1. */
function skipString(text: string, i: number): number {
  let at = i + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let k = quote - 1; k > i && text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

/** Index just past the value that starts at `i`, or -1. */
function skipValue(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return skipString(text, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter.
    let at = i;
    for (;;) {
      const c = text.charCodeAt(at);
      if (Number.isNaN(c) || c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c <= 0x20)
        break;
      at++;
    }
    return at > i ? at : -1;
  }
  let depth = 0;
  let at = i;
  const length = text.length;
  while (at < length) {
    const c = text.charCodeAt(at);
    if (c === QUOTE) {
      at = skipString(text, at);
      if (at < 0) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return at + 1;
    }
    at++;
  }
  return -1;
}

/**
 * Where each member of the object at `start` lies, or undefined if it is not one. With `only`,
 * the scan stops at that member: show -json prints `outputs` before the large `root_module`.
 */
export function objectMembers(
  text: string,
  start: number,
  only?: string,
  onlyStart = false,
): Map<string, Span> | undefined {
  let i = skipWhitespace(text, start);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  const members = new Map<string, Span>();
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return members;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return undefined;
    const rawKey = text.slice(i + 1, keyEnd - 1);
    let key = rawKey;
    if (rawKey.includes('\\')) {
      try {
        key = JSON.parse(text.slice(i, keyEnd)) as string;
      } catch {
        return undefined;
      }
    }
    i = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    const valueStart = skipWhitespace(text, i + 1);
    if (onlyStart && key === only) {
      // The caller descends into this value: where it ends does not matter (and costs a scan).
      members.set(key, [valueStart, -1]);
      return members;
    }
    const valueEnd = skipValue(text, valueStart);
    if (valueEnd < 0) return undefined;
    members.set(key, [valueStart, valueEnd]);
    if (key === only) return members;
    i = skipWhitespace(text, valueEnd);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) return members;
    if (c !== COMMA) return undefined;
    i = skipWhitespace(text, i + 1);
  }
}

function parseSpan(text: string, span: Span | undefined): unknown {
  return span ? JSON.parse(text.slice(span[0], span[1])) : undefined;
}

/** The members of `path` inside the object at `span` (e.g. ['values', 'outputs']). */
function nested(text: string, span: Span | undefined, path: string[]): Span | undefined {
  let current = span;
  path.forEach((key, index) => {
    if (current) current = objectMembers(text, current[0], key, index < path.length - 1)?.get(key);
  });
  return current;
}

/** Members the model reads directly. */
const DIRECT = [
  'format_version',
  'terraform_version',
  'variables',
  'resource_changes',
  'resource_drift',
  'output_changes',
  'errored',
];

/**
 * The plan document with only what readPlan uses, or undefined when the text is not shaped as
 * expected (the caller then parses all of it). Throws SyntaxError when a part it reads is not
 * valid JSON.
 */
export function readPlanSections(text: string): Record<string, unknown> | undefined {
  const members = objectMembers(text, 0);
  if (!members) return undefined;
  // Nothing but whitespace may follow the document.
  const last = Math.max(...[...members.values()].map((span) => span[1]), 0);
  const close = text.indexOf('}', last);
  if (close < 0 || text.slice(close + 1).trim() !== '') return undefined;
  const document: Record<string, unknown> = {};
  for (const key of DIRECT) {
    if (members.has(key)) document[key] = parseSpan(text, members.get(key));
  }
  const plannedOutputs = nested(text, members.get('planned_values'), ['outputs']);
  if (plannedOutputs) document['planned_values'] = { outputs: parseSpan(text, plannedOutputs) };
  const priorOutputs = nested(text, members.get('prior_state'), ['values', 'outputs']);
  if (priorOutputs)
    document['prior_state'] = { values: { outputs: parseSpan(text, priorOutputs) } };
  const rootModule = nested(text, members.get('configuration'), ['root_module']);
  if (rootModule) {
    const root = objectMembers(text, rootModule[0]);
    if (!root) return undefined;
    const module: Record<string, unknown> = {};
    if (root.has('variables')) module['variables'] = parseSpan(text, root.get('variables'));
    if (root.has('outputs')) module['outputs'] = parseSpan(text, root.get('outputs'));
    document['configuration'] = { root_module: module };
  }
  return document;
}
