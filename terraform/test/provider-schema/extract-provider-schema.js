// @ts-check
// Writes a small snapshot of the aws, azurerm and github provider schemas (argument names, nested
// blocks, required flags, computed attributes) for the resource types this repository uses.
//
// Why a snapshot: provider plugins cannot be downloaded on the machines that run the tests,
// so `terraform validate` only runs on GitHub. The prebuilt CDKTF bindings on npm
// (@cdktf/provider-aws, @cdktf/provider-azurerm) are generated from the real provider schemas
// and carry every attribute name, but they unpack to 390 MB and 270 MB: far too big to be a
// dev dependency that every `npm ci` installs. This script reads them once from a temporary
// `npm pack` and keeps only the types the modules use (a few kB, committed beside it).
//
// Usage (re-run after adding a resource type, or when moving to a new provider version):
//   node terraform/test/provider-schema/extract-provider-schema.js
// It scans terraform/**/*.tf for resource and data types, so run it after writing the HCL, and
// the types of the built-in risk catalogue (actions/shared/src/risk/risk-catalogue.yml), whose
// test checks every type and attribute it names against this snapshot.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { parse as parseYaml } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const terraformDir = join(here, '..', '..');
const riskCatalogue = join(
  terraformDir,
  '..',
  'actions',
  'shared',
  'src',
  'risk',
  'risk-catalogue.yml',
);

/** The bindings packages and the provider versions they were generated from. */
const providers = [
  {
    name: 'aws',
    source: 'hashicorp/aws',
    npmPackage: '@cdktf/provider-aws@21.22.1',
    prefix: 'aws_',
  },
  {
    name: 'azurerm',
    source: 'hashicorp/azurerm',
    npmPackage: '@cdktf/provider-azurerm@14.23.1',
    prefix: 'azurerm_',
  },
  {
    name: 'github',
    source: 'integrations/github',
    npmPackage: '@cdktf/provider-github@15.3.1',
    prefix: 'github_',
  },
];

/** @param {string} dir @returns {string[]} */
function terraformFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === '.terraform' || entry.name === 'test' ? [] : terraformFiles(path);
    return entry.name.endsWith('.tf') ? [path] : [];
  });
}

/** Resource and data types named in the HCL (a regex is enough for block headers). */
function usedTypes() {
  const resources = new Set();
  const data = new Set();
  for (const file of terraformFiles(terraformDir)) {
    for (const match of readFileSync(file, 'utf8').matchAll(
      /^(resource|data)\s+"([a-z0-9_]+)"/gm,
    )) {
      (match[1] === 'resource' ? resources : data).add(match[2]);
    }
  }
  /** @type {{ rules?: Array<{ types?: string[] }> }} */
  const catalogue = parseYaml(readFileSync(riskCatalogue, 'utf8'));
  for (const rule of catalogue.rules ?? [])
    for (const type of rule.types ?? []) resources.add(type);
  return { resources, data };
}

/**
 * Snake-case argument names and required flags of every interface in a bindings `.d.ts`,
 * plus which interface each `xxxToTerraform` function takes.
 * @param {string} dts
 */
