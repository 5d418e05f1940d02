import * as core from '@actions/core';
import { Route53Client } from '@aws-sdk/client-route-53';
import { CdnManagementClient } from '@azure/arm-cdn';
import { InputError } from '../../shared/src/inputs/index.js';
import { azureCredential } from './azure-credential.js';
import { httpProber } from './probes/http-prober.js';
import { renderSummary } from './report/summary.js';
import { CancelledError, runRollout, type RolloutReport } from './rollout/engine.js';
import { finalClientSplit } from './rollout/effective-split.js';
import { DEFAULT_RETRY_POLICY } from './rollout/retry.js';
import type { TrafficRouter } from './rollout/router.js';
import { formatSplit } from './rollout/split.js';
import { FrontDoorRouter } from './routers/front-door-router.js';
import { Route53Router } from './routers/route53-router.js';
import { readSettings, type Settings } from './settings.js';

/** Query parameters that carry a credential in a health URL (Azure Functions' `code`...). */
const SECRET_QUERY = /code|key|token|secret|password|sig/i;

/** A health URL may carry a key or a password: mask it before anything can print it. */
function maskUrlSecrets(url: string): void {
  const parsed = new URL(url);
  const secrets = [decodeURIComponent(parsed.password)];
  for (const [name, value] of parsed.searchParams) {
    if (SECRET_QUERY.test(name)) secrets.push(value, encodeURIComponent(value));
  }
  for (const secret of secrets) if (secret !== '') core.setSecret(secret);
}

interface Wiring {
  routers: TrafficRouter[];
  dispose(): void;
}

function wire(settings: Settings): Wiring {
  const routers: TrafficRouter[] = [];
  const disposers: (() => void)[] = [];
  const common = {
    policy: DEFAULT_RETRY_POLICY,
    pollIntervalMs: settings.changePollMs,
    onRetry: (text: string) => core.info(`  ${text}`),
  };
  if (settings.route53) {
    const client = new Route53Client({
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      // Retries are counted and bounded by the engine's policy, not the SDK's.
      maxAttempts: 1,
      ...(settings.route53.endpoint ? { endpoint: settings.route53.endpoint } : {}),
    });
    disposers.push(() => client.destroy());
    routers.push(new Route53Router(client, settings.route53, common));
  }
  if (settings.frontDoor) {
    const { resourceManagerUrl, subscriptionId } = settings.frontDoor;
    const client = new CdnManagementClient(azureCredential(), subscriptionId, {
      endpoint: resourceManagerUrl,
      credentialScopes: [`${new URL(resourceManagerUrl).origin}/.default`],
      retryOptions: { maxRetries: 0 },
    });
    routers.push(new FrontDoorRouter(client, settings.frontDoor, common));
  }
  return { routers, dispose: () => disposers.forEach((dispose) => dispose()) };
}

function setOutputs(report: RolloutReport): void {
  core.setOutput('initial-split', report.initialSplit ? formatSplit(report.initialSplit) : '');
  core.setOutput('final-split', report.finalSplit);
  core.setOutput('steps-completed', String(report.stepsCompleted));
  core.setOutput('rolled-back', String(report.rollback !== undefined));
  core.setOutput('failure-reason', report.failureReason ?? '');
  const clients = finalClientSplit(report);
  core.setOutput('client-split', clients ? formatSplit(clients) : '');
}

export async function run(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      core.warning(
        `Received ${name} again: the rollback keeps running until every router is restored.`,
      );
      return;
    }
    core.warning(`Received ${name}: stopping the rollout and restoring the initial split.`);
    controller.abort(new CancelledError(name));
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  let wiring: Wiring | undefined;
  try {
    const settings = readSettings();
    for (const url of Object.values(settings.smokeUrls ?? {})) maskUrlSecrets(url);
    if (settings.publicHealthUrl) maskUrlSecrets(settings.publicHealthUrl);
    wiring = wire(settings);
    const report = await runRollout(
      {
        target: settings.target,
        steps: settings.steps,
        bakeMs: settings.bakeMs,
        probeIntervalMs: settings.probeIntervalMs,
        thresholds: {
          maxErrorRate: settings.maxErrorRate,
          maxP95LatencyMs: settings.maxP95LatencyMs,
          minProbes: settings.minProbesPerStep,
        },
        dryRun: settings.dryRun,
        changeTimeoutMs: settings.changeTimeoutMs,
        ...(settings.canary ? { canary: settings.canary } : {}),
        emergency: settings.emergency,
        ...(settings.expectedInitialSplit ? { expectedStart: settings.expectedInitialSplit } : {}),
      },
      {
        routers: wiring.routers,
        prober: settings.smokeUrls
          ? httpProber({
              urls: settings.smokeUrls,
              ...(settings.publicHealthUrl ? { publicUrl: settings.publicHealthUrl } : {}),
              expectedStatus: settings.smokeExpectedStatus,
              timeoutMs: Math.max(2 * settings.maxP95LatencyMs, 1000),
            })
          : undefined,
        log: { info: (text) => core.info(text), warning: (text) => core.warning(text) },
      },
      controller.signal,
    );
    setOutputs(report);
    await core.summary.addRaw(renderSummary(report)).write();
    if (report.failureReason) core.setFailed(`traffic-shift: ${report.failureReason}`);
  } catch (error) {
    if (error instanceof InputError) {
      core.setFailed(error.message);
    } else {
      core.setFailed(
        `traffic-shift failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } finally {
    wiring?.dispose();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}
