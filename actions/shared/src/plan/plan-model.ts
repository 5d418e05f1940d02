/**
 * The plan JSON that `terraform show -json <planfile>` prints (and `tofu show -json`), read into
 * a small model. Every published format version is accepted: 0.1 (Terraform 0.12-0.14), 0.2
 * (0.15, sensitive markers), 1.x (1.0 onward). Unknown fields are ignored; a major version
 * above 1 is refused because its meaning may have changed under us.
 *
 * The model keeps references into the parsed JSON rather than copies: plans with tens of
 * thousands of resources must be read in about the time JSON.parse takes.
 */
import { readPlanSections } from './plan-sections.js';

export type ChangeKind =
  'create' | 'update' | 'replace' | 'destroy' | 'read' | 'no-op' | 'forget' | 'other';

export interface ResourceChange {
  address: string;
  /** Module part of the address, '' for the root module. */
  moduleAddress: string;
  previousAddress?: string;
  deposed?: string;
  mode: string;
  type: string;
  actions: string[];
  kind: ChangeKind;
  /** For replacements, whether the new object is created before the old one is destroyed. */
  createBeforeDestroy: boolean;
  actionReason?: string;
  before: unknown;
  after: unknown;
  afterUnknown: unknown;
  beforeSensitive: unknown;
  afterSensitive: unknown;
  replacePaths: unknown[][];
  importingId?: string;
  /** Terraform 1.12+ imports by resource identity (an object) instead of an ID. */
  importingIdentity?: unknown;
  importing: boolean;
}

export interface OutputChange {
  name: string;
  actions: string[];
  kind: ChangeKind;
  before: unknown;
  after: unknown;
  afterUnknown: unknown;
  beforeSensitive: unknown;
  afterSensitive: unknown;
}

export interface PlanModel {
  formatVersion: string;
  terraformVersion?: string;
  resourceChanges: ResourceChange[];
  resourceDrift: ResourceChange[];
  outputChanges: OutputChange[];
  /** Root variables: name -> value as show -json prints it (sensitive ones in clear). */
  variables: Map<string, unknown>;
  sensitiveVariables: Set<string>;
  errored: boolean;
  /** Every value Terraform marks sensitive, as text, for redaction and core.setSecret. */
  sensitiveStrings: Set<string>;
}

export class PlanFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanFormatError';
  }
}

export const SUPPORTED_MAJOR_VERSIONS = [0, 1];

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function kindOf(actions: readonly string[]): ChangeKind {
  const key = actions.join(',');
  switch (key) {
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
      return 'destroy';
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    case 'read':
      return 'read';
    case 'no-op':
    case '':
      return 'no-op';
    case 'forget':
      return 'forget';
    default:
      return 'other';
  }
}

/** Checks format_version before anything else is read. */
export function checkFormatVersion(document: unknown): string {
  if (!isObject(document)) {
    throw new PlanFormatError(
      'The plan JSON is not an object; expected `terraform show -json <planfile>` output.',
    );
  }
  const version = document['format_version'];
  if (typeof version !== 'string' || !/^\d+\.\d+/.test(version)) {
    throw new PlanFormatError(
      'The plan JSON has no format_version; expected the output of `terraform show -json <planfile>`.',
    );
  }
  const major = Number(version.split('.')[0]);
  if (!SUPPORTED_MAJOR_VERSIONS.includes(major)) {
    throw new PlanFormatError(
      `The plan JSON has format_version ${version}; this action reads format versions 0.x and 1.x only. ` +
        'Use a release of the action that supports the newer format.',
    );
  }
  return version;
}

function moduleOf(entry: JsonObject, address: string): string {
  const explicit = asString(entry['module_address']);
  if (explicit !== undefined) return explicit;
  // Format 0.1 files sometimes leave module_address out: derive it from the address.
  const match = /^((?:module\.[^.[]+(?:\[[^\]]*\])?\.)*)/.exec(address);
  return match?.[1] ? match[1].slice(0, -1) : '';
}

/**
 * The entry's address; built from its parts when it has none, as in Terraform 1.0.0's
 * resource_drift (hashicorp/terraform#28975, fixed in 1.0.1): `module.m.data.t.n["key"]`.
 */
