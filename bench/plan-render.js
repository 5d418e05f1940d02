// @ts-check
// Benchmark: parse + render of real Terraform plans (1,000, 5,000 and 20,000 terraform_data
// resources, every one an update) versus a bare JSON.parse of the same file, and peak memory
// versus the file size. Targets (issue 3): time at most 2x JSON.parse; memory at most 3x the
// file size plus a constant. Prints the ratios of this one run; the latest figures are kept in
// bench/README.md ("plan-render").
//
//   node bench/plan-render.js                 # all sizes
//   node bench/plan-render.js 1000 5000       # some sizes
//
// The plans are made with the real terraform binary (apply N resources, then plan a change to
// every one) and cached in node_modules/.cache/multicloud-bench/: the first run takes a few minutes.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { bundleTypeScript } from '../scripts/run-typescript.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '..');
// Under node_modules/.cache: ignored by git, ESLint and Prettier alike, and kept between runs.
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'multicloud-bench', 'plan-render');
const sizes = process.argv
  .slice(2)
  .filter((arg) => /^\d+$/.test(arg))
  .map(Number);
const defaultSizes = [1000, 5000, 20000];

/** Bundles the plan model (TypeScript) once, the project's one way, so plain node can import it. */
function bundlePlanModule() {
  const entry = join(repoRoot, 'actions', 'shared', 'src', 'plan', 'index.ts');
  return bundleTypeScript(entry, { outDir: cacheDir });
}

/** Resources per block: Terraform plans one block of many count instances in quadratic time. */
const BLOCK = 1000;

/** `count` terraform_data resources in blocks of BLOCK; `generation` changes every input. */
function configuration(count, generation) {
  let text = '';
  for (let block = 0; block * BLOCK < count; block++) {
    const size = Math.min(BLOCK, count - block * BLOCK);
    text +=
      `resource "terraform_data" "item_${block}" {\n  count = ${size}\n  input = {\n` +
      `    index = count.index\n    name  = "item-${block}-\${count.index}-g${generation}"\n  }\n}\n\n`;
  }
  return text;
}

/** The local state Terraform writes after applying configuration(count, 1). */
function appliedState(count) {
  const type = ['object', { index: 'number', name: 'string' }];
  const resources = [];
  for (let block = 0; block * BLOCK < count; block++) {
    const size = Math.min(BLOCK, count - block * BLOCK);
    const instances = [];
    for (let index = 0; index < size; index++) {
      const hex = createHash('sha256').update(`item-${block}-${index}`).digest('hex');
      const id = [
        hex.slice(0, 8),
        hex.slice(8, 12),
        hex.slice(12, 16),
        hex.slice(16, 20),
        hex.slice(20, 32),
      ].join('-');
      const value = { value: { index, name: `item-${block}-${index}-g1` }, type };
      instances.push({
        index_key: index,
        schema_version: 0,
        attributes: { id, input: value, output: value, triggers_replace: null },
        sensitive_attributes: [],
      });
    }
    resources.push({
      mode: 'managed',
      type: 'terraform_data',
      name: `item_${block}`,
      provider: 'provider["terraform.io/builtin/terraform"]',
      instances,
    });
  }
  return {
    version: 4,
    terraform_version: '1.11.4',
    serial: 1,
    lineage: '6a1f7a8e-0000-4000-8000-000000000001',
    outputs: {},
    resources,
    check_results: null,
  };
}

/**
 * A plan JSON of `count` updates, made by real Terraform (the state it starts from is written
 * directly: applying 20,000 resources takes far longer than planning them); cached.
 */
