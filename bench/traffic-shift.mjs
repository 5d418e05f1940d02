// @ts-check
// traffic-shift benchmark (issue 6). Run: node bench/traffic-shift.mjs
// Bundles bench/traffic-shift.ts (the stand-ins, the engine and the adapters are TypeScript)
// with esbuild into bench/build/, then runs it. Environment: BENCH_TRAFFIC_RUNS (default 5),
// BENCH_PROBE_INTERVAL_MS (default 500). The latest figures live in bench/README.md
// (section "traffic-shift").
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const benchDir = dirname(fileURLToPath(import.meta.url));
const outfile = join(benchDir, 'build', 'traffic-shift.bundle.mjs');

await build({
  entryPoints: [join(benchDir, 'traffic-shift.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // CommonJS dependencies use require() and __dirname; give the ESM bundle both.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __dirnameOf } from 'node:path';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __dirnameOf(__filename);',
    ].join(' '),
  },
});
const result = spawnSync(process.execPath, [outfile], { stdio: 'inherit' });
process.exit(result.status ?? 1);
