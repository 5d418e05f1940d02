/**
 * The canary analysis in the job summary: one table row per step, path and metric (both sides'
 * figures, the difference, the test, its p-value, what it could detect, the verdict), a chart of
 * both clouds' median latency per step, the verdict with its reason, and the power the probes
 * gave each step.
 */
import {
  CANARY_POWER,
  formatMs,
  formatP,
  formatPercent,
  formatPoints,
  type CanaryJudgement,
  type MetricVerdict,
} from '../canary/canary-analysis.js';
import type { RolloutReport, StepRecord } from '../rollout/rollout-report.js';

type JudgedStep = StepRecord & { readonly canary: CanaryJudgement };

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function sideText(metric: MetricVerdict, side: 'canary' | 'baseline'): string {
  const { n, value } = metric[side];
  if (value === undefined) return `— (${n})`;
  return metric.metric === 'errors'
    ? `${formatPercent(value)} of ${n}`
    : `${formatMs(value)} (${n})`;
}

function differenceText(metric: MetricVerdict): string {
  if (metric.difference === undefined) return '—';
  return metric.metric === 'errors'
    ? formatPoints(metric.difference)
    : formatMs(metric.difference, true);
}

function detectableText(metric: MetricVerdict): string {
  if (metric.detectable === undefined) return 'none (too few samples)';
  return metric.metric === 'errors'
    ? `≥ ${formatPoints(metric.detectable)}`
    : `≥ ${formatMs(metric.detectable, true)}`;
}

function verdictText(metric: MetricVerdict): string {
  if (metric.outcome === 'fail') return `**fail**: ${metric.why}`;
  if (metric.outcome === 'not judged') return `not judged: ${metric.why}`;
  return 'pass';
}

function tableRows(steps: readonly JudgedStep[]): string[] {
  const rows: string[] = [];
  for (const step of steps) {
    for (const metric of step.canary.metrics) {
      rows.push(
        `| ${[
          String(step.index),
          metric.path === 'cells' ? 'cells' : 'public name',
          metric.metric,
          sideText(metric, 'canary'),
          sideText(metric, 'baseline'),
          differenceText(metric),
          metric.test,
          metric.pValue === undefined ? '—' : formatP(metric.pValue),
          detectableText(metric),
          verdictText(metric),
        ]
          .map(cell)
          .join(' | ')} |`,
      );
    }
  }
  return rows;
}

function latencyChart(steps: readonly JudgedStep[], canary: string, baseline: string): string[] {
  const medians = steps.map((step) => {
    const latency = step.canary.metrics.find(
      (metric) => metric.path === 'cells' && metric.metric === 'latency',
    );
    return {
      canary: Math.round(latency?.canary.value ?? 0),
      baseline: Math.round(latency?.baseline.value ?? 0),
    };
  });
  const top = Math.max(10, ...medians.flatMap((median) => [median.canary, median.baseline]));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "Median latency through the cells (ms): bars ${canary} (new version), line ${baseline} (baseline)"`,
    `  x-axis [${steps.map((step) => `"step ${step.index}"`).join(', ')}]`,
    `  y-axis "ms" 0 --> ${Math.ceil((top * 1.2) / 10) * 10}`,
    `  bar [${medians.map((median) => median.canary).join(', ')}]`,
    `  line [${medians.map((median) => median.baseline).join(', ')}]`,
    '```',
  ];
}

/** How many probes each step had and what they could detect, in one sentence per step. */
function powerLines(steps: readonly JudgedStep[], alpha: number): string[] {
  return steps.map((step) => {
    const errors = step.canary.metrics.find((m) => m.path === 'cells' && m.metric === 'errors');
    const latency = step.canary.metrics.find((m) => m.path === 'cells' && m.metric === 'latency');
    const probes = errors ? `${errors.canary.n} and ${errors.baseline.n} probes` : 'no probes';
    return `- step ${step.index}: ${probes} through the cells; ${CANARY_POWER * 100} % of the time (α = ${alpha}) they detect a latency shift ${latency ? detectableText(latency) : '—'} and an error-rate rise ${errors ? detectableText(errors) : '—'}.`;
  });
}

export function canarySection(report: RolloutReport): string[] {
  const steps = report.steps.filter((step): step is JudgedStep => step.canary !== undefined);
  const first = steps[0]?.canary;
  if (!first) return [];
  const failed = steps.find((step) => step.canary.outcome === 'fail');
  const tolerances = first.metrics;
  const errorTolerance = tolerances.find((metric) => metric.metric === 'errors')?.tolerance ?? 0;
  const latencyTolerance = tolerances.find((metric) => metric.metric === 'latency')?.tolerance ?? 0;
  return [
    '',
    `**Canary analysis: ${first.canary} (new version) against ${first.baseline} (the live baseline)**, measured in the same window through each cell and the public host name. Each test is one-sided at α = ${first.alpha}; a metric fails when ${first.canary} is worse with p < α and by more than its tolerance (errors ${formatPoints(errorTolerance)}, latency ${formatMs(latencyTolerance, true)}).`,
    '',
    `| step | path | metric | ${first.canary} (canary) | ${first.baseline} (baseline) | difference | test | p | detectable (${CANARY_POWER * 100} % power) | verdict |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...tableRows(steps),
    '',
    ...latencyChart(steps, first.canary, first.baseline),
    '',
    failed
      ? `**Verdict: fail** at step ${failed.index}: ${failed.canary.reason}.`
      : `**Verdict: pass**: ${first.canary} is not worse than ${first.baseline} beyond the tolerances at any step.`,
    '',
    '**Power** (the smallest difference each step would catch):',
    ...powerLines(steps, first.alpha),
  ];
}
