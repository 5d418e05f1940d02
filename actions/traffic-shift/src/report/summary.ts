/**
 * The job summary: what happened at each step on each router, what the probes saw, and, on a
 * rollback, why and what every router holds now. Markdown plus a mermaid chart of the split
 * and the probe error rate over time.
 */
import { effectiveSplit } from '../rollout/effective-split.js';
import { canarySection } from './canary-summary.js';
import { percentile, type ProbeStats } from '../rollout/probe-stats.js';
import type {
  RollbackRecord,
  RolloutReport,
  SmokeRecord,
  StepRecord,
} from '../rollout/rollout-report.js';
import { CLOUDS, formatSplit, sameSplit, shortSplit, type Split } from '../rollout/split.js';

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} m ${String(seconds).padStart(2, '0')} s`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function errorsCell(stats: ProbeStats | undefined): string {
  if (!stats || stats.probes === 0) return '—';
  if (stats.failures === 0) return '0';
  return `${stats.failures} (${Math.round(stats.errorRate * 100)} %)`;
}

function p95Cell(stats: ProbeStats | undefined): string {
  return stats?.p95Ms === undefined ? '—' : `${stats.p95Ms} ms`;
}

function title(report: RolloutReport): string {
  const from = report.initialSplit ? formatSplit(report.initialSplit) : 'unknown';
  const head = `### Traffic shift: ${from} → ${formatSplit(report.target)}`;
  switch (report.outcome) {
    case 'completed':
      return `${head} — completed`;
    case 'already-in-force':
      return `${head} — already in force, nothing to do`;
    case 'dry-run':
      return `${head} — dry run, nothing changed`;
    case 'failed-unchanged':
      return `${head} — failed, nothing changed: ${report.failureReason ?? ''}`;
    case 'rolled-back':
      return `${head} — rolled back: ${report.rollback?.reason ?? report.failureReason ?? ''}`;
    case 'rollback-failed':
      return `${head} — ROLLBACK FAILED: ${report.rollback?.reason ?? ''}`;
    case 'partial':
      return `${head} — emergency shift, not every router moved: ${report.failureReason ?? ''}`;
    case 'yielded':
      return `${head} — stopped, another shift took over: ${report.failureReason ?? ''}`;
  }
}

/** One table row, each cell escaped. */
function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

export function renderSummary(report: RolloutReport): string {
  const labels = report.readings.map((entry) => entry.label);
  const lines = [
    title(report),
    '',
    ...routersAtStart(report),
    ...routerAvailability(report),
    ...dryRunPlan(report, labels),
    ...stepsTable(report, labels),
    ...probesPerCloud(report),
    ...chart(report),
    ...canarySection(report),
    ...rollbackDetails(report),
  ];
  return `${lines.join('\n')}\n`;
}

function routersAtStart(report: RolloutReport): string[] {
  if (report.readings.length === 0) return [];
  const lines = ['**Routers at the start**', ''];
  for (const { label, reading } of report.readings) {
    lines.push(
      `- ${label}: ${reading.description}${reading.split ? ` → ${formatSplit(reading.split)}` : ''}`,
    );
    for (const warning of reading.warnings) lines.push(`  - ⚠️ ${warning}`);
  }
  const clients = effectiveSplit(report.readings);
  if (clients) {
    const fronted = report.readings.find((entry) => entry.reading.edge);
    lines.push(
      `- **Clients** (effective split${fronted ? `, ${fronted.label} behind the ${fronted.reading.edge?.behind} record` : ''}): ${formatSplit(clients)}`,
    );
  }
  return [...lines, ''];
}

/**
 * Emergency mode and takeovers: which router moved, which could not and why, which another
 * shift changed under this run.
 */
