/**
 * The job summary: what happened at each step on each router, what the probes saw, and, on a
 * rollback, why and what every router holds now. Markdown plus a mermaid chart of the split
 * and the probe error rate over time.
 */
import type { ProbeStats } from '../rollout/probe-stats.js';
import type { RolloutReport, StepRecord } from '../rollout/rollout-report.js';
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
  }
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
  return `| ${[
    String(step.index),
    shortSplit(step.split),
    ...routers,
    step.routers.some((entry) => entry.error) ? '—' : formatDuration(step.inForceMs),
    bake ? formatDuration(bake.durationMs) : '—',
    bake && bake.overall.probes > 0 ? String(bake.overall.probes) : '—',
    errorsCell(bake?.overall),
    p95Cell(bake?.overall),
  ]
    .map(cell)
    .join(' | ')} |`;
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

export function renderSummary(report: RolloutReport): string {
  const lines: string[] = [title(report), ''];
  const labels = report.readings.map((entry) => entry.label);

  if (report.readings.length > 0) {
    lines.push('**Routers at the start**', '');
    for (const { label, reading } of report.readings) {
      lines.push(
        `- ${label}: ${reading.description}${reading.split ? ` → ${formatSplit(reading.split)}` : ''}`,
      );
      for (const warning of reading.warnings) lines.push(`  - ⚠️ ${warning}`);
    }
    lines.push('');
  }

  if (report.outcome === 'dry-run' && report.planDetails.length > 0) {
    lines.push(`| step | split (${CLOUDS.join('/')}) | ${labels.join(' | ')} |`);
    lines.push(`|${' --- |'.repeat(2 + labels.length)}`);
    for (const [index, detail] of report.planDetails.entries()) {
      const writes = labels.map(
        (label) => detail.writes.find((entry) => entry.label === label)?.writes ?? '—',
      );
      lines.push(
        `| ${[String(index + 1), shortSplit(detail.split), ...writes].map(cell).join(' | ')} |`,
      );
    }
    lines.push('');
  }

  const showTable = report.smoke !== undefined || report.steps.length > 0;
  if (showTable) {
    lines.push(
      `| step | split (${CLOUDS.join('/')}) | ${labels.join(' | ')} | in force after | held for | probes | errors | p95 |`,
    );
    lines.push(`|${' --- |'.repeat(7 + labels.length)}`);
    if (report.smoke && report.initialSplit) {
      const perCloud = report.smoke.clouds
        .map((cloud) => {
          const results = report.smoke?.results.filter((result) => result.cloud === cloud) ?? [];
          return `${cloud} ${results.filter((result) => result.ok).length}/${results.length}`;
        })
        .join(', ');
      const failures = report.smoke.results.filter((result) => !result.ok).length;
      const latencies = report.smoke.results
        .filter((result) => result.status !== undefined)
        .map((result) => result.latencyMs);
      const sorted = [...latencies].sort((a, b) => a - b);
      const p95 =
        sorted.length > 0 ? sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)] : undefined;
      lines.push(
        `| ${[
          'smoke',
          shortSplit(report.initialSplit),
          ...labels.map(() => '—'),
          '—',
          '—',
          perCloud,
          String(failures),
          p95 === undefined ? '—' : `${p95} ms`,
        ]
          .map(cell)
          .join(' | ')} |`,
      );
    }
    for (const step of report.steps) lines.push(stepRow(step, labels));
    if (report.rollback && report.initialSplit) {
      // Each router goes back to what it held, which is not the same split when they disagreed.
      const startSplits = new Map(
        report.readings.map(({ label, reading }) => [label, reading.split]),
      );
      const agreed = [...startSplits.values()].every(
        (split) => split !== undefined && sameSplit(split, report.initialSplit as Split),
      );
      const routers = labels.map((label) => {
        const entry = report.rollback?.routers.find((router) => router.label === label);
        if (!entry) return '—';
        if (entry.status === 'untouched') return 'untouched';
        if (entry.status === 'failed') return `FAILED: ${entry.error ?? ''}`;
        const split = startSplits.get(label);
        const restored = agreed || !split ? 'restored' : `restored ${shortSplit(split)}`;
        if (!entry.change) return `${restored} (${entry.error ?? 'unconfirmed'})`;
        return `${restored} ${formatDuration(entry.change.durationMs)}`;
      });
      lines.push(
        `| ${[
          'rollback',
          agreed ? shortSplit(report.initialSplit as Split) : 'as at the start',
          ...routers,
          formatDuration(report.rollback.durationMs),
          '—',
          '—',
          '—',
          '—',
        ]
          .map(cell)
          .join(' | ')} |`,
      );
    }
    lines.push('');
  }

  if (report.steps.some((step) => step.bake && step.bake.byCloud.size > 0)) {
    lines.push('<details><summary>Probes per cloud</summary>', '');
    lines.push('| step | cloud | probes | errors | p95 |', '| --- | --- | --- | --- | --- |');
    for (const step of report.steps) {
      for (const [cloud, stats] of step.bake?.byCloud ?? []) {
        lines.push(
          `| ${step.index} | ${cloud} | ${stats.probes} | ${errorsCell(stats)} | ${p95Cell(stats)} |`,
        );
      }
    }
    lines.push('', '</details>', '');
  }

  lines.push(...chart(report));

  if (report.rollback) {
    lines.push('', `**Rollback** (${report.rollback.reason}):`, '');
    for (const router of report.rollback.routers) {
      const state =
        router.status === 'restored'
          ? `restored to ${router.holds}${router.error ? ` (${router.error})` : ''}`
          : router.status === 'untouched'
            ? `untouched, holds ${router.holds}`
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
  return `${lines.join('\n')}\n`;
}
