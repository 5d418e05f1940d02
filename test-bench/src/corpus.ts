/**
 * The real-world corpora beside the checkout (../shared/fixtures/<corpus>): copies of other
 * projects' files (plan JSON, Lambda events), kept outside the repository with their sources and
 * licences, so a plain clone does not have them. A corpus suite declares one test per file, named
 * by the file name. Without the folder it prints one line saying it was skipped and why; under
 * CI=true it fails instead, naming the folder, so CI cannot go green without its corpus.
 */
import { describe, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The two plan JSON corpora: Terraform's/OpenTofu's own test data, and other tools' test data. */
export const PLAN_CORPORA = ['terraform-plans', 'published-plans'] as const;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function corpusFolder(corpus: string): string {
  return join(repoRoot, '..', 'shared', 'fixtures', corpus);
}

/** The corpus's .json files, sorted; empty when the folder is absent. */
export function corpusFiles(corpus: string): string[] {
  const folder = corpusFolder(corpus);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function readCorpusFile(corpus: string, name: string): string {
  return readFileSync(join(corpusFolder(corpus), name), 'utf8');
}

/**
 * `describe` with one test per corpus file (`check(text, name)`), plus `extra` tests that need
 * the corpus. An absent folder is one visible line (written straight to stderr: jest's
 * console.warn adds a stack trace) and one skipped placeholder, or a failing test under CI=true.
 */
export function describeCorpus(
  corpus: string,
  title: string,
  check: (text: string, name: string) => void,
  extra?: (files: readonly string[]) => void,
): void {
  const folder = corpusFolder(corpus);
  const files = corpusFiles(corpus);
  describe(`${title} (corpus ${corpus})`, () => {
    if (files.length > 0) {
      it.each(files)('%s', (name) => check(readCorpusFile(corpus, name), name));
      extra?.(files);
      return;
    }
    if (process.env['CI'] === 'true') {
      it(`needs the corpus folder ${folder}`, () => {
        throw new Error(
          `The corpus folder ${folder} is missing or holds no .json file, and CI=true requires ` +
            'it: run `node scripts/fetch-corpora.js` to put the corpora beside the checkout.',
        );
      });
      return;
    }
    process.stderr.write(
      `corpus suite "${title}" skipped: ${folder} not found beside the checkout (with CI=true it fails)\n`,
    );
    it.skip(`skipped: ${folder} not found beside the checkout`, () => undefined);
  });
}
