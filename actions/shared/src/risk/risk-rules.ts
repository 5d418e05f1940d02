/**
 * Risk rules: the one format of the built-in catalogue (risk-catalogue.yml, data) and of a
 * user's own `risk-rules` file (YAML or JSON), read and checked here.
 *
 *   version: 1                       optional; 1 is the only version
 *   classes:                         optional: classes of your own beside the built-in ones
 *     - id: cost                     lower case, digits and '-'
 *       title: Cost                  optional (default: the id in words)
 *       description: ...             optional
 *   rules:
 *     - class: data-loss             a built-in class or one of `classes`
 *       types: [aws_s3_bucket]       Terraform resource types
 *       actions: [destroy, replace]  optional: create, update, replace, destroy (default: all)
 *     - class: access
 *       types: [aws_s3_bucket_public_access_block]
 *       attribute: block_public_acls       a path; nested blocks are looked through
 *       change: turned-off                 turned-on | turned-off | decreased | changed |
 *                                          changed-from | changed-to (these two need `value`)
 *       zero-means-unlimited: false        decreased only: 0 means "kept forever"
 *       description: ...                   optional, for people; not shown
 *
 * Every mistake is one RiskRulesError that says where (`rules[2].change`) and what is accepted;
 * the settings of each action turn it into an InputError naming the `risk-rules` input.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export const RISK_ACTIONS = ['create', 'update', 'replace', 'destroy'] as const;
export type RiskAction = (typeof RISK_ACTIONS)[number];

export const ATTRIBUTE_CHANGES = [
  'turned-on',
  'turned-off',
  'decreased',
  'changed',
  'changed-from',
  'changed-to',
] as const;
export type AttributeChangeKind = (typeof ATTRIBUTE_CHANGES)[number];

export type RuleValue = string | number | boolean;

export interface RiskClass {
  id: string;
  title: string;
  description: string;
}

export interface AttributeCondition {
  /** The dotted path as written (`rule.expiration.days`). */
  text: string;
  path: readonly string[];
  change: AttributeChangeKind;
  value?: RuleValue;
  zeroMeansUnlimited: boolean;
}

export interface RiskRule {
  class: string;
  types: readonly string[];
  actions: readonly RiskAction[];
  attribute?: AttributeCondition;
  /** Where the rule was written, e.g. "built-in catalogue, rules[3]". */
  origin: string;
}

export interface RiskCatalogue {
  /** Every class, built-in first, in display order. */
  classes: readonly RiskClass[];
  rules: readonly RiskRule[];
  /** Where the rules came from, for the report ("built-in catalogue", "risk-rules.yml"). */
  sources: readonly string[];
}

/** The accepted form, said in every error about a rules file. */
export const RISK_RULES_FORM =
  'a YAML or JSON file with `rules:`, each rule with `class` (data-loss, traffic, access, or one of your `classes:`), ' +
  '`types` (a list of resource types) and either `actions` (create, update, replace, destroy) or ' +
  '`attribute` and `change` (turned-on, turned-off, decreased, changed, changed-from or changed-to with a `value`); ' +
  'see the "Risk rules" section of actions/plan/README.md';

export class RiskRulesError extends Error {
  constructor(
    readonly source: string,
    readonly where: string,
    detail: string,
  ) {
    super(`${source}${where ? `: ${where}` : ''}: ${detail}`);
    this.name = 'RiskRulesError';
  }
}

/** Most rules one file may hold, and most bytes: a rules file is a short list, not a database. */
export const MAX_RULES = 2_000;
export const MAX_RULES_FILE_BYTES = 512 * 1024;

const CLASS_ID = /^[a-z][a-z0-9-]{0,39}$/;
const RESOURCE_TYPE = /^[a-z][a-z0-9_]{0,99}$/;
const PATH_SEGMENT = /^[A-Za-z0-9_-]{1,100}$/;
const RULE_KEYS = new Set([
  'class',
  'types',
  'actions',
  'attribute',
  'change',
  'value',
  'zero-means-unlimited',
  'description',
]);

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads what a file holds; the caller says where it came from for the messages. */
class RuleReader {
  constructor(readonly source: string) {}

  fail(where: string, detail: string): never {
    throw new RiskRulesError(this.source, where, detail);
  }

  record(value: unknown, where: string): Json {
    if (!isRecord(value)) this.fail(where, `must be a mapping (key: value), got ${kindOf(value)}`);
    return value;
  }