function routerAvailability(report: RolloutReport): string[] {
  if (!report.emergency && report.takenOver.length === 0) return [];
  const lines: string[] = [];
  if (report.emergency) {
    lines.push(
      '**Emergency shift**: each router moves on its own; only the clouds gaining traffic are smoke-tested and probed.',
      '',
    );
    const reached = report.outcome === 'completed' || report.outcome === 'partial';
    for (const { label } of report.readings) {
      const dropped = report.unavailable.find((entry) => entry.label === label);
      if (dropped) continue;
      lines.push(
        `- ${label}: ${reached ? `**moved** to ${formatSplit(report.target)}` : 'see the steps below'}`,
      );
    }
    for (const { label, reason } of report.unavailable) {
      lines.push(`- ${label}: **could not move**: ${reason}`);
    }
  }
  for (const { label, holds } of report.takenOver) {
    lines.push(
      `- ${label}: changed by another shift during this run (it holds ${holds}); left to it`,
    );
  }
  return [...lines, ''];
}

/** What each step would write on each router, when nothing was written. */
function dryRunPlan(report: RolloutReport, labels: readonly string[]): string[] {
  if (report.outcome !== 'dry-run' || report.planDetails.length === 0) return [];
  const lines = [
    `| step | split (${CLOUDS.join('/')}) | ${labels.join(' | ')} |`,
    `|${' --- |'.repeat(2 + labels.length)}`,
  ];
  for (const [index, detail] of report.planDetails.entries()) {
    const writes = labels.map(
      (label) => detail.writes.find((entry) => entry.label === label)?.writes ?? '—',
    );
    lines.push(row([String(index + 1), shortSplit(detail.split), ...writes]));
  }
  return [...lines, ''];
}

/** The smoke test, every step and the rollback, one row each. */
function stepsTable(report: RolloutReport, labels: readonly string[]): string[] {
  if (report.smoke === undefined && report.steps.length === 0) return [];
  const lines = [
    `| step | split (${CLOUDS.join('/')}) | ${labels.join(' | ')} | in force after | held for | probes | errors | p95 |`,
    `|${' --- |'.repeat(7 + labels.length)}`,
  ];
  if (report.smoke && report.initialSplit) {
    lines.push(smokeRow(report.smoke, report.initialSplit, labels));
  }
  for (const step of report.steps) lines.push(stepRow(step, labels));
  if (report.rollback && report.initialSplit) {
    lines.push(rollbackRow(report, report.rollback, report.initialSplit, labels));
  }
  return [...lines, ''];
}

function smokeRow(smoke: SmokeRecord, initialSplit: Split, labels: readonly string[]): string {
  const perCloud = smoke.clouds
    .map((cloud) => {
      const results = smoke.results.filter((result) => result.cloud === cloud);
      return `${cloud} ${results.filter((result) => result.ok).length}/${results.length}`;
    })
    .join(', ');
  const failures = smoke.results.filter((result) => !result.ok).length;
  const p95 = percentile(
    smoke.results.filter((result) => result.status !== undefined).map((result) => result.latencyMs),
    0.95,
  );
  return row([
    'smoke',
    shortSplit(initialSplit),
    ...labels.map(() => '—'),
    '—',
    '—',
    perCloud,
    String(failures),
    p95 === undefined ? '—' : `${p95} ms`,
  ]);
}

function stepRow(step: StepRecord, labels: readonly string[]): string {
  const routers = labels.map((label) => {
    const result = step.routers.find((entry) => entry.label === label);
    if (!result) return '—';
    if (result.error) return `failed: ${result.error}`;
    const change = result.change;
    if (!change) return '—';
    if (change.status === 'unchanged') return 'unchanged';
    return `${change.status} ${formatDuration(change.durationMs)}${change.note ? ` (${change.note})` : ''}`;
  });
  const bake = step.bake;
  return row([
    String(step.index),
    shortSplit(step.split),
    ...routers,
    step.routers.some((entry) => entry.error) ? '—' : formatDuration(step.inForceMs),
    bake ? formatDuration(bake.durationMs) : '—',
    bake && bake.overall.probes > 0 ? String(bake.overall.probes) : '—',
    errorsCell(bake?.overall),
    p95Cell(bake?.overall),
  ]);
}

