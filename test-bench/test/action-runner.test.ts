// The action runner, proved with a real ncc bundle of the echo fixture action.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAction } from '../../scripts/build-actions.js';
import { inputEnvName, runAction, startAction } from '../src/action-runner.js';
import { pullRequestEvent, repoRoot } from '../src/github-events.js';

const actionDir = join(repoRoot, 'test-bench', 'test', 'fixtures', 'echo-action');

let bundleDir: string;
let entry: string;

beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'echo-action-dist-'));
  await buildAction(actionDir, bundleDir);
  entry = join(bundleDir, 'index.js');
});

afterAll(async () => {
  await rm(bundleDir, { recursive: true, force: true });
});

describe('inputEnvName', () => {
  it('upper-cases, turns spaces into underscores and keeps hyphens', () => {
    expect(inputEnvName('who am i')).toBe('INPUT_WHO_AM_I');
    expect(inputEnvName('dry-run')).toBe('INPUT_DRY-RUN');
  });
});

describe('runAction', () => {
  it('applies action.yml defaults, passes inputs and reads outputs back', async () => {
    const result = await runAction({
      actionDir,
      entry,
      inputs: { 'who am i': 'Mona', 'dry-run': true },
      token: 'ghs_fixtureToken123',
      apiUrl: 'http://127.0.0.1:9/api',
      serverUrl: 'https://ghe.example.test',
      runId: 77,
      env: { EXTRA: 'from the test' },
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.outputs).toMatchObject({
      greeting: 'hello, Mona',
      'dry-run': 'true',
      'token-length': String('ghs_fixtureToken123'.length),
      'workspace-file': `${result.workspace}/file.txt`,
      github_api_url: 'http://127.0.0.1:9/api',
      github_server_url: 'https://ghe.example.test',
      github_run_id: '77',
      github_event_name: 'push',
      github_repository: 'Codertocat/Hello-World',
      github_ref: 'refs/heads/main',
      ci: 'true',
      extra: 'from the test',
    });
    expect(result.outputs.github_sha).toMatch(/^[0-9a-f]{40}$/);
    expect(result.outputs.runner_temp).toBe(result.runnerTemp);
    expect(result.env['INPUT_WHO_AM_I']).toBe('Mona');
    expect(result.env['INPUT_DRY-RUN']).toBe('true');
    expect(result.env.INPUT_GREETING).toBe('hello');
  });

  it('reads a multi-line output value back intact', async () => {
    const result = await runAction({ actionDir, entry });
    expect(result.outputs.report).toBe('line one\nname=value\nx<<EOF\n\nlast line');
    expect(result.exportedEnv.FIXTURE_EXPORTED).toBe('multi\nline');
    expect(result.state).toEqual({ started: 'yes' });
    expect(result.addedPath).toEqual(['/opt/fixture/bin']);
  });

  it('gives an empty ${{ github.token }} default when no token is given', async () => {
    const result = await runAction({ actionDir, entry });
    expect(result.outputs['token-length']).toBe('0');
    expect(result.masks).toEqual([]);
  });

  it('captures the job summary, annotations with their properties, and masks', async () => {
    const result = await runAction({ actionDir, entry, token: 'ghs_secretValue' });
    expect(result.summary).toContain('<h1>Fixture summary</h1>');
    expect(result.summary).toContain('<td>hello</td>');
    expect(result.masks).toEqual(['ghs_secretValue']);
    expect(result.limitViolations).toEqual([]);
    expect(result.annotations).toEqual([
      {
        level: 'warning',
        message: 'careful: 50% done, a:b',
        title: 'Title: x',
        file: 'src/a,b.ts',
        line: 3,
        endLine: 4,
        properties: { title: 'Title: x', file: 'src/a,b.ts', line: '3', endLine: '4' },
      },
      { level: 'notice', message: 'first\nsecond', properties: {} },
    ]);
    // The raw line carries GitHub's escaping; the parser undid it.
    expect(result.stdout).toContain(
      '::warning title=Title%3A x,file=src/a%2Cb.ts,line=3,endLine=4::',
    );
  });

  it('does not pass the parent environment on (secrets, NODE_OPTIONS)', async () => {
    process.env.BENCH_PARENT_SECRET = 'do-not-leak';
    try {
      const result = await runAction({ actionDir, entry });
      expect(result.outputs.leaked).toBe('');
      expect(result.outputs['node-options']).toBe('');
      expect(Object.keys(result.env)).not.toContain('BENCH_PARENT_SECRET');
    } finally {
      delete process.env.BENCH_PARENT_SECRET;
    }
  });

  it('reports a failing action: exit code 1 and its error annotation', async () => {
    const result = await runAction({ actionDir, entry, inputs: { mode: 'fail' } });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([
      { level: 'error', message: 'it broke: 100% sure', properties: {} },
    ]);
  });

  it('reports a summary and an output over GitHub limits', async () => {
    const result = await runAction({ actionDir, entry, inputs: { mode: 'big' } });
    expect(result.exitCode).toBe(0);
    expect(result.limitViolations).toEqual([
      expect.stringMatching(
        /^step summary is \d+ bytes; GitHub drops a summary over 1048576 bytes/,
      ),
      expect.stringMatching(/^output "big" is 1100000 bytes; GitHub's limit is 1000000 bytes/),
    ]);
  });

  it('refuses an input action.yml does not declare, naming it', async () => {
    await expect(runAction({ actionDir, entry, inputs: { greting: 'typo' } })).rejects.toThrow(
      /greting.*not declared/,
    );
  });

  it('says to build the action when its bundle is missing', async () => {
    await expect(runAction({ actionDir })).rejects.toThrow(/build the action first/);
  });

  it('removes its temporary folder unless asked to keep it', async () => {
    const { existsSync } = await import('node:fs');
    const removed = await runAction({ actionDir, entry });
    expect(existsSync(removed.tempDir)).toBe(false);
    const kept = await runAction({ actionDir, entry, keepTemp: true });
    expect(existsSync(kept.runnerTemp)).toBe(true);
    await kept.cleanup();
    expect(existsSync(kept.tempDir)).toBe(false);
  });
});

describe('startAction', () => {
  async function startWaiting() {
    const started = await startAction({ actionDir, entry, inputs: { mode: 'wait' } });
    await new Promise<void>((resolve) => {
      let seen = '';
      started.child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('waiting for a signal')) resolve();
      });
    });
    return started;
  }

  it('lets a test send SIGTERM mid-run and see how the action handled it', async () => {
    const { child, result } = await startWaiting();
    child.kill('SIGTERM');
    const finished = await result;
    expect(finished.exitCode).toBe(143);
    expect(finished.outputs.stopped).toBe('sigterm');
  });

  it('reports the signal of a killed action', async () => {
    const { child, result } = await startWaiting();
    child.kill('SIGKILL');
    const finished = await result;
    expect(finished.exitCode).toBeNull();
    expect(finished.signal).toBe('SIGKILL');
  });

  it('kills an action that runs past its timeout', async () => {
    const result = await runAction({ actionDir, entry, inputs: { mode: 'wait' }, timeoutMs: 1500 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
  });
});

describe('runAction with a pull_request example event', () => {
  it('writes the payload to GITHUB_EVENT_PATH and sets the refs the runner sets', async () => {
    const event = pullRequestEvent({
      number: 17,
      headSha: 'a'.repeat(40),
      repository: 'acme/infra',
    });
    const result = await runAction({ actionDir, entry, event });
    expect(result.outputs).toMatchObject({
      'pr-number': '17',
      'head-sha': 'a'.repeat(40),
      github_event_name: 'pull_request',
      github_repository: 'acme/infra',
      github_ref: 'refs/pull/17/merge',
      github_sha: event.sha,
    });
    expect(result.env.GITHUB_HEAD_REF).toBe('changes');
    expect(result.env.GITHUB_BASE_REF).toBe('master');
  });
});