  string(value: unknown, where: string, max = 200): string {
    if (typeof value !== 'string' || value.trim() === '')
      this.fail(where, `must be a non-empty text, got ${kindOf(value)}`);
    if (value.length > max) this.fail(where, `is longer than ${max} characters`);
    return value.trim();
  }

  list(value: unknown, where: string): unknown[] {
    if (!Array.isArray(value)) this.fail(where, `must be a list, got ${kindOf(value)}`);
    return value;
  }

  onlyKeys(record: Json, allowed: ReadonlySet<string>, where: string): void {
    for (const key of Object.keys(record)) {
      if (!allowed.has(key))
        this.fail(`${where}.${key}`, `is not a known key (known: ${[...allowed].join(', ')})`);
    }
  }
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value).slice(0, 60)}`;
}

function titleOf(id: string): string {
  const words = id.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function readClasses(reader: RuleReader, value: unknown, known: readonly RiskClass[]): RiskClass[] {
  if (value === undefined) return [];
  const classes: RiskClass[] = [];
  reader.list(value, 'classes').forEach((item, index) => {
    const where = `classes[${index}]`;
    const entry = reader.record(item, where);
    reader.onlyKeys(entry, new Set(['id', 'title', 'description']), where);
    const id = reader.string(entry['id'], `${where}.id`, 40);
    if (!CLASS_ID.test(id))
      reader.fail(`${where}.id`, `'${id}' must be lower case letters, digits and '-'`);
    if (known.some((existing) => existing.id === id) || classes.some((c) => c.id === id))
      reader.fail(
        `${where}.id`,
        `the class '${id}' is defined already; use it without defining it`,
      );
    classes.push({
      id,
      title:
        entry['title'] === undefined
          ? titleOf(id)
          : reader.string(entry['title'], `${where}.title`, 60),
      description:
        entry['description'] === undefined
          ? ''
          : reader.string(entry['description'], `${where}.description`, 500),
    });
  });
  return classes;
}

function readTypes(reader: RuleReader, value: unknown, where: string): string[] {
  const types = reader.list(value, `${where}.types`);
  if (types.length === 0) reader.fail(`${where}.types`, 'must name at least one resource type');
  return types.map((type, index) => {
    if (typeof type !== 'string' || !RESOURCE_TYPE.test(type))
      reader.fail(
        `${where}.types[${index}]`,
        `${kindOf(type)} is not a resource type (lower case letters, digits and '_', e.g. aws_s3_bucket)`,
      );
    return type;
  });
}

function readActions(reader: RuleReader, value: unknown, where: string): RiskAction[] {
  if (value === undefined) return [...RISK_ACTIONS];
  const actions = reader.list(value, `${where}.actions`);
  if (actions.length === 0) reader.fail(`${where}.actions`, 'must name at least one action');
  const chosen = new Set<RiskAction>();
  actions.forEach((action, index) => {
    if (!(RISK_ACTIONS as readonly unknown[]).includes(action))
      reader.fail(
        `${where}.actions[${index}]`,
        `${kindOf(action)} is not one of ${RISK_ACTIONS.join(', ')}`,
      );
    chosen.add(action as RiskAction);
  });
  return RISK_ACTIONS.filter((action) => chosen.has(action));
}

function readValue(reader: RuleReader, value: unknown, where: string): RuleValue {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return reader.fail(where, `must be a text, a number or true/false, got ${kindOf(value)}`);
}

function readAttribute(
  reader: RuleReader,
  rule: Json,
  actions: readonly RiskAction[],
  where: string,
): AttributeCondition | undefined {
  const { attribute, change, value } = rule;
  const zero = rule['zero-means-unlimited'];
  if (attribute === undefined) {
    for (const key of ['change', 'value', 'zero-means-unlimited'])
      if (rule[key] !== undefined) reader.fail(`${where}.${key}`, 'is only read with `attribute`');
    return undefined;
  }
  const text = reader.string(attribute, `${where}.attribute`, 500);
  const path = text.split('.');
  if (path.length > 20 || !path.every((segment) => PATH_SEGMENT.test(segment)))
    reader.fail(
      `${where}.attribute`,
      `'${text}' is not an attribute path (names joined by '.', e.g. versioning_configuration.status)`,
    );
  if (!(ATTRIBUTE_CHANGES as readonly unknown[]).includes(change))
    reader.fail(
      `${where}.change`,
      `${kindOf(change)} is not one of ${ATTRIBUTE_CHANGES.join(', ')}`,
    );
  const kind = change as AttributeChangeKind;
  const condition: AttributeCondition = { text, path, change: kind, zeroMeansUnlimited: false };
  if (kind === 'changed-from' || kind === 'changed-to')
    condition.value = readValue(reader, value, `${where}.value`);
  else if (value !== undefined)
    reader.fail(`${where}.value`, `is only read with changed-from and changed-to`);
  if (zero !== undefined) {
    if (kind !== 'decreased')
      reader.fail(`${where}.zero-means-unlimited`, 'is only read with `change: decreased`');
    if (typeof zero !== 'boolean')
      reader.fail(`${where}.zero-means-unlimited`, 'must be true or false');
    condition.zeroMeansUnlimited = zero;
  }
  if (actions.includes('destroy') && actions.length === 1)
    reader.fail(
      `${where}.actions`,
      'an attribute rule never matches a destroy (nothing is left to look at); use a rule without `attribute` for destroys',
    );
  return condition;
}

function readRule(
  reader: RuleReader,
  item: unknown,
  index: number,
  classes: readonly RiskClass[],
): RiskRule {
  const where = `rules[${index}]`;
  const rule = reader.record(item, where);
  reader.onlyKeys(rule, RULE_KEYS, where);
  const id = reader.string(rule['class'], `${where}.class`, 40);
  if (!classes.some((known) => known.id === id))
    reader.fail(
      `${where}.class`,
      `'${id}' is not a known class (known: ${classes.map((known) => known.id).join(', ')}; define your own under \`classes:\`)`,
    );
  if (rule['description'] !== undefined)
    reader.string(rule['description'], `${where}.description`, 1_000);
  const types = readTypes(reader, rule['types'], where);
  const actions = readActions(reader, rule['actions'], where);
  const parsed: RiskRule = {
    class: id,
    types,
    actions,
    origin: `${reader.source}, ${where}`,
  };
  const attribute = readAttribute(reader, rule, actions, where);
  if (attribute) parsed.attribute = attribute;
  return parsed;
}

