// Loads a Terraform module (a folder of .tf files, or in-memory snippets for tests) with
// @cdktf/hcl2json, the real HCL parser compiled to WebAssembly, into plain maps of its blocks.
import { parse } from '@cdktf/hcl2json';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A block body as hcl2json returns it: attributes are values, nested blocks arrays of bodies. */
export type Body = Record<string, unknown>;

export interface Declared {
  file: string;
  body: Body;
}

export interface TerraformModule {
  /** Short name for messages: `modules/aws-cell`, `stacks/global`, `bootstrap/aws`, or the snippet's name. */
  name: string;
  /** Folder on disk; undefined for in-memory snippets. */
  dir: string | undefined;
  files: Record<string, string>;
  variables: Map<string, Declared>;
  outputs: Map<string, Declared>;
  locals: Map<string, { file: string; value: unknown }>;
  /** `type.name` of every managed resource. */
  resources: Map<string, Declared>;
  /** `type.name` of every data source. */
  data: Map<string, Declared>;
  modules: Map<string, Declared>;
  providers: Map<string, Declared[]>;
  terraform: Declared[];
  checks: Map<string, Declared>;
}

export const terraformRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const moduleDirs = ['modules/aws-cell', 'modules/azure-cell', 'modules/global-routing'];
export const stackDirs = ['stacks/aws', 'stacks/azure', 'stacks/global'];
/** Root modules an administrator applies once, with local state, before the stacks. */
export const bootstrapDirs = ['bootstrap/aws', 'bootstrap/azure', 'bootstrap/github'];

/** Parses one HCL file (.tf, .tfvars) into hcl2json's JSON form. */
export async function parseHcl(file: string, text: string): Promise<Record<string, unknown>> {
  return parse(file, text);
}

export async function loadModule(relativeDir: string): Promise<TerraformModule> {
  const dir = join(terraformRoot, relativeDir);
  const files: Record<string, string> = {};
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith('.tf')) files[file] = readFileSync(join(dir, file), 'utf8');
  }
  return buildModule(relativeDir, dir, files);
}

/**
 * The folders a test file reads, parsed once in `load` (its beforeAll); `get` fails with the
 * folder's name when a test asks for one that was not loaded, `find` answers undefined.
 */
export function loadedModules(dirs: readonly string[]): {
  load: () => Promise<void>;
  get: (dir: string) => TerraformModule;
  find: (dir: string) => TerraformModule | undefined;
} {
  const loaded = new Map<string, TerraformModule>();
  return {
    load: async () => {
      for (const dir of dirs) loaded.set(dir, await loadModule(dir));
    },
    get: (dir) => {
      const module = loaded.get(dir);
      if (!module) throw new Error(`${dir} was not loaded`);
      return module;
    },
    find: (dir) => loaded.get(dir),
  };
}

/** A module made of in-memory files, for tests that feed the checks a broken snippet. */
export async function moduleFromSnippets(
  name: string,
  files: Record<string, string>,
): Promise<TerraformModule> {
  return buildModule(name, undefined, files);
}

async function buildModule(
  name: string,
  dir: string | undefined,
  files: Record<string, string>,
): Promise<TerraformModule> {
  const module: TerraformModule = {
    name,
    dir,
    files,
    variables: new Map(),
    outputs: new Map(),
    locals: new Map(),
    resources: new Map(),
    data: new Map(),
    modules: new Map(),
    providers: new Map(),
    terraform: [],
    checks: new Map(),
  };
  for (const [file, text] of Object.entries(files)) {
    const json = await parseHcl(file, text);
    for (const [name, bodies] of labelled(json.variable))
      module.variables.set(name, { file, body: first(bodies) });
    for (const [name, bodies] of labelled(json.output))
      module.outputs.set(name, { file, body: first(bodies) });
    for (const [name, bodies] of labelled(json.module))
      module.modules.set(name, { file, body: first(bodies) });
    for (const [name, bodies] of labelled(json.check))
      module.checks.set(name, { file, body: first(bodies) });
    for (const [name, bodies] of labelled(json.provider)) {
      const list = module.providers.get(name) ?? [];
      for (const body of asBodies(bodies)) list.push({ file, body });
      module.providers.set(name, list);
    }
    for (const body of asBodies(json.terraform)) module.terraform.push({ file, body });
    for (const body of asBodies(json.locals)) {
      for (const [key, value] of Object.entries(body)) module.locals.set(key, { file, value });
    }
    for (const [kind, target] of [
      ['resource', module.resources],
      ['data', module.data],
    ] as const) {
      for (const [type, named] of labelled(json[kind])) {
        for (const [label, bodies] of labelled(named))
          target.set(`${type}.${label}`, { file, body: first(bodies) });
      }
    }
  }
  return module;
}

function labelled(value: unknown): Array<[string, unknown]> {
  return value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
}

export function asBodies(value: unknown): Body[] {
  if (Array.isArray(value)) return value.filter((item): item is Body => isBody(item));
  return isBody(value) ? [value] : [];
}

function first(value: unknown): Body {
  return asBodies(value)[0] ?? {};
}

export function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The module a `module` block's local `source` points to, if it is a folder here. */
export function childModuleDir(module: TerraformModule, source: unknown): string | undefined {
  if (!module.dir || typeof source !== 'string' || !source.startsWith('.')) return undefined;
  const dir = resolve(module.dir, source);
  return existsSync(dir) ? dir.slice(terraformRoot.length + 1) : undefined;
}

export function shortFile(module: TerraformModule, file: string): string {
  return `${module.name}/${basename(file)}`;
}
