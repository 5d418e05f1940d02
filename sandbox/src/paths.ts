import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, found from this module whether it runs from sandbox/src (tests) or
 * from the bundle in sandbox/build (npm start).
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'sandbox', 'package.json')) && existsSync(join(dir, 'functions')))
      return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the repository root (a folder holding sandbox/ and functions/)');
}

/** Where launch-time bundles go (git-ignored). */
export function buildDir(): string {
  return join(repoRoot(), 'sandbox', 'build');
}
