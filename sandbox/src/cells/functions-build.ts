import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { build, type Plugin } from 'esbuild';

import { SandboxError } from '../errors.js';
import { buildDir, repoRoot } from '../paths.js';

let sequence = 0;

const externalExceptAzureFunctions: Plugin = {
  name: 'external-except-azure-functions',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path === '@azure/functions' || args.path.startsWith('@azure/functions/')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/**
 * Builds the functions from their current sources into a fresh ESM bundle and imports it: a
 * new module instance each time, so a cell restarted "on a new build" really runs the code
 * as it is on disk now (and shares no module state with the build it replaces).
 * Dependencies stay external and resolve from the repository's node_modules.
 */
export function loadFunctionsBuild<T>(entry: string, label: string): Promise<T> {
  const early = preloaded.get(entry);
  if (early) {
    preloaded.delete(entry);
    return early as Promise<T>;
  }
  return buildAndImport<T>(entry, label);
}

const preloaded = new Map<string, Promise<unknown>>();

/**
 * Starts building the first release while the emulators start; the first loadFunctionsBuild
 * of that entry takes it. (A failure surfaces there, not here.)
 */
export function preloadFunctionsBuild(entry: string, label: string): void {
  const building = buildAndImport(entry, label);
  building.catch(() => undefined);
  preloaded.set(entry, building);
}

async function buildAndImport<T>(entry: string, label: string): Promise<T> {
  const root = repoRoot();
  const outDir = join(buildDir(), 'cells');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${label}-${process.pid}-${++sequence}.mjs`);
  try {
    await build({
      entryPoints: [join(root, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Dependencies resolve from node_modules at run time, except @azure/functions: a
      // CommonJS bundle whose named exports (app, HttpResponse...) Node's ESM loader cannot
      // see, so esbuild bundles it with its interop.
      plugins: [externalExceptAzureFunctions],
      sourcemap: 'inline',
      logLevel: 'silent',
    });
  } catch (error) {
    throw new SandboxError(`the functions do not build (${entry}): ${(error as Error).message}`);
  }
  try {
    return (await import(pathToFileURL(outfile).href)) as T;
  } finally {
    // Loaded (source map inline): the file is not needed again, and deploys would pile them up.
    rmSync(outfile, { force: true });
  }
}
