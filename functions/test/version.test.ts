// functions/scripts/version.js: the workload version is a content hash of the built packages.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- a plain JavaScript build script without type declarations
import { artifactVersion } from '../scripts/version.js';

const version = artifactVersion as (dir: string) => string;

function writeBuild(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
}

const packages = {
  'aws/http.zip': Buffer.from('lambda http package'),
  'aws/order-events.zip': Buffer.from('lambda order-events package'),
  'aws/replication.zip': Buffer.from('lambda replication package'),
  'azure.zip': Buffer.from('azure functions package'),
};

describe('artifactVersion', () => {
  let a: string;
  let b: string;
  beforeEach(() => {
    a = mkdtempSync(join(tmpdir(), 'version-a-'));
    b = mkdtempSync(join(tmpdir(), 'version-b-'));
  });
  afterEach(() => {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  });

  it('gives the same version for the same packages, whatever else is in the build', () => {
    writeBuild(a, packages);
    writeBuild(b, { ...packages, 'azure/dist/index.js': 'unzipped copy, not deployed' });
    expect(version(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(version(b)).toBe(version(a));
    // app_version's validation in the cell modules
    expect(version(a)).toMatch(/^[A-Za-z0-9_.+-]{1,64}$/);
  });

  it('changes when one byte of one package changes', () => {
    writeBuild(a, packages);
    const changed = Buffer.from(packages['azure.zip']);
    changed.writeUInt8(changed.readUInt8(0) ^ 1, 0);
    writeBuild(b, { ...packages, 'azure.zip': changed });
    expect(version(b)).not.toBe(version(a));
  });

  it('changes when a package is renamed, added or removed', () => {
    writeBuild(a, packages);
    const base = version(a);
    writeBuild(b, { ...packages, 'aws/extra.zip': 'x' });
    expect(version(b)).not.toBe(base);
    rmSync(join(b, 'aws/extra.zip'));
    expect(version(b)).toBe(base);
    rmSync(join(b, 'aws/http.zip'));
    writeBuild(b, { 'aws/https.zip': packages['aws/http.zip'] });
    expect(version(b)).not.toBe(base);
  });

  it('refuses an empty build', () => {
    expect(() => version(a)).toThrow(/no \*\.zip/);
  });
});
