import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<repo root>/../shared/fixtures`: real event shapes copied from upstream projects. */
export const fixturesDir = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'shared',
  'fixtures',
);

export function fixturePath(...parts: string[]): string {
  return join(fixturesDir, ...parts);
}

export function hasFixture(...parts: string[]): boolean {
  return existsSync(fixturePath(...parts));
}

export function readFixture<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}
