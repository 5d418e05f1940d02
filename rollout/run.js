// `npm run rehearse` and the deploy workflow's rollout commands: bundles the TypeScript
// (rollout/src) into one ESM file with esbuild, then runs it (Node 20 cannot run TypeScript,
// and the workflow runs the very same code as the rehearsal).
//   node rollout/run.js rehearse [--break azure]   the rollout against the local sandbox
//   node rollout/run.js plan | cell-env | smoke | summary   steps of .github/workflows/deploy.yml
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const commands = {
  rehearse: 'rehearse-command.ts',
  plan: 'workflow-commands.ts',
  'cell-env': 'workflow-commands.ts',
  smoke: 'workflow-commands.ts',
  summary: 'workflow-commands.ts',
};

const [command, ...rest] = process.argv.slice(2);
if (!command || !(command in commands)) {
  console.error(`usage: node rollout/run.js ${Object.keys(commands).join('|')} [options]`);
  process.exit(2);
}
const outDir = join(here, 'build');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, `${commands[command].replace(/\.ts$/, '')}-${process.pid}.mjs`);
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
  console.error(`rollout ${command}: the rollout sources do not build (see above)`);
  process.exit(1);
}
const module = await import(pathToFileURL(outfile).href);
const { rmSync } = await import('node:fs');
rmSync(outfile, { force: true });
process.exit(await module.main(command === 'rehearse' ? rest : [command, ...rest]));
