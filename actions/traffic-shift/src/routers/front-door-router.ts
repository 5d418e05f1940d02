/**
 * Azure Front Door (Standard/Premium) adapter: one origin group, one origin per cloud. A split
 * maps to weights 1-1000 (percent x 10); 0 % is `enabledState: Disabled` because weight 0 is
 * invalid, and coming back from 0 % is enable + weight. One update (a long-running PATCH) per
 * origin that changes; origins that end enabled are updated before any is disabled, so the
 * group never has every origin disabled in between.
 */
import type { AFDOrigin, CdnManagementClient } from '@azure/arm-cdn';
import type { RouterChange, RouterReading, TrafficRouter } from '../rollout/router.js';
import {
  bindAdapterCalls,
  type AdapterCall,
  type RouterAdapterOptions,
  type RetryDecision,
} from '../rollout/retry.js';
import {
  CLOUDS,
  splitFromWeights,
  type Cloud,
  type PerCloud,
  type Split,
} from '../rollout/split.js';

export interface FrontDoorTarget {
  readonly resourceGroup: string;
  readonly profile: string;
  readonly originGroup: string;
  readonly origins: PerCloud<string>;
}

interface OriginState {
  readonly weight: number;
  readonly enabled: boolean;
  /** Read, never written: 1-5, lower first. */
  readonly priority?: number;
}

interface FrontDoorReading extends RouterReading {
  readonly origins: PerCloud<OriginState>;
}

export function weightFor(percent: number): number {
  return percent * 10;
}

export function classifyAzureError(error: unknown): RetryDecision {
  const { statusCode, code, response } = error as {
    statusCode?: number;
    code?: string;
    response?: { headers?: { get(name: string): string | undefined } };
  };
  if (statusCode === 429) {
    const retryAfter = Number(response?.headers?.get('retry-after'));
    return {
      retry: true,
      reason: `HTTP 429 ${code ?? 'TooManyRequests'}`,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0
        ? { afterMs: Math.min(retryAfter * 1000, 60_000) }
        : {}),
    };
  }
  if (statusCode !== undefined && statusCode >= 500)
    return { retry: true, reason: `HTTP ${statusCode} ${code ?? ''}`.trim() };
  if (
    statusCode === undefined &&
    /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|REQUEST_SEND_ERROR)$/.test(code ?? '')
  ) {
    return { retry: true, reason: code ?? 'network error' };
  }
  return { retry: false, reason: code ?? 'error' };
}

function describeAzureError(error: unknown): string {
  const { statusCode, code, message } = error as {
    statusCode?: number;
    code?: string;
    message?: string;
  };
  const prefix = [statusCode ? `HTTP ${statusCode}` : undefined, code].filter(Boolean).join(' ');
  return prefix ? `${prefix}: ${message ?? ''}` : (message ?? String(error));
}

function describeOrigins(origins: PerCloud<OriginState>): string {
  return CLOUDS.map((cloud) =>
    origins[cloud].enabled
      ? `${cloud}=${origins[cloud].weight}`
      : `${cloud} disabled (weight ${origins[cloud].weight})`,
  ).join(', ');
}

/**
 * When one cloud's origin has the best priority alone, Front Door sits behind that cloud's DNS
 * record and the others are backups (ADR 16): it sends all its traffic to that origin while it
 * is enabled (and healthy), else to the backups. Weights then rank nothing across priorities.
 */
export function edgeOf(origins: PerCloud<OriginState>): RouterReading['edge'] | undefined {
  const priority = (cloud: Cloud) => origins[cloud].priority ?? 1;
  const best = Math.min(...CLOUDS.map(priority));
  const primaries = CLOUDS.filter((cloud) => priority(cloud) === best);
  if (primaries.length !== 1) return undefined;
  const behind = primaries[0] as Cloud;
  const target = origins[behind].enabled
    ? behind
    : CLOUDS.find((cloud) => cloud !== behind && origins[cloud].enabled);
  const carries = Object.fromEntries(
    CLOUDS.map((cloud) => [cloud, cloud === target ? 100 : 0]),
  ) as Split;
  return { behind, carries };
}

export class FrontDoorRouter implements TrafficRouter {
  readonly id = 'frontdoor';
  readonly label = 'Front Door';
  private known = new Map<Cloud, OriginState>();

  private readonly call: AdapterCall;

  constructor(
    private readonly client: CdnManagementClient,
    private readonly target: FrontDoorTarget,
    private readonly options: RouterAdapterOptions,
  ) {
    this.call = bindAdapterCalls({
      classify: classifyAzureError,
      describe: describeAzureError,
      policy: options.policy,
      label: this.label,
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    });
  }