function addressOf(entry: JsonObject): string | undefined {
  const address = asString(entry['address']);
  if (address !== undefined) return address;
  const type = asString(entry['type']);
  const name = asString(entry['name']);
  if (!type || !name) return undefined;
  const module = asString(entry['module_address']);
  const index = entry['index'];
  const key =
    typeof index === 'number' || typeof index === 'string' ? `[${JSON.stringify(index)}]` : '';
  return `${module ? `${module}.` : ''}${entry['mode'] === 'data' ? 'data.' : ''}${type}.${name}${key}`;
}

function readResourceChange(entry: unknown): ResourceChange | undefined {
  if (!isObject(entry)) return undefined;
  const address = addressOf(entry);
  const change = entry['change'];
  if (address === undefined || !isObject(change)) return undefined;
  const actions = asArray(change['actions']).filter((a): a is string => typeof a === 'string');
  const importing = change['importing'];
  const previousAddress = asString(entry['previous_address']);
  const deposed = asString(entry['deposed']);
  const actionReason = asString(entry['action_reason']);
  const resource: ResourceChange = {
    address,
    moduleAddress: moduleOf(entry, address),
    mode: asString(entry['mode']) ?? 'managed',
    type: asString(entry['type']) ?? '',
    actions,
    kind: kindOf(actions),
    createBeforeDestroy: actions[0] === 'create' && actions[1] === 'delete',
    before: change['before'] ?? null,
    after: change['after'] ?? null,
    afterUnknown: change['after_unknown'] ?? false,
    beforeSensitive: change['before_sensitive'] ?? false,
    afterSensitive: change['after_sensitive'] ?? false,
    replacePaths: asArray(change['replace_paths']).filter(Array.isArray) as unknown[][],
    importing: isObject(importing),
  };
  if (previousAddress !== undefined && previousAddress !== address) {
    resource.previousAddress = previousAddress;
  }
  if (deposed !== undefined) resource.deposed = deposed;
  if (actionReason !== undefined) resource.actionReason = actionReason;
  if (isObject(importing)) {
    const id = asString(importing['id']);
    if (id !== undefined) resource.importingId = id;
    if (importing['identity'] !== undefined && importing['identity'] !== null)
      resource.importingIdentity = importing['identity'];
  }
  return resource;
}

function readResourceChanges(list: unknown): ResourceChange[] {
  const out: ResourceChange[] = [];
  for (const entry of asArray(list)) {
    const change = readResourceChange(entry);
    if (change) out.push(change);
  }
  return out;
}

/**
 * Whether a resource_drift entry records a change. Terraform 1.0.0 listed every resource in the
 * state there, changed or not (hashicorp/terraform#28975, fixed in 1.0.1: "only includes those
 * resources where the old value does not equal the new value").
 */
function changedOutside(change: ResourceChange): boolean {
  if (change.kind !== 'update' && change.kind !== 'no-op') return true;
  return (
    JSON.stringify(change.before) !== JSON.stringify(change.after) ||
    JSON.stringify(change.beforeSensitive) !== JSON.stringify(change.afterSensitive)
  );
}

/** Outputs that any part of the document declares sensitive (format 0.1 marks them only here). */
function sensitiveOutputNames(document: JsonObject): Set<string> {
  const names = new Set<string>();
  const collect = (outputs: unknown) => {
    if (!isObject(outputs)) return;
    for (const [name, output] of Object.entries(outputs)) {
      if (isObject(output) && output['sensitive'] === true) names.add(name);
    }
  };
  const planned = document['planned_values'];
  if (isObject(planned)) collect(planned['outputs']);
  const prior = document['prior_state'];
  if (isObject(prior) && isObject(prior['values'])) collect(prior['values']['outputs']);
  const configuration = document['configuration'];
  if (isObject(configuration) && isObject(configuration['root_module'])) {
    collect(configuration['root_module']['outputs']);
  }
  return names;
}

