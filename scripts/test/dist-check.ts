// The dist check: rebuild each action into a temporary folder and compare it, file by file and
// both ways, with the dist/ on disk (what is committed). Used by dist.test.ts.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { buildAction } from '../build-actions.js';

export interface DistDifference {
  /** Path inside dist/. */
  file: string;
  /** missing: the build makes it but dist/ lacks it; extra: dist/ has it but the build does not make it. */
  kind: 'missing' | 'extra' | 'different';
}

export interface StaleAction {
  action: string;
  dir: string;
  differences: DistDifference[];
}

async function listFiles(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/** Differences between a committed dist/ and a fresh build, every file both ways. */
export async function compareDist(committed: string, built: string): Promise<DistDifference[]> {
  const [committedFiles, builtFiles] = await Promise.all([listFiles(committed), listFiles(built)]);
  const committedSet = new Set(committedFiles);
  const builtSet = new Set(builtFiles);
  const differences: DistDifference[] = [];
  for (const file of builtFiles) {
    if (!committedSet.has(file)) {
      differences.push({ file, kind: 'missing' });
      continue;
    }
    const [a, b] = await Promise.all([
      readFile(join(committed, file)),
      readFile(join(built, file)),
    ]);
    if (!a.equals(b)) differences.push({ file, kind: 'different' });
  }
  for (const file of committedFiles) {
    if (!builtSet.has(file)) differences.push({ file, kind: 'extra' });
  }
  return differences.sort((x, y) => x.file.localeCompare(y.file));
}

async function checkOne(dir: string): Promise<StaleAction | undefined> {
  const out = await mkdtemp(join(tmpdir(), `dist-check-${basename(dir)}-`));
  try {
    try {
      await buildAction(dir, out);
    } catch (error) {
      const detail = error as { stderr?: string; message?: string };
      throw new Error(
        `dist check: building action "${basename(dir)}" failed: ${detail.stderr || detail.message}`,
        { cause: error },
      );
    }
    const differences = await compareDist(join(dir, 'dist'), out);
    return differences.length > 0 ? { action: basename(dir), dir, differences } : undefined;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Rebuilds every action (at most `concurrency` ncc builds at once) and returns the stale ones. */
export async function findStaleActions(dirs: string[], concurrency = 2): Promise<StaleAction[]> {
  const stale: StaleAction[] = [];
  const queue = [...dirs];
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
      const result = await checkOne(dir);
      if (result) stale.push(result);
    }
  });
  await Promise.all(workers);
  return stale.sort((a, b) => a.action.localeCompare(b.action));
}

/** One readable report: which action, which files, and how to fix it. */
export function describeStale(stale: StaleAction[]): string {
  return stale
    .map(
      (entry) =>
        `action "${entry.action}": dist/ is stale (${entry.differences
          .map((d) => `${d.kind} ${d.file}`)
          .join(
            ', ',
          )}); run \`node scripts/build-actions.js ${entry.action}\` and commit ${relativeDist(entry.dir)}`,
    )
    .join('\n');
}

function relativeDist(dir: string): string {
  return `${basename(join(dir, '..'))}/${basename(dir)}/dist/`;
}
