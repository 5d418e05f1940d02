// @ts-check
// The workload version: a content hash of the built deployment packages (every *.zip under
// functions/build, i.e. build/aws/<lambda>.zip and build/azure.zip). scripts/zip.js writes the
// same bytes for the same inputs, so an unchanged workload gets the same version on every build
// and its Terraform plans show no change (docs/adr/0024-verify-then-drain-and-workload-version.md).
// pr-plan.yml, deploy.yml and drift.yml compute it in their `build` job and pass it as
// TF_VAR_app_version. Usage: node functions/scripts/version.js [build dir]  -> prints the version.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Hex characters kept: 64 bits, well inside app_version's 64-character limit. */
const VERSION_LENGTH = 16;

/**
 * @param {string} dir
 * @returns {string[]} every *.zip file under dir, as paths relative to dir with '/' separators, sorted
 */
function zipsUnder(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.zip') && lstatSync(join(dir, name)).isFile())
    .map((name) => name.split(sep).join('/'))
    .sort();
}

/**
 * sha256 over each package's path and content hash, in path order.
 * @param {string} dir the build directory
 * @returns {string} the first VERSION_LENGTH hex characters
 */
export function artifactVersion(dir) {
  const zips = zipsUnder(dir);
  if (zips.length === 0) throw new Error(`no *.zip under ${dir}: build the functions first`);
  const hash = createHash('sha256');
  for (const name of zips) {
    const content = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
    hash.update(`${name}\0${content}\n`);
  }
  return hash.digest('hex').slice(0, VERSION_LENGTH);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? join(fileURLToPath(new URL('..', import.meta.url)), 'build');
  console.log(artifactVersion(dir));
}