function readOutputChanges(document: JsonObject): OutputChange[] {
  const changes = document['output_changes'];
  if (!isObject(changes)) return [];
  const alwaysSensitive = sensitiveOutputNames(document);
  const out: OutputChange[] = [];
  for (const [name, change] of Object.entries(changes)) {
    if (!isObject(change)) continue;
    const actions = asArray(change['actions']).filter((a): a is string => typeof a === 'string');
    const forced = alwaysSensitive.has(name);
    out.push({
      name,
      actions,
      kind: kindOf(actions),
      before: change['before'] ?? null,
      after: change['after'] ?? null,
      afterUnknown: change['after_unknown'] ?? false,
      beforeSensitive: forced ? true : (change['before_sensitive'] ?? false),
      afterSensitive: forced ? true : (change['after_sensitive'] ?? false),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Adds every leaf of `value` under a sensitive mark to `out`. */
export function collectSensitive(value: unknown, mask: unknown, out: Set<string>): void {
  if (mask === true) {
    collectLeaves(value, out);
    return;
  }
  if (value === null || typeof value !== 'object' || typeof mask !== 'object' || mask === null) {
    return;
  }
  if (Array.isArray(value)) {
    if (!Array.isArray(mask)) return;
    for (let i = 0; i < value.length && i < mask.length; i++)
      collectSensitive(value[i], mask[i], out);
    return;
  }
  const maskObject = mask as JsonObject;
  for (const key of Object.keys(maskObject)) {
    collectSensitive((value as JsonObject)[key], maskObject[key], out);
  }
}

export function collectLeaves(value: unknown, out: Set<string>): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string') {
    if (value !== '') out.add(value);
    return;
  }
  // A boolean carries one bit: treating `true` as a secret would hide every `true` in a report.
  if (typeof value === 'boolean') return;
  if (typeof value === 'number') {
    out.add(String(value));
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectLeaves(item, out);
    return;
  }
  if (typeof value === 'object') {
    for (const item of Object.values(value as JsonObject)) collectLeaves(item, out);
  }
}

function readVariables(document: JsonObject): {
  variables: Map<string, unknown>;
  sensitive: Set<string>;
  defaults: Map<string, unknown>;
} {
  const variables = new Map<string, unknown>();
  const sensitive = new Set<string>();
  const defaults = new Map<string, unknown>();
  const given = document['variables'];
  if (isObject(given)) {
    for (const [name, variable] of Object.entries(given)) {
      if (isObject(variable)) variables.set(name, variable['value']);
    }
  }
  const configuration = document['configuration'];
  const root = isObject(configuration) ? configuration['root_module'] : undefined;
  const declared = isObject(root) ? root['variables'] : undefined;
  if (isObject(declared)) {
    for (const [name, declaration] of Object.entries(declared)) {
      if (isObject(declaration) && declaration['sensitive'] === true) {
        sensitive.add(name);
        if ('default' in declaration) defaults.set(name, declaration['default']);
      }
    }
  }
  return { variables, sensitive, defaults };
}

/** Reads a parsed plan JSON document. Throws PlanFormatError for what is not a plan we know. */
export function readPlan(document: unknown): PlanModel {
  const formatVersion = checkFormatVersion(document);
  const root = document as JsonObject;
  const resourceChanges = readResourceChanges(root['resource_changes']);
  const driftEntries = readResourceChanges(root['resource_drift']);
  const resourceDrift = driftEntries.filter(changedOutside);
  const outputChanges = readOutputChanges(root);
  const { variables, sensitive, defaults } = readVariables(root);

  const sensitiveStrings = new Set<string>();
  for (const name of sensitive) {
    collectLeaves(variables.get(name), sensitiveStrings);
    collectLeaves(defaults.get(name), sensitiveStrings);
  }
  for (const change of resourceChanges) {
    collectSensitive(change.before, change.beforeSensitive, sensitiveStrings);
    collectSensitive(change.after, change.afterSensitive, sensitiveStrings);
  }
  for (const change of driftEntries) {
    collectSensitive(change.before, change.beforeSensitive, sensitiveStrings);
    collectSensitive(change.after, change.afterSensitive, sensitiveStrings);
  }
  for (const change of outputChanges) {
    collectSensitive(change.before, change.beforeSensitive, sensitiveStrings);
    collectSensitive(change.after, change.afterSensitive, sensitiveStrings);
  }

  const model: PlanModel = {
    formatVersion,
    resourceChanges,
    resourceDrift,
    outputChanges,
    variables,
    sensitiveVariables: sensitive,
    errored: root['errored'] === true,
    sensitiveStrings,
  };
  const terraformVersion = asString(root['terraform_version']);
  if (terraformVersion !== undefined) model.terraformVersion = terraformVersion;
  return model;
}

/**
 * Parses plan JSON text (the file `terraform show -json` wrote), reading only the parts the
 * model uses (plan-sections.ts).
 */
export function parsePlan(text: string): PlanModel {
  let document: unknown;
  try {
    document = readPlanSections(text) ?? JSON.parse(text);
  } catch {
    // JSON.parse's message quotes part of the text, which may be a secret: leave it out.
    throw new PlanFormatError(
      'The plan file is not valid JSON; expected `terraform show -json <planfile>` output.',
    );
  }
  return readPlan(document);
}