function readDeclarations(dts) {
  /** @type {Map<string, Map<string, boolean>>} interface name -> snake name -> required */
  const interfaces = new Map();
  /** @type {Map<string, string>} ToTerraform function -> interface name */
  const structOfFunction = new Map();
  // `struct?: FooOutputReference | Foo` for single blocks, `struct?: Foo | cdktf.IResolvable`
  // for lists and sets: the interface is the member that is neither.
  for (const match of dts.matchAll(
    /export declare function (\w+)ToTerraform\(struct\?: ([^)]+)\)/g,
  )) {
    const members = (match[2] ?? '').split('|').map((member) => member.trim());
    const struct = members.find(
      (member) => /^\w+$/.test(member) && !member.endsWith('OutputReference'),
    );
    if (struct) structOfFunction.set(`${match[1]}ToTerraform`, struct);
  }
  for (const match of dts.matchAll(/export interface (\w+)[^{]*\{([\s\S]*?)\n\}/g)) {
    const members = new Map();
    let snake = null;
    for (const line of match[2].split('\n')) {
      const link = /\{@link https:\/\/registry\.terraform\.io\/\S+#([a-z0-9_]+) /.exec(line);
      if (link) snake = link[1];
      const member = /^\s+readonly (\w+)(\?)?:/.exec(line);
      if (member && snake) {
        members.set(snake, member[2] !== '?');
        snake = null;
      }
    }
    interfaces.set(match[1], members);
  }
  return { interfaces, structOfFunction };
}

/**
 * @param {string} body the text of a `return { ... }` object literal
 * @returns {Array<[string, string]>} snake name and its converter expression
 */
function objectEntries(body) {
  return [...body.matchAll(/^\s+([a-z0-9_]+): (.+?),?$/gm)].map((m) => [m[1], m[2]]);
}

/** @param {string} expression */
function nestedFunction(expression) {
  const match = /(?<!cdktf\.)\b([a-z]\w*ToTerraform)\b/.exec(expression);
  return match ? match[1] : null;
}

/**
 * @param {string} js the bindings `index.js` of one resource or data source
 * @param {string} dts its `index.d.ts`
 */
export function readType(js, dts) {
  const { interfaces, structOfFunction } = readDeclarations(dts);
  /** @type {Map<string, Array<[string, string]>>} */
  const structFunctions = new Map();
  for (const match of js.matchAll(/^function (\w+ToTerraform)\(struct\) \{([\s\S]*?)^\}/gm)) {
    const returned = /return \{([\s\S]*?)\n\s+\};/.exec(match[2]);
    structFunctions.set(match[1], returned ? objectEntries(returned[1]) : []);
  }
  const classStart = js.search(/class \w+ extends cdktf\.Terraform(Resource|DataSource) \{/);
  const resourceClass = js.slice(classStart);
  /** @type {Map<string, string>} block name -> nesting mode */
  const nesting = new Map();
  for (const match of resourceClass.matchAll(
    /new \w+?(List|OutputReference)\(this, "([a-z0-9_]+)"(?:, (true|false))?\)/g,
  )) {
    nesting.set(
      match[2],
      match[1] === 'OutputReference' ? 'single' : match[3] === 'true' ? 'set' : 'list',
    );
  }
  const synthesize = /synthesizeAttributes\(\) \{\s+return \{([\s\S]*?)\n\s+\};/.exec(
    resourceClass,
  );
  if (!synthesize) throw new Error('no synthesizeAttributes() found');
  const configName = /constructor\(scope, id, config\)/.test(resourceClass)
    ? (/export declare class \w+[\s\S]*?constructor\(scope: Construct, id: string, config(?:\?)?: (\w+)\)/.exec(
        dts,
      )?.[1] ?? '')
    : '';

  /**
   * @param {Array<[string, string]>} entries
   * @param {Map<string, boolean> | undefined} required
   * @param {number} depth
   * @returns {Record<string, any>}
   */
  function argumentsOf(entries, required, depth) {
    /** @type {Record<string, any>} */
    const result = {};
    for (const [name, expression] of entries) {
      // A top-level id is the resource's computed ID; a nested block's id (a lifecycle rule's)
      // is an argument like any other.
      if (name === 'id' && depth === 0) continue;
      const argument = { required: required?.get(name) ?? false };
      const fn = nestedFunction(expression);
      if (fn && depth < 8) {
        argument.block = argumentsOf(
          structFunctions.get(fn) ?? [],
          interfaces.get(structOfFunction.get(fn) ?? ''),
          depth + 1,
        );
        const mode = depth === 0 ? nesting.get(name) : undefined;
        if (mode) argument.nesting = mode;
      }
      result[name] = argument;
    }
    return result;
  }

  const args = argumentsOf(objectEntries(synthesize[1]), interfaces.get(configName), 0);
  const attributes = new Set(['id']);
  for (const match of resourceClass
    .slice(0, synthesize.index)
    .matchAll(/(?:get\w*Attribute|interpolationForAttribute)\('([a-z0-9_]+)'\)/g)) {
    attributes.add(match[1]);
  }
  for (const match of resourceClass.matchAll(/new \w+\(this, "([a-z0-9_]+)"/g))
    attributes.add(match[1]);
  for (const name of Object.keys(args)) attributes.add(name);
  return { arguments: args, attributes: [...attributes].sort() };
}

async function main() {
  const { resources, data } = usedTypes();
  for (const provider of providers) {
    const work = mkdtempSync(join(tmpdir(), 'provider-schema-'));
    try {
      const tarball = execFileSync('npm', ['pack', provider.npmPackage, '--silent'], {
        cwd: work,
        encoding: 'utf8',
      }).trim();
      execFileSync('tar', ['xzf', tarball], { cwd: work });
      const lib = join(work, 'package', 'lib');
      /** @type {Map<string, string>} terraform type -> folder */
      const folders = new Map();
      for (const folder of readdirSync(lib)) {
        const js = join(lib, folder, 'index.js');
        if (!existsSync(js)) continue;
        const type = /tfResourceType = "([a-z0-9_]+)"/.exec(readFileSync(js, 'utf8'))?.[1];
        if (type) folders.set(`${folder.startsWith('data-') ? 'data.' : ''}${type}`, folder);
      }
      const version = /providerVersion: '([^']+)'/.exec(
        readFileSync(join(lib, folders.values().next().value ?? '', 'index.js'), 'utf8'),
      )?.[1];
      /** @type {Record<string, any>} */
      const snapshot = {
        source: provider.source,
        version,
        generatedFrom: provider.npmPackage,
        resources: {},
        data: {},
      };
      for (const [kind, names] of /** @type {const} */ ([
        ['resources', resources],
        ['data', data],
      ])) {
        for (const type of [...names].filter((n) => n.startsWith(provider.prefix)).sort()) {
          const folder = folders.get(kind === 'data' ? `data.${type}` : type);
          if (!folder)
            throw new Error(
              `${provider.npmPackage} has no ${kind === 'data' ? 'data source' : 'resource'} ${type}`,
            );
          snapshot[kind][type] = readType(
            readFileSync(join(lib, folder, 'index.js'), 'utf8'),
            readFileSync(join(lib, folder, 'index.d.ts'), 'utf8'),
          );
        }
      }
      const out = join(here, `${provider.name}.json`);
      // Formatted as the repository's prettier check expects.
      writeFileSync(
        out,
        await format(JSON.stringify(snapshot), {
          ...(await resolveConfig(out)),
          parser: 'json',
          filepath: out,
        }),
      );
      console.log(
        `${out}: ${Object.keys(snapshot.resources).length} resources, ${Object.keys(snapshot.data).length} data sources (${provider.source} ${version})`,
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