function rollbackRow(
  report: RolloutReport,
  rollback: RollbackRecord,
  initialSplit: Split,
  labels: readonly string[],
): string {
  // Each router goes back to what it held, which is not the same split when they disagreed.
  const startSplits = new Map(report.readings.map(({ label, reading }) => [label, reading.split]));
  const agreed = [...startSplits.values()].every(
    (split) => split !== undefined && sameSplit(split, initialSplit),
  );
  const routers = labels.map((label) => {
    const entry = rollback.routers.find((router) => router.label === label);
    if (!entry) return '—';
    if (entry.status === 'untouched') return 'untouched';
    if (entry.status === 'taken-over') return 'left to another shift';
    if (entry.status === 'failed') return `FAILED: ${entry.error ?? ''}`;
    const split = startSplits.get(label);
    const restored = agreed || !split ? 'restored' : `restored ${shortSplit(split)}`;
    if (!entry.change) return `${restored} (${entry.error ?? 'unconfirmed'})`;
    return `${restored} ${formatDuration(entry.change.durationMs)}`;
  });
  return row([
    'rollback',
    agreed ? shortSplit(initialSplit) : 'as at the start',
    ...routers,
    formatDuration(rollback.durationMs),
    '—',
    '—',
    '—',
    '—',
  ]);
}

function probesPerCloud(report: RolloutReport): string[] {
  if (!report.steps.some((step) => step.bake && step.bake.byCloud.size > 0)) return [];
  const lines = [
    '<details><summary>Probes per cloud</summary>',
    '',
    '| step | cloud | probes | errors | p95 |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const step of report.steps) {
    for (const [cloud, stats] of step.bake?.byCloud ?? []) {
      lines.push(
        `| ${step.index} | ${cloud} | ${stats.probes} | ${errorsCell(stats)} | ${p95Cell(stats)} |`,
      );
    }
  }
  return [...lines, '', '</details>', ''];
}

function chart(report: RolloutReport): string[] {
  if (!report.initialSplit || report.steps.length === 0) return [];
  const [first] = CLOUDS;
  const labels = ['"start"'];
  const shares: number[] = [report.initialSplit[first]];
  const errors: number[] = [0];
  for (const step of report.steps) {
    labels.push(`"step ${step.index}"`);
    shares.push(step.split[first]);
    errors.push(Math.round((step.bake?.overall.errorRate ?? 0) * 1000) / 10);
  }
  if (report.rollback) {
    labels.push('"rollback"');
    shares.push(report.initialSplit[first]);
    errors.push(0);
  }
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${first.toUpperCase()} share of traffic (%) and probe error rate (%)"`,
    `  x-axis [${labels.join(', ')}]`,
    '  y-axis "percent" 0 --> 100',
    `  line [${shares.join(', ')}]`,
    `  bar [${errors.join(', ')}]`,
    '```',
  ];
}

/** Why it rolled back, where every router stands now, and what to do when it did not finish. */
function rollbackDetails(report: RolloutReport): string[] {
  const lines: string[] = [];
  if (report.rollback) {
    lines.push('', `**Rollback** (${report.rollback.reason}):`, '');
    for (const router of report.rollback.routers) {
      const state =
        router.status === 'restored'
          ? `restored to ${router.holds}${router.error ? ` (${router.error})` : ''}`
          : router.status === 'untouched'
            ? `untouched, holds ${router.holds}`
            : router.status === 'taken-over'
              ? `not restored: another shift changed it since; it holds ${router.holds}`
              : `rollback FAILED (${router.error ?? 'unknown error'}); it now holds ${router.holds}`;
      lines.push(`- ${router.label}: ${state}`);
    }
    lines.push(
      '',
      `Initial split restored ${formatDuration(report.rollback.detectionToRestoredMs)} after the failure was detected.`,
    );
  }
  if (report.outcome === 'rollback-failed') {
    lines.push(
      '',
      '> [!CAUTION]',
      '> The rollback did not finish: check each router above and set the weights by hand or re-run this workflow with the initial split as the target.',
    );
  }
  return lines;
}
