// `npm start`: builds the sandbox (TypeScript, sandbox/src) into one ESM file with esbuild, then
// runs it. Node 20 cannot run TypeScript itself, and a launch-time bundle keeps the sandbox
// free of a separate build step. `node sandbox/start.js <command>` also runs `shift` and `load`.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
// The AWS SDK warns on every start that its 2027 releases will need Node 22; the sandbox
// supports Node 20+ (package.json engines), so the notice is noise in its banner.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const commands = {
  start: 'cli.ts',
  shift: 'shift-command.ts',
  load: 'load-command.ts',
  screenshot: 'screenshot-command.ts',
};

const [first, ...rest] = process.argv.slice(2);
const command = first && first in commands ? first : 'start';
const argv = command === first ? rest : process.argv.slice(2);

const outDir = join(here, 'build');
mkdirSync(outDir, { recursive: true });
// One bundle per process: two sandboxes starting at once (jest workers, a test beside
// `npm start`) would otherwise write one file while the other imports it.
const outfile = join(outDir, `${command}-${process.pid}.mjs`);
try {
  await build({
    entryPoints: [join(here, 'src', commands[command])],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
  });
} catch {
  console.error(
    `npm ${command === 'start' ? 'start' : `run ${command}`}: the sandbox sources do not build (see above)`,
  );
  process.exit(1);
}
const { main } = await import(pathToFileURL(outfile).href);
rmSync(outfile, { force: true });
// Exit explicitly: a stopped sandbox has closed everything it started, and a stray handle in a
// dependency must not keep the terminal waiting.
process.exit(await main(argv));
