// Reads what an action tells the runner: workflow commands on stdout/stderr (`::error file=a,line=1::msg`)
// and the key/value files behind GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STATE. Parsing follows
// actions/runner (ActionCommand.TryParseV2, the file commands' heredoc form).

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
  stream: 'stdout' | 'stderr';
  /** 1-based line in that stream. */
  line: number;
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
  /** Every property as sent, unescaped. */
  properties: Record<string, string>;
}

const COMMAND_PREFIX = '::';

/** Unescapes a command's message: %0D, %0A, then %25 (in that order, as the runner does). */
export function unescapeData(value: string): string {
  return value.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

/** Unescapes a property value: additionally %3A (:) and %2C (,). */
export function unescapeProperty(value: string): string {
  return value
    .replace(/%0D/gi, '\r')
    .replace(/%0A/gi, '\n')
    .replace(/%3A/gi, ':')
    .replace(/%2C/gi, ',')
    .replace(/%25/g, '%');
}

/** Parses one output line; undefined when it is not a workflow command. */
export function parseCommandLine(
  text: string,
): { command: string; properties: Record<string, string>; message: string } | undefined {
  const line = text.replace(/\r$/, '').trimStart();
  if (!line.startsWith(COMMAND_PREFIX)) return undefined;
  const end = line.indexOf(COMMAND_PREFIX, COMMAND_PREFIX.length);
  if (end < 0) return undefined;
  const head = line.slice(COMMAND_PREFIX.length, end);
  const message = unescapeData(line.slice(end + COMMAND_PREFIX.length));
  const space = head.indexOf(' ');
  const command = space < 0 ? head : head.slice(0, space);
  if (command === '') return undefined;
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of head.slice(space + 1).split(',')) {
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      properties[pair.slice(0, equals).trim()] = unescapeProperty(pair.slice(equals + 1));
    }
  }
  return { command, properties, message };
}

/**
 * All workflow commands in one stream, honouring `::stop-commands::TOKEN` ... `::TOKEN::`
 * (commands in between are ignored, as on the runner).
 */
export function parseCommands(output: string, stream: 'stdout' | 'stderr'): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  let stopToken: string | undefined;
  output.split('\n').forEach((text, index) => {
    const parsed = parseCommandLine(text);
    if (!parsed) return;
    if (stopToken !== undefined) {
      if (parsed.command === stopToken) stopToken = undefined;
      return;
    }
    if (parsed.command === 'stop-commands') {
      stopToken = parsed.message;
      return;
    }
    commands.push({ ...parsed, stream, line: index + 1 });
  });
  return commands;
}

function optionalNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isInteger(number) ? number : undefined;
}

export function annotationsFrom(commands: WorkflowCommand[]): Annotation[] {
  return commands
    .filter((c): c is WorkflowCommand & { command: AnnotationLevel } =>
      ['error', 'warning', 'notice'].includes(c.command),
    )
    .map((c) => {
      const p = c.properties;
      const annotation: Annotation = { level: c.command, message: c.message, properties: p };
      if (p.title !== undefined) annotation.title = p.title;
      if (p.file !== undefined) annotation.file = p.file;
      const line = optionalNumber(p.line);
      if (line !== undefined) annotation.line = line;
      const endLine = optionalNumber(p.endLine);
      if (endLine !== undefined) annotation.endLine = endLine;
      const col = optionalNumber(p.col);
      if (col !== undefined) annotation.col = col;
      const endColumn = optionalNumber(p.endColumn);
      if (endColumn !== undefined) annotation.endColumn = endColumn;
      return annotation;
    });
}

/**
 * Parses a GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE file: `name=value` lines and the
 * multi-line `name<<DELIMITER` ... `DELIMITER` form. Throws on an unterminated heredoc or a
 * line of neither form, as the runner fails the step then.
 */
export function parseKeyValueFile(content: string, fileName = 'file'): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = content.split('\n').map((line) => line.replace(/\r$/, ''));
  // A trailing newline leaves one empty element; the runner ignores empty lines.
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line === '') continue;
    const heredoc = line.indexOf('<<');
    const equals = line.indexOf('=');
    if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (delimiter === '') throw new Error(`${fileName}: empty delimiter for "${name}"`);
      const value: string[] = [];
      let closed = false;
      for (index++; index < lines.length; index++) {
        if (lines[index] === delimiter) {
          closed = true;
          break;
        }
        value.push(lines[index] as string);
      }
      if (!closed) {
        throw new Error(`${fileName}: matching delimiter not found for "${name}" ("${delimiter}")`);
      }
      result[name] = value.join('\n');
    } else if (equals > 0) {
      result[line.slice(0, equals)] = line.slice(equals + 1);
    } else {
      throw new Error(
        `${fileName}: invalid line "${line}" (expected name=value or name<<DELIMITER)`,
      );
    }
  }
  return result;
}
