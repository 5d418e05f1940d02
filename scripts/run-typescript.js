// @ts-check
// The project's one way to run a TypeScript script: `npm start`, `shift`, `load` and
// `rehearse`, the deploy workflow's rollout steps and the TypeScript benchmarks all go through it.
//
//   node scripts/run-typescript.js <entry.ts> [args...]
//
// The entry exports `main(argv: string[]): Promise<number>`, the exit code. Node 20 cannot run
// TypeScript: esbuild bundles the entry and the project's modules it imports into one ESM file
// (dependencies stay external, loaded from node_modules as usual), this script imports it,
// removes the file and runs main. Why a bundle and not tsx: docs/adr/0012-one-vocabulary-one-typescript-runner.md.
import { mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles a TypeScript (or JavaScript) entry into one ESM file and returns its path. By
 * default the file goes to `build/` (git-ignored) in the entry's top folder, e.g.
 * sandbox/src/cli.ts to sandbox/build/cli-<pid>.mjs: at the depth of `src/`, so paths a
 * module finds from import.meta.url (`..` to the repository root) still lead where they would.
 * One file per process: two runs at once (jest workers, a test beside `npm start`) must not
 * write one file while the other imports it. Throws when the sources do not build (esbuild has
 * printed why).
 * @param {string} entry
 * @param {{ outDir?: string }} [options]
 */
export async function bundleTypeScript(entry, options = {}) {
  const source = resolve(entry);
  const topFolder = relative(repoRoot, source).split(sep)[0] ?? '';
  const outDir = options.outDir ?? join(repoRoot, topFolder, 'build');
  const name = basename(source).replace(/\.[cm]?[jt]s$/, '');
  const outfile = join(outDir, `${name}-${process.pid}.mjs`);
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return outfile;
}

/** Bundles, imports and removes the entry, then exits with what its main returns. */
async function run() {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    console.error('usage: node scripts/run-typescript.js <entry.ts> [args...]');
    process.exit(2);
  }
  // The AWS SDK warns on every start that its 2027 releases will need Node 22; the project
  // supports Node 20+ (package.json engines), so the notice is noise in every command's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let outfile;
  try {
    outfile = await bundleTypeScript(entry);
  } catch {
    console.error(`${relative(repoRoot, resolve(entry))}: the sources do not build (see above)`);
    process.exit(1);
  }
  let module;
  try {
    module = await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
  if (typeof module.main !== 'function') {
    console.error(`${entry} exports no main(argv) to run`);
    process.exit(2);
  }
  // Exit explicitly: a command that is done has closed what it started, and a stray handle in
  // a dependency must not keep the terminal waiting.
  process.exit(await module.main(args));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
