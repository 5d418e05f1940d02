// The README check: an action's README documents every input and output of its action.yml.
// Each input is a row of a table under an "Inputs" heading and each output a row of a table
// under an "Outputs" heading (up to the next heading of any level), named as `name` in the row's first cell; an input's second cell
// says "required" or gives its single-line default as action.yml has it (`value`). A row for a
// name action.yml does not have is a gap too: it documents something that is gone. Used by
// action-readmes.test.ts.
import { parse } from 'yaml';

export interface ActionInput {
  readonly required: boolean;
  /** As the runner sees it (YAML `false` is the string "false"); undefined when none. */
  readonly default: string | undefined;
}

export interface ActionInterface {
  readonly inputs: ReadonlyMap<string, ActionInput>;
  readonly outputs: readonly string[];
}

export function readActionInterface(actionYml: string): ActionInterface {
  const action = parse(actionYml) as {
    inputs?: Record<string, { required?: boolean; default?: unknown } | null>;
    outputs?: Record<string, unknown>;
  };
  const inputs = new Map<string, ActionInput>();
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    const fallback = input?.default;
    inputs.set(name, {
      required: input?.required === true,
      default: fallback === undefined || fallback === null ? undefined : String(fallback),
    });
  }
  return { inputs, outputs: Object.keys(action.outputs ?? {}) };
}

/**
 * The rows of the tables under the heading `title` (up to the next heading of any level), by
 * the `name` in their first cell: the cells of each row. Undefined when the README has no such
 * heading. Lines inside fenced code blocks are neither headings nor rows.
 */
export function documentedRows(
  readme: string,
  title: string,
): Map<string, readonly string[]> | undefined {
  let rows: Map<string, readonly string[]> | undefined;
  let inSection = false;
  let fence: string | undefined;
  for (const line of readme.split(/\r?\n/)) {
    const fenceMark = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fenceMark && (fence === undefined || fenceMark.startsWith(fence))) {
      fence = fence === undefined ? fenceMark : undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      inSection = (heading[1] as string).toLowerCase() === title.toLowerCase();
      if (inSection) rows ??= new Map();
      continue;
    }
    if (!inSection || !rows) continue;
    const cells = tableCells(line);
    const name = cells && /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    if (cells && name) rows.set(name, cells);
  }
  return rows;
}

/** The cells of a Markdown table row (`\|` does not split), or undefined for any other line. */
function tableCells(line: string): string[] | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|')) return undefined;
  return trimmed
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** What the README lacks or gets wrong about its action.yml; empty when it documents it all. */
export function readmeGaps(actionYml: string, readme: string): string[] {
  const { inputs, outputs } = readActionInterface(actionYml);
  const gaps: string[] = [];
  const inputRows = documentedRows(readme, 'Inputs');
  const outputRows = documentedRows(readme, 'Outputs');
  if (inputs.size > 0 && !inputRows) gaps.push('no "Inputs" heading');
  if (outputs.length > 0 && !outputRows) gaps.push('no "Outputs" heading');
  for (const [name, input] of inputs) {
    const row = inputRows?.get(name);
    if (!row) {
      if (inputRows) gaps.push(`input \`${name}\` is not in the Inputs table`);
      continue;
    }
    const stated = row[1] ?? '';
    if (input.required && !/required/i.test(stated)) {
      gaps.push(`input \`${name}\` is required, but the README says "${stated}"`);
    }
    const fallback = input.default;
    if (fallback && !fallback.includes('\n') && !stated.includes(`\`${fallback}\``)) {
      gaps.push(`input \`${name}\` defaults to \`${fallback}\`, but the README says "${stated}"`);
    }
  }
  for (const name of outputs) {
    if (outputRows && !outputRows.has(name))
      gaps.push(`output \`${name}\` is not in the Outputs table`);
  }
  for (const name of inputRows?.keys() ?? []) {
    if (!inputs.has(name))
      gaps.push(`the Inputs table lists \`${name}\`, which action.yml does not have`);
  }
  for (const name of outputRows?.keys() ?? []) {
    if (!outputs.includes(name)) {
      gaps.push(`the Outputs table lists \`${name}\`, which action.yml does not have`);
    }
  }
  return gaps;
}