function planFile(count) {
  const file = join(cacheDir, `plan-${count}.json`);
  if (existsSync(file)) return file;
  const work = join(cacheDir, `stack-${count}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const rc = join(cacheDir, 'terraformrc');
  writeFileSync(rc, '');
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: rc,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
  };
  const terraform = (
    /** @type {string[]} */ args,
    /** @type {string | undefined} */ stdoutFile,
  ) => {
    const started = Date.now();
    const result = spawnSync('terraform', args, {
      cwd: work,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 2 * 1024 * 1024 * 1024,
    });
    if (result.status !== 0)
      throw new Error(`terraform ${args.join(' ')} failed (${result.status})`);
    if (stdoutFile) writeFileSync(stdoutFile, result.stdout);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`  terraform ${args[0]} (${count}): ${seconds} s\n`);
  };
  process.stderr.write(
    `making a real plan of ${count} terraform_data updates (cached afterwards)\n`,
  );
  // The state holds generation 1, the configuration generation 2: every resource is an update.
  writeFileSync(join(work, 'main.tf'), configuration(count, 2));
  writeFileSync(join(work, 'terraform.tfstate'), JSON.stringify(appliedState(count)));
  terraform(['init', '-input=false', '-no-color']);
  terraform(['plan', '-input=false', '-no-color', '-refresh=false', '-out=bench.tfplan']);
  terraform(['show', '-json', 'bench.tfplan'], `${file}.tmp`);
  renameSync(`${file}.tmp`, file);
  rmSync(work, { recursive: true, force: true });
  return file;
}

/**
 * Runs in a child process. `time`: json, comment and all rounds interleaved in one process
 * (so the machine's load hits all three alike), 11 rounds after a warm-up, medians.
 * `memory-*`: one round in a fresh process; the peak RSS growth over the process before the
 * file was read (the file's text is part of every figure).
 */
async function measureChild(mode, file, modulePath) {
  const plan = await import(pathToFileURL(modulePath).href);
  const [kind, only] = mode.split('-');
  const gc = () => {
    if (typeof globalThis.gc === 'function') globalThis.gc();
  };
  gc();
  const baseRss = process.memoryUsage().rss;
  const text = readFileSync(file, 'utf8');
  const context = {
    stack: 'bench',
    commitSha: 'a1b2c3d4e5f6',
    runId: '1',
    runUrl: 'https://github.com/o/r/actions/runs/1',
  };
  /** @type {Record<string, () => unknown>} */
  const work = {
    json: () => JSON.parse(text),
    comment: () => plan.renderPlanComment(plan.parsePlan(text), context),
    all: () => {
      const model = plan.parsePlan(text);
      const digest = plan.planDigest(model);
      plan.renderPlanComment(model, { ...context, digest });
      return plan.renderPlanSummary(model, { ...context, digest });
    },
  };
  if (kind === 'memory') {
    work[only]();
    const peakRss = process.resourceUsage().maxRSS * 1024;
    process.stdout.write(JSON.stringify({ peakGrowth: peakRss - baseRss }));
    return;
  }
  /** @type {Record<string, number[]>} */
  const rounds = { json: [], comment: [], all: [] };
  for (let i = 0; i < 12; i++) {
    for (const name of Object.keys(rounds)) {
      gc();
      const started = process.hrtime.bigint();
      work[name]();
      if (i > 0) rounds[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  const median = (/** @type {number[]} */ list) =>
    list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  process.stdout.write(
    JSON.stringify({
      json: median(rounds.json),
      comment: median(rounds.comment),
      all: median(rounds.all),
    }),
  );
}

function measure(mode, file, modulePath) {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), '--child', mode, file, modulePath],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(out);
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main() {
  mkdirSync(cacheDir, { recursive: true });
  const modulePath = await bundlePlanModule();
  const rows = [];
  for (const count of sizes.length > 0 ? sizes : defaultSizes) {
    const file = planFile(count);
    const size = statSync(file).size;
    const times = measure('time', file, modulePath);
    const jsonMemory = measure('memory-json', file, modulePath);
    const commentMemory = measure('memory-comment', file, modulePath);
    const allMemory = measure('memory-all', file, modulePath);
    const ratio = (/** @type {number} */ bytes) => `${mib(bytes)} = ${(bytes / size).toFixed(2)}x`;
    rows.push({
      resources: count,
      'plan JSON': mib(size),
      'JSON.parse': `${times.json.toFixed(0)} ms`,
      'parse + comment': `${times.comment.toFixed(0)} ms (${(times.comment / times.json).toFixed(2)}x)`,
      '+ digest + summary': `${times.all.toFixed(0)} ms (${(times.all / times.json).toFixed(2)}x)`,
      'peak, JSON.parse': ratio(jsonMemory.peakGrowth),
      'peak, parse + comment': ratio(commentMemory.peakGrowth),
      'peak, everything': ratio(allMemory.peakGrowth),
    });
  }
  console.log(
    'plan-render: time (median of 11, interleaved) and peak memory growth (RSS) of parse + sticky comment, and of\n' +
      'everything the action does with a plan (parse, digest, comment, job summary), vs JSON.parse.\n' +
      'Targets: parse + comment <= 2x JSON.parse; peak memory <= 3x the file size + a constant.',
  );
  console.table(rows);
  rmSync(modulePath, { force: true });
}

if (process.argv[2] === '--child') {
  await measureChild(process.argv[3], process.argv[4], process.argv[5]);
} else {
  await main();
}
