import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this module (sandbox/src). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'sandbox', 'package.json')) && existsSync(join(dir, 'functions')))
      return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the repository root (a folder holding sandbox/ and functions/)');
}

/** Where the cells' builds go while they load (git-ignored). */
export function buildDir(): string {
  return join(repoRoot(), 'sandbox', 'build');
}

/**
 * Node's arguments that run a TypeScript entry point (relative to the repository root) the
 * project's one way, as package.json's scripts and the deploy workflow do.
 */
export function runTypeScript(entry: string): string[] {
  return [join(repoRoot(), 'scripts', 'run-typescript.js'), join(repoRoot(), entry)];
}