/** Parses the text of a rules file: JSON, or YAML (which reads JSON as well). */
function parseDocument(reader: RuleReader, text: string, format: 'yaml' | 'json'): unknown {
  try {
    if (format === 'json') return JSON.parse(text) as unknown;
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 }) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return reader.fail('', `is not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${message}`);
  }
}

/**
 * The classes and rules of one file. `known`: the classes that exist already (the built-in
 * ones); a file may use them and add its own.
 */
export function parseRiskRules(
  text: string,
  format: 'yaml' | 'json',
  source: string,
  known: readonly RiskClass[] = [],
): { classes: RiskClass[]; rules: RiskRule[] } {
  const reader = new RuleReader(source);
  const document = reader.record(parseDocument(reader, text, format), '');
  reader.onlyKeys(document, new Set(['version', 'classes', 'rules']), '(top level)');
  if (document['version'] !== undefined && document['version'] !== 1)
    reader.fail('version', `${kindOf(document['version'])} is not a version this action reads (1)`);
  if (document['rules'] === undefined) reader.fail('', 'has no `rules:` list');
  const classes = readClasses(reader, document['classes'], known);
  const all = [...known, ...classes];
  const items = reader.list(document['rules'], 'rules');
  if (items.length > MAX_RULES) reader.fail('rules', `holds more than ${MAX_RULES} rules`);
  return { classes, rules: items.map((item, index) => readRule(reader, item, index, all)) };
}

export const BUILT_IN_SOURCE = 'built-in catalogue';
let builtIn: RiskCatalogue | undefined;

/** The catalogue that ships with the actions (risk-catalogue.yml beside this module). */
export function builtInCatalogue(): RiskCatalogue {
  if (!builtIn) {
    const text = readFileSync(new URL('./risk-catalogue.yml', import.meta.url), 'utf8');
    const { classes, rules } = parseRiskRules(text, 'yaml', BUILT_IN_SOURCE);
    builtIn = { classes, rules, sources: [BUILT_IN_SOURCE] };
  }
  return builtIn;
}

/** The catalogue with a user's rules file added: its classes after the built-in ones. */
export function withRulesFile(
  base: RiskCatalogue,
  text: string,
  format: 'yaml' | 'json',
  source: string,
): RiskCatalogue {
  const added = parseRiskRules(text, format, source, base.classes);
  return {
    classes: [...base.classes, ...added.classes],
    rules: [...base.rules, ...added.rules],
    sources: [...base.sources, source],
  };
}

/** The format a rules file is read in, from its name; undefined for any other name. */
export function rulesFormatOf(path: string): 'yaml' | 'json' | undefined {
  if (/\.json$/i.test(path)) return 'json';
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  return undefined;
}
