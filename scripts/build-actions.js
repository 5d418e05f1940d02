// @ts-check
// Bundles every action (a folder under actions/ with an action.yml) with @vercel/ncc into its
// dist/. The dist check test calls buildAction() with a temporary output folder.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nccBin = join(repoRoot, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

/** @param {string} [root] @returns {string[]} absolute paths of the action folders */
export function actionDirs(root = repoRoot) {
  const actionsRoot = join(root, 'actions');
  return readdirSync(actionsRoot, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(actionsRoot, entry.name, 'action.yml')),
    )
    .map((entry) => join(actionsRoot, entry.name))
    .sort();
}

/**
 * @param {string} actionDir folder holding action.yml and src/index.ts (relative to the cwd, or absolute)
 * @param {string} [outDir] defaults to the action's dist/
 */
export async function buildAction(actionDir, outDir = join(actionDir, 'dist')) {
  // ncc runs inside the action folder: relative paths must not be read from there.
  actionDir = resolve(actionDir);
  outDir = resolve(outDir);
  await run(
    process.execPath,
    [
      nccBin,
      'build',
      join(actionDir, 'src', 'index.ts'),
      '-o',
      outDir,
      '--license',
      'licenses.txt',
      '--quiet',
    ],
    { cwd: actionDir, maxBuffer: 64 * 1024 * 1024 },
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2);
  const dirs = actionDirs();
  const known = dirs.map((dir) => basename(dir));
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    console.error(
      `build-actions: no action named ${unknown.join(', ')}; the actions are: ${known.join(', ')} (folders under actions/ with an action.yml)`,
    );
    process.exit(2);
  }
  for (const dir of dirs) {
    if (only.length > 0 && !only.includes(basename(dir))) continue;
    process.stdout.write(`bundling ${dir.slice(repoRoot.length + 1)} ... `);
    await buildAction(dir);
    process.stdout.write('done\n');
  }
}
