// `npm run lint:workflows`: actionlint plus shellcheck on run: blocks, run as the CLI runs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../build-actions.js';

const script = join(repoRoot, 'scripts', 'lint-workflows.js');

const goodWorkflow = `name: good
on:
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - name: Greet
        env:
          HEAD_REF: \${{ github.head_ref }}
        run: |
          echo "head: $HEAD_REF"
          if [ "\${{ github.event_name }}" = "pull_request" ]; then
            echo "a pull request"
          fi
      - run: echo "\${{ runner.os }}"
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
      - uses: ./.github/actions/local
`;

const badWorkflow = `name: bad
on:
  push:
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    timeout: 10
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444
        name: Setup Node
      - name: List files
        run: |
          echo "start"
          FILES=$(ls)
          echo $FILES
  windows:
    runs-on: windows-latest
    steps:
      - name: PowerShell is not shellchecked
        run: echo $env:PATH
`;

function lint(...files: string[]) {
  return spawnSync(process.execPath, [script, ...files], { cwd: repoRoot, encoding: 'utf8' });
}

describe('lint-workflows', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lint-workflows-'));
    await writeFile(join(dir, 'good.yml'), goodWorkflow);
    await writeFile(join(dir, 'bad.yml'), badWorkflow);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes a clean workflow', () => {
    const result = lint(join(dir, 'good.yml'));
    expect(result.stdout + result.stderr).toContain('1 workflow file(s) clean');
    expect(result.status).toBe(0);
  });

  it('says how to install shellcheck when it is missing and cannot be installed', () => {
    const result = spawnSync(process.execPath, [script, join(dir, 'good.yml')], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { HOME: process.env.HOME, PATH: join(dir, 'empty-path') },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'shellcheck is not installed; install it with `apt-get install -y shellcheck`',
    );
  });

  it('requires permissions at the top level or in every job', async () => {
    const perJob = goodWorkflow.replace('permissions:\n  contents: read\n', '');
    await writeFile(
      join(dir, 'per-job.yml'),
      perJob.replace('    runs-on:', '    permissions: {}\n    runs-on:'),
    );
    expect(lint(join(dir, 'per-job.yml')).status).toBe(0);
    await writeFile(join(dir, 'none.yml'), perJob);
    const result = lint(join(dir, 'none.yml'));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/none\.yml:5:1: \[job test\] permissions: no permissions:/);
  });

  it('reports an unknown key and a shellcheck finding with file, job, step and line', () => {
    const result = lint(join(dir, 'bad.yml'));
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /bad\.yml:9:5: \[job build\] actionlint: unexpected key "timeout" for "job" section/,
    );
    expect(lines[1]).toMatch(
      /bad\.yml:11:15: \[job build, step "actions\/checkout@v4"\] pinning: "actions\/checkout@v4" is not pinned to a full commit SHA/,
    );
    expect(lines[2]).toMatch(
      /bad\.yml:12:15: \[job build, step "Setup Node"\] pinning: .* needs the version it pins in a comment/,
    );
    expect(lines[3]).toMatch(
      /bad\.yml:18:16: \[job build, step "List files"\] shellcheck: SC2086 \(info\): Double quote/,
    );
    expect(result.stderr).toContain('4 finding(s) in 1 workflow file(s)');
  });
});
