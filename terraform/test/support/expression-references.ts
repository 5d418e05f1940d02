// Finds the references (traversals such as `var.name`, `aws_s3_bucket.data.arn`,
// `module.cell.base_url[0]`) in one HCL value as @cdktf/hcl2json returns it: a template string
// whose `${ ... }` parts are expressions.
//
// Why not hcl2json's own getReferencesInExpression: it skips the bodies of `for` expressions
// (`[for p in x : "${aws_s3_bucket.data.arn}/${p}"]` yields only `x`), which would hide
// unresolved references exactly where modules build policies and output maps.

/** One segment of a traversal: an attribute name, or an index (`[...]`, value not kept). */
export type Segment = { kind: 'name'; name: string } | { kind: 'index' };

export interface Reference {
  /** The traversal as written, indexes shown as `[*]`: `aws_lambda_function.functions[*].arn`. */
  text: string;
  segments: Segment[];
}

// Template directives (`%{ if }`, `%{ else }`, `%{ endif }`, ...) share the scanner: their
// keywords are not references either.
const keywords = new Set(['for', 'in', 'if', 'else', 'endif', 'endfor', 'true', 'false', 'null']);

/** References in a template string: the expressions inside its `${ }` parts. */
export function templateReferences(template: string): Reference[] {
  const scanner = new Scanner(template);
  scanner.template(undefined);
  return scanner.references.filter((reference) => !scanner.forVariables.has(firstName(reference)));
}

function firstName(reference: Reference): string {
  const first = reference.segments[0];
  return first?.kind === 'name' ? first.name : '';
}

class Scanner {
  readonly references: Reference[] = [];
  /** Names bound by `for k, v in ...` anywhere in the value: local to those expressions. */
  readonly forVariables = new Set<string>();
  private position = 0;

  constructor(private readonly text: string) {}

  /** Literal text up to `closing` (a quote for a nested string, undefined for the whole value). */
  template(closing: string | undefined): void {
    const { text } = this;
    while (this.position < text.length) {
      const char = text[this.position];
      if (closing !== undefined && char === '\\') {
        this.position += 2;
      } else if (text.startsWith('$${', this.position) || text.startsWith('%%{', this.position)) {
        this.position += 3;
      } else if (text.startsWith('${', this.position) || text.startsWith('%{', this.position)) {
        this.position += 2;
        this.expression('}');
      } else if (char === closing) {
        this.position += 1;
        return;
      } else {
        this.position += 1;
      }
    }
  }

  /** An expression up to the bracket that closes it. */
  private expression(closing: string): void {
    const { text } = this;
    while (this.position < text.length) {
      const char = text[this.position] ?? '';
      if (char === closing) {
        this.position += 1;
        return;
      }
      if (char === '"') {
        this.position += 1;
        this.template('"');
      } else if (char === '(') {
        this.position += 1;
        this.expression(')');
      } else if (char === '[') {
        this.position += 1;
        this.expression(']');
      } else if (char === '{') {
        this.position += 1;
        this.expression('}');
      } else if (/[A-Za-z_]/.test(char)) {
        this.identifier();
      } else if (/[0-9]/.test(char)) {
        while (/[0-9.eE]/.test(text[this.position] ?? '')) this.position += 1;
      } else {
        this.position += 1;
      }
    }
  }

  private readName(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.position));
    const name = match ? match[0] : '';
    this.position += name.length;
    return name;
  }

  private identifier(): void {
    const name = this.readName();
    const rest = this.text.slice(this.position);
    if (name === 'for') {
      const binding = /^\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\b/.exec(rest);
      if (binding) {
        this.forVariables.add(binding[1] ?? '');
        if (binding[2]) this.forVariables.add(binding[2]);
      }
      return;
    }
    if (keywords.has(name)) return;
    if (/^\s*\(/.test(rest)) return; // a function call; its arguments are scanned next
    if (/^\s*=(?![=>])/.test(rest)) return; // an object key
    const segments: Segment[] = [{ kind: 'name', name }];
    const parts = [name];
    for (;;) {
      const char = this.text[this.position];
      if (char === '.' && /[A-Za-z_*]/.test(this.text[this.position + 1] ?? '')) {
        this.position += 1;
        if (this.text[this.position] === '*') {
          this.position += 1;
          segments.push({ kind: 'index' });
          parts.push('[*]');
          continue;
        }
        const attribute = this.readName();
        segments.push({ kind: 'name', name: attribute });
        parts.push(`.${attribute}`);
      } else if (char === '.' && /[0-9]/.test(this.text[this.position + 1] ?? '')) {
        this.position += 1;
        while (/[0-9]/.test(this.text[this.position] ?? '')) this.position += 1;
        segments.push({ kind: 'index' });
        parts.push('[*]');
      } else if (char === '[') {
        this.position += 1;
        this.expression(']');
        segments.push({ kind: 'index' });
        parts.push('[*]');
      } else {
        break;
      }
    }
    this.references.push({ text: parts.join(''), segments });
  }
}
