// The three ways the checks run must stay the same command: the README's quick start, .ci/run
// on a fresh machine, and ci.yml on GitHub; and that command must run every check.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../build-actions.js';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/** The command after `npm ci &&` on the README quick-start line that runs the tests. */
function readmeTestCommand(): string | undefined {
  const line = read('README.md')
    .split('\n')
    .find((text) => /^npm ci && npm (run )?test\b/.test(text));
  return /^npm ci && (npm (?:run )?test)\b/.exec(line ?? '')?.[1];
}

describe('the test command', () => {
  const command = readmeTestCommand();

  it('is in the README quick start', () => {
    expect(command).toBe('npm test');
  });

  it('is the last thing .ci/run does, after npm ci', () => {
    const lines = read('.ci/run')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(lines.at(-1)).toBe(command);
    expect(lines.at(-2)).toMatch(/^npm ci\b/);
  });

  it('is what ci.yml runs on Node 24', () => {
    const workflow = parse(read('.github/workflows/ci.yml')) as {
      jobs: Record<
        string,
        { steps: { run?: string; uses?: string; with?: { 'node-version'?: unknown } }[] }
      >;
    };
    const job = Object.values(workflow.jobs).find((candidate) =>
      candidate.steps.some((step) => step.run?.trim() === command),
    );
    expect(job).toBeDefined();
    const setupNode = job?.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(String(setupNode?.with?.['node-version'])).toBe('24');
  });

  it('runs lint, types, workflows, terraform fmt and every test (the dist check among them)', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    const parts = (scripts['test'] ?? '').split('&&').map((part) => part.trim());
    expect(parts).toEqual(
      expect.arrayContaining([
        'npm run lint',
        'npm run typecheck',
        'npm run lint:workflows',
        'npm run fmt:terraform',
        'npm run test:unit',
      ]),
    );
    expect(scripts['test:unit']).toMatch(/\bjest$/);
  });
});
