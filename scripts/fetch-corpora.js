// @ts-check
// Puts the real-world corpora beside the checkout (../shared/fixtures/<corpus>/<file>) for a CI
// that does not have them, such as GitHub's: every file comes from its upstream repository at
// the commit pinned in scripts/corpora/manifest.tsv and must have the sha256 written there.
// The project keeps only that list (where each file comes from, and its hash), never the files:
// they are other projects' test data under their own licences (sources in the manifest).
//
//   node scripts/fetch-corpora.js [--dest <dir>] [--base-url <url>]
//
// A file already present with the right hash is kept. A download with another hash, or one
// that fails after three tries, stops the script with the file's name; nothing is half-written
// (each file goes to a temporary name first, and is renamed once its hash is right).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './build-actions.js';

export const MANIFEST = join(repoRoot, 'scripts', 'corpora', 'manifest.tsv');
export const DEFAULT_DEST = resolve(repoRoot, '..', 'shared', 'fixtures');
export const DEFAULT_BASE_URL = 'https://raw.githubusercontent.com';

/**
 * @typedef {{ corpus: string, file: string, repository: string, commit: string, path: string, sha256: string }} CorpusFile
 */

/**
 * The manifest's rows (tab-separated, one header line).
 * @param {string} text
 * @returns {CorpusFile[]}
 */
export function parseManifest(text) {
  const [header, ...lines] = text.split('\n').filter((line) => line.trim() !== '');
  const columns = (header ?? '').split('\t');
  const expected = ['corpus', 'file', 'repository', 'commit', 'path', 'sha256'];
  if (columns.join() !== expected.join()) {
    throw new Error(`corpus manifest: the header must be "${expected.join('<TAB>')}"`);
  }
  return lines.map((line, index) => {
    const [corpus, file, repository, commit, path, sha256] = line.split('\t');
    const row = { corpus, file, repository, commit, path, sha256 };
    const bad =
      !/^[a-z0-9-]+$/.test(corpus ?? '') ||
      !/^[\w.-]+\.json$/.test(file ?? '') ||
      !/^[\w.-]+\/[\w.-]+$/.test(repository ?? '') ||
      !/^[0-9a-f]{40}$/.test(commit ?? '') ||
      !path ||
      path.includes('..') ||
      !/^[0-9a-f]{64}$/.test(sha256 ?? '');
    if (bad) throw new Error(`corpus manifest line ${index + 2} is malformed: ${line}`);
    return /** @type {CorpusFile} */ (row);
  });
}

/** @param {Buffer} bytes */
function sha256Of(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * @param {string} url
 * @returns {Promise<Buffer>}
 */
async function download(url) {
  let lastError = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (response.ok) return Buffer.from(await response.arrayBuffer());
      lastError = `HTTP ${response.status}`;
      if (response.status < 500 && response.status !== 429) break;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((done) => setTimeout(done, 500 * attempt));
  }
  throw new Error(`${url}: ${lastError}`);
}

/**
 * Fetches every file of the manifest that `dest` lacks (or holds with another hash).
 * @param {{ dest?: string, baseUrl?: string, files?: CorpusFile[], log?: (line: string) => void }} [options]
 * @returns {Promise<{ fetched: number, kept: number }>}
 */
export async function fetchCorpora(options = {}) {
  const dest = options.dest ?? DEFAULT_DEST;
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const files = options.files ?? parseManifest(readFileSync(MANIFEST, 'utf8'));
  const log = options.log ?? ((line) => console.log(line));
  let fetched = 0;
  let kept = 0;
  for (const entry of files) {
    const target = join(dest, entry.corpus, entry.file);
    if (existsSync(target) && sha256Of(readFileSync(target)) === entry.sha256) {
      kept++;
      continue;
    }
    const url = `${baseUrl}/${entry.repository}/${entry.commit}/${entry.path}`;
    const bytes = await download(url);
    const actual = sha256Of(bytes);
    if (actual !== entry.sha256) {
      throw new Error(
        `${entry.corpus}/${entry.file}: ${url} has sha256 ${actual}, the manifest says ${entry.sha256}`,
      );
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(`${target}.partial`, bytes);
    renameSync(`${target}.partial`, target);
    fetched++;
  }
  log(`corpora in ${dest}: ${fetched} fetched, ${kept} already there (${files.length} files)`);
  return { fetched, kept };
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ dest?: string, baseUrl?: string }} */
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--dest' && value) options.dest = resolve(value);
    else if (flag === '--base-url' && value) options.baseUrl = value;
    else throw new Error(`usage: node scripts/fetch-corpora.js [--dest <dir>] [--base-url <url>]`);
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await fetchCorpora(parseArgs(process.argv.slice(2)));
  } catch (error) {
    console.error(`fetch-corpora: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