  async read(signal: AbortSignal): Promise<RouterReading> {
    const counters = { calls: 0, retries: 0 };
    const { resourceGroup, profile, originGroup } = this.target;
    const [group, ...origins] = await Promise.all([
      this.call(`get origin group ${originGroup}`, counters, signal, () =>
        this.client.afdOriginGroups.get(resourceGroup, profile, originGroup, {
          abortSignal: signal,
        }),
      ),
      ...CLOUDS.map((cloud) =>
        this.call(`get origin ${this.target.origins[cloud]}`, counters, signal, () =>
          this.client.afdOrigins.get(
            resourceGroup,
            profile,
            originGroup,
            this.target.origins[cloud],
            { abortSignal: signal },
          ),
        ),
      ),
    ]);
    const states = Object.fromEntries(
      CLOUDS.map((cloud, index) => {
        const origin = origins[index] as AFDOrigin;
        return [
          cloud,
          {
            weight: origin.weight ?? 1000,
            enabled: origin.enabledState !== 'Disabled',
            priority: origin.priority ?? 1,
          },
        ];
      }),
    ) as Record<Cloud, OriginState>;
    this.known = new Map(CLOUDS.map((cloud) => [cloud, states[cloud]]));
    const warnings: string[] = [];
    const latency = group.loadBalancingSettings?.additionalLatencyInMilliseconds;
    if (latency === 0) {
      warnings.push(
        `origin group ${originGroup} has a latency sensitivity of 0 ms: Front Door sends every request to the fastest origin and the weights do nothing. Set additional_latency_in_milliseconds (500 or more) in the global-routing Terraform module.`,
      );
    }
    const split = splitFromWeights(
      Object.fromEntries(
        CLOUDS.map((cloud) => [cloud, states[cloud].enabled ? states[cloud].weight : 0]),
      ) as PerCloud<number>,
    );
    if (!split) warnings.push('every origin is disabled: Front Door sends this traffic nowhere');
    const edge = edgeOf(states);
    if (edge && edge.carries[edge.behind] === 0 && split) {
      warnings.push(
        `the ${edge.behind} origin is disabled: Front Door sends all its traffic to the backup origin`,
      );
    }
    return {
      split,
      description: describeOrigins(states),
      warnings,
      origins: states,
      ...(edge ? { edge } : {}),
    } as FrontDoorReading;
  }

  private desired(split: Split): PerCloud<OriginState> {
    return Object.fromEntries(
      CLOUDS.map((cloud) => [
        cloud,
        split[cloud] > 0
          ? { weight: weightFor(split[cloud]), enabled: true }
          : // Weight 0 is invalid: 0 % disables the origin and leaves its weight as it is.
            { weight: this.known.get(cloud)?.weight ?? 1000, enabled: false },
      ]),
    ) as PerCloud<OriginState>;
  }

  describe(split: Split): string {
    const wanted = this.desired(split);
    return CLOUDS.map((cloud) => {
      const origin = this.target.origins[cloud];
      if (!wanted[cloud].enabled) return `${origin} disabled`;
      return this.known.get(cloud)?.enabled === false
        ? `${origin} enabled, weight ${wanted[cloud].weight}`
        : `${origin} weight ${wanted[cloud].weight}`;
    }).join(', ');
  }

  apply(split: Split, signal: AbortSignal): Promise<RouterChange> {
    return this.write(this.desired(split), signal);
  }

  restore(reading: RouterReading, signal: AbortSignal): Promise<RouterChange> {
    return this.write((reading as FrontDoorReading).origins, signal);
  }

  private async write(wanted: PerCloud<OriginState>, signal: AbortSignal): Promise<RouterChange> {
    const counters = { calls: 0, retries: 0 };
    const started = Date.now();
    const changes = CLOUDS.filter((cloud) => {
      const current = this.known.get(cloud);
      if (!current) return true;
      return current.enabled !== wanted[cloud].enabled || current.weight !== wanted[cloud].weight;
    });
    if (changes.length === 0) {
      return {
        status: 'unchanged',
        writes: 0,
        calls: 0,
        retries: 0,
        durationMs: 0,
        detail: 'origins already in place',
      };
    }
    const update = async (cloud: Cloud) => {
      const state = wanted[cloud];
      const origin = this.target.origins[cloud];
      // Unknown until the operation succeeds: a failed update must not be skipped next time.
      this.known.delete(cloud);
      await this.call(`update of origin ${origin}`, counters, signal, () =>
        this.client.afdOrigins.beginUpdateAndWait(
          this.target.resourceGroup,
          this.target.profile,
          this.target.originGroup,
          origin,
          // The weight goes with a disable too, so a restore puts back exactly what was read.
          { weight: state.weight, enabledState: state.enabled ? 'Enabled' : 'Disabled' },
          { abortSignal: signal, updateIntervalInMs: this.options.pollIntervalMs },
        ),
      );
      this.known.set(cloud, state);
    };
    // Enable and re-weight first, disable last: never every origin disabled at once.
    const enabling = changes.filter((cloud) => wanted[cloud].enabled);
    const disabling = changes.filter((cloud) => !wanted[cloud].enabled);
    for (const batch of [enabling, disabling]) {
      // Settle every update of a batch before failing, so none runs on behind the rollback.
      const outcomes = await Promise.allSettled(batch.map(update));
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    }
    return {
      status: 'Succeeded',
      writes: changes.length,
      calls: counters.calls,
      retries: counters.retries,
      durationMs: Date.now() - started,
      ...(disabling.length > 0
        ? { note: disabling.map((cloud) => `${cloud} disabled`).join(', ') }
        : {}),
      detail: [
        ...changes.map((cloud) =>
          wanted[cloud].enabled ? `${cloud} weight ${wanted[cloud].weight}` : `${cloud} disabled`,
        ),
        ...(counters.retries > 0 ? [`${counters.retries} retries`] : []),
      ].join(', '),
    };
  }
}
