// scripts/fetch-corpora.js against a loopback server standing in for raw.githubusercontent.com,
// and its manifest against the corpora beside the checkout when they are there.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../build-actions.js';
import { corpusFiles, corpusFolder } from '../../test-bench/src/corpus.js';
import { fetchCorpora, MANIFEST, parseManifest, type CorpusFile } from '../fetch-corpora.js';

const sha = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');
const commit = 'a'.repeat(40);

function entry(file: string, content: string): CorpusFile {
  return {
    corpus: 'plans',
    file,
    repository: 'someone/tool',
    commit,
    path: `testdata/${file}`,
    sha256: sha(content),
  };
}

describe('fetch-corpora', () => {
  const served = new Map<string, string>();
  const requests: string[] = [];
  let server: Server;
  let baseUrl: string;
  let dest: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      const body = served.get(request.url ?? '');
      response.writeHead(body === undefined ? 404 : 200).end(body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dest = mkdtempSync(join(tmpdir(), 'corpora-'));
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    rmSync(dest, { recursive: true, force: true });
  });

  it('fetches each file from its repository at its commit, then keeps what is there', async () => {
    served.set(`/someone/tool/${commit}/testdata/a.json`, '{"a":1}');
    const files = [entry('a.json', '{"a":1}')];
    const log: string[] = [];
    expect(await fetchCorpora({ dest, baseUrl, files, log: (line) => log.push(line) })).toEqual({
      fetched: 1,
      kept: 0,
    });
    expect(readFileSync(join(dest, 'plans', 'a.json'), 'utf8')).toBe('{"a":1}');
    const before = requests.length;
    expect(await fetchCorpora({ dest, baseUrl, files, log: () => undefined })).toEqual({
      fetched: 0,
      kept: 1,
    });
    expect(requests.length).toBe(before);
    expect(log).toEqual([`corpora in ${dest}: 1 fetched, 0 already there (1 files)`]);
  });

  it('refuses a file whose hash is not the manifest one, and leaves nothing of it', async () => {
    served.set(`/someone/tool/${commit}/testdata/b.json`, '{"b":"changed upstream"}');
    await expect(
      fetchCorpora({ dest, baseUrl, files: [entry('b.json', '{"b":1}')], log: () => undefined }),
    ).rejects.toThrow(
      /^plans\/b\.json: http:\/\/127\.0\.0\.1:\d+\/someone\/tool\/a{40}\/testdata\/b\.json has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/,
    );
    expect(readdirSync(join(dest, 'plans')).sort()).toEqual(['a.json']);
  });

  it('names the URL of a file that is not there', async () => {
    await expect(
      fetchCorpora({ dest, baseUrl, files: [entry('gone.json', '{}')], log: () => undefined }),
    ).rejects.toThrow(/testdata\/gone\.json: HTTP 404$/);
  });

  it('refuses a malformed manifest line, naming it', () => {
    const header = 'corpus\tfile\trepository\tcommit\tpath\tsha256';
    expect(() =>
      parseManifest(`${header}\nplans\ta.json\tsomeone/tool\tabc\tp\t${'0'.repeat(64)}\n`),
    ).toThrow('corpus manifest line 2 is malformed');
    expect(() => parseManifest('file\tcorpus\n')).toThrow('the header must be');
  });
});

describe('the corpus manifest', () => {
  const files = parseManifest(readFileSync(MANIFEST, 'utf8'));

  it('lists the plan corpora and the Lambda events, each file once', () => {
    const count = (corpus: string) => files.filter((file) => file.corpus === corpus).length;
    expect([
      count('terraform-plans'),
      count('published-plans'),
      count('aws-lambda-events'),
    ]).toEqual([39, 34, 5]);
    expect(new Set(files.map((file) => `${file.corpus}/${file.file}`)).size).toBe(files.length);
  });

  it('is fetched by ci.yml before npm test (GitHub sets CI=true, and has no ../shared)', () => {
    const workflow = parse(readFileSync(join(repoRoot, '.github/workflows/ci.yml'), 'utf8')) as {
      jobs: { test: { steps: { run?: string }[] } };
    };
    const runs = workflow.jobs.test.steps.map((step) => step.run?.trim());
    const fetchStep = runs.indexOf('node scripts/fetch-corpora.js');
    expect(fetchStep).toBeGreaterThan(-1);
    expect(fetchStep).toBeLessThan(runs.indexOf('npm test'));
  });

  // Where the corpora are beside the checkout, the manifest's hashes are theirs.
  const present = ['terraform-plans', 'published-plans', 'aws-lambda-events'].filter(
    (corpus) => corpusFiles(corpus).length > 0,
  );
  if (present.length === 0) return;
  it.each(present)('matches the files of %s beside the checkout', (corpus) => {
    const listed = files.filter((file) => file.corpus === corpus);
    expect(listed.map((file) => file.file).sort()).toEqual(corpusFiles(corpus));
    for (const file of listed) {
      const path = join(corpusFolder(corpus), file.file);
      expect(existsSync(path) && sha(readFileSync(path))).toBe(file.sha256);
    }
  });
});
