// Every action's committed dist/ must be exactly what `npm run build` produces; and the check
// itself is shown to catch a stale bundle on a copy of the fixture action.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { actionDirs, buildAction, repoRoot } from '../build-actions.js';
import { compareDist, describeStale, findStaleActions } from './dist-check.js';

describe('dist check on this repository', () => {
  it('finds every action dist/ up to date', async () => {
    const stale = await findStaleActions(actionDirs(), 2);
    if (stale.length > 0) throw new Error(describeStale(stale));
    expect(stale).toEqual([]);
  }, 600_000);
});

describe('dist check on a stale bundle', () => {
  let tree: string;
  let echoDir: string;

  beforeAll(async () => {
    // A throw-away repository with one action: a copy of the test bench's fixture action,
    // resolving its packages through a link to this repository's node_modules.
    tree = await mkdtemp(join(tmpdir(), 'dist-check-tree-'));
    echoDir = join(tree, 'actions', 'echo');
    await mkdir(join(tree, 'actions'), { recursive: true });
    await symlink(join(repoRoot, 'node_modules'), join(tree, 'node_modules'), 'dir');
    await cp(join(repoRoot, 'test-bench', 'test', 'fixtures', 'echo-action'), echoDir, {
      recursive: true,
    });
    // The same layout as this repository: actions/<name>/tsconfig.json extends the root base.
    await cp(join(repoRoot, 'tsconfig.base.json'), join(tree, 'tsconfig.base.json'));
    await writeFile(
      join(echoDir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.base.json',
        compilerOptions: { rootDir: '.' },
        include: ['src/**/*.ts'],
      }),
    );
    await mkdir(join(tree, 'actions', 'not-an-action'));
    await buildAction(echoDir);
  });

  afterAll(async () => {
    await rm(tree, { recursive: true, force: true });
  });

  it('passes a freshly built action and ignores folders without action.yml', async () => {
    expect(actionDirs(tree)).toEqual([echoDir]);
    expect(await findStaleActions(actionDirs(tree))).toEqual([]);
  });

  it('builds from relative paths the same as from absolute ones', async () => {
    const out = join(tree, 'relative-build');
    await buildAction(relative(process.cwd(), echoDir), relative(process.cwd(), out));
    expect(await compareDist(join(echoDir, 'dist'), out)).toEqual([]);
  });

  it('names the action and every differing file when source and dist disagree', async () => {
    const source = join(echoDir, 'src', 'index.ts');
    await writeFile(
      source,
      (await readFile(source, 'utf8')).replace("'waiting for a signal'", "'changed after build'"),
    );
    await unlink(join(echoDir, 'dist', 'licenses.txt'));
    await writeFile(join(echoDir, 'dist', 'leftover.js'), '// from an older build\n');

    const stale = await findStaleActions(actionDirs(tree));
    expect(stale).toEqual([
      {
        action: 'echo',
        dir: echoDir,
        differences: [
          { file: 'index.js', kind: 'different' },
          { file: 'leftover.js', kind: 'extra' },
          { file: 'licenses.txt', kind: 'missing' },
        ],
      },
    ]);
    const report = describeStale(stale);
    expect(report).toContain('action "echo": dist/ is stale');
    expect(report).toContain('node scripts/build-actions.js echo');
  });

  it('compares nested files both ways', async () => {
    const a = join(tree, 'compare-a');
    const b = join(tree, 'compare-b');
    await mkdir(join(a, 'sub'), { recursive: true });
    await mkdir(join(b, 'sub'), { recursive: true });
    await writeFile(join(a, 'sub', 'same.txt'), 'x');
    await writeFile(join(b, 'sub', 'same.txt'), 'x');
    await writeFile(join(a, 'sub', 'only-committed.txt'), 'x');
    await writeFile(join(b, 'sub', 'only-built.txt'), 'x');
    expect(await compareDist(a, b)).toEqual([
      { file: 'sub/only-built.txt', kind: 'missing' },
      { file: 'sub/only-committed.txt', kind: 'extra' },
    ]);
    expect(await compareDist(join(tree, 'no-dist'), b)).toEqual([
      { file: 'sub/only-built.txt', kind: 'missing' },
      { file: 'sub/same.txt', kind: 'missing' },
    ]);
  });
});

describe('build-actions.js', () => {
  it('refuses an action name it does not know, listing the actions, and builds nothing', () => {
    const result = spawnSync(
      process.execPath,
      [join(repoRoot, 'scripts', 'build-actions.js'), 'aply'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no action named aply; the actions are: apply,');
    expect(result.stdout).not.toContain('bundling');
  });
});
