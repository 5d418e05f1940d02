/**
 * Route 53 adapter: one weighted record set (same name and type), one record per cloud told
 * apart by SetIdentifier. A split maps to weights 0-100 (of Route 53's 0-255); every step is ONE
 * ChangeResourceRecordSets batch that UPSERTs every record with everything else kept as read
 * (TTL, values or alias target, health check), then GetChange until INSYNC.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { RouterChange, RouterReading, TrafficRouter } from '../rollout/router.js';
import {
  bindAdapterCalls,
  type AdapterCall,
  type RouterAdapterOptions,
  sleep,
  type RetryDecision,
} from '../rollout/retry.js';
import {
  CLOUDS,
  splitFromWeights,
  type Cloud,
  type PerCloud,
  type Split,
} from '../rollout/split.js';

export interface Route53Target {
  readonly hostedZoneId: string;
  readonly recordName: string;
  readonly recordType: string;
  readonly setIdentifiers: PerCloud<string>;
}

interface Route53Reading extends RouterReading {
  readonly records: PerCloud<ResourceRecordSet>;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'PriorRequestNotComplete',
  'RequestLimitExceeded',
]);

export function classifyAwsError(error: unknown): RetryDecision {
  const { name, $metadata, message } = error as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (name && THROTTLING.has(name)) return { retry: true, reason: name };
  const status = $metadata?.httpStatusCode;
  if (status !== undefined && status >= 500)
    return { retry: true, reason: `HTTP ${status} ${name ?? ''}`.trim() };
  if (
    status === undefined &&
    name !== 'CredentialsProviderError' &&
    /ECONNRESET|ECONNREFUSED|socket hang up|ETIMEDOUT|EPIPE/.test(
      `${message ?? ''} ${(error as { code?: string }).code ?? ''}`,
    )
  ) {
    return { retry: true, reason: message ?? 'network error' };
  }
  return { retry: false, reason: name ?? 'error' };
}

function describeAwsError(error: unknown): string {
  const { name, message } = error as { name?: string; message?: string };
  if (name && message && !message.startsWith(name)) return `${name}: ${message}`;
  return message ?? String(error);
}

function describeWeights(weights: PerCloud<number>): string {
  return `${CLOUDS.map((cloud) => `${cloud}=${weights[cloud]}`).join(', ')} (weights of 255)`;
}

/** Route 53 stores names lower case with a trailing dot. */
export function normalizeRecordName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

export class Route53Router implements TrafficRouter {
  readonly id = 'route53';
  readonly label = 'Route 53';
  private known: PerCloud<ResourceRecordSet> | undefined;

  private readonly call: AdapterCall;

  constructor(
    private readonly client: Route53Client,
    private readonly target: Route53Target,
    private readonly options: RouterAdapterOptions,
  ) {
    this.call = bindAdapterCalls({
      classify: classifyAwsError,
      describe: describeAwsError,
      policy: options.policy,
      label: this.label,
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    });
  }

  async read(signal: AbortSignal): Promise<RouterReading> {
    const counters = { calls: 0, retries: 0 };
    const name = normalizeRecordName(this.target.recordName);
    const type = this.target.recordType.toUpperCase();
    const found: ResourceRecordSet[] = [];
    let start: { name: string; type: string; identifier?: string } | undefined = { name, type };
    while (start) {
      const page = await this.call('ListResourceRecordSets', counters, signal, () =>
        this.client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: this.target.hostedZoneId,
            StartRecordName: start?.name,
            StartRecordType: start?.type as ResourceRecordSet['Type'],
            StartRecordIdentifier: start?.identifier,
          }),
          { abortSignal: signal },
        ),
      );
      const sets = page.ResourceRecordSets ?? [];
      const matching = sets.filter((set) => set.Name?.toLowerCase() === name && set.Type === type);
      found.push(...matching);
      // Pages are in name/type order: once a page holds another name or type we are past ours.
      const pastOurs = sets.some((set) => !(set.Name?.toLowerCase() === name && set.Type === type));
      start =
        page.IsTruncated && !pastOurs && page.NextRecordName
          ? {
              name: page.NextRecordName,
              type: page.NextRecordType ?? type,
              ...(page.NextRecordIdentifier ? { identifier: page.NextRecordIdentifier } : {}),
            }
          : undefined;
    }
    const records = {} as Record<Cloud, ResourceRecordSet>;
    for (const cloud of CLOUDS) {
      const identifier = this.target.setIdentifiers[cloud];
      const record = found.find((set) => set.SetIdentifier === identifier);
      if (!record) {
        const present = found.map((set) => set.SetIdentifier ?? '(none)').join(', ') || 'none';
        throw new Error(
          `Route 53 zone ${this.target.hostedZoneId} has no record ${name} ${type} with set identifier '${identifier}' (${cloud}); set identifiers found: ${present}`,
        );
      }
      if (record.Weight === undefined) {
        throw new Error(
          `Route 53 record ${name} ${type} '${identifier}' is not weighted (it has no Weight); traffic-shift needs a weighted record set`,
        );
      }
      records[cloud] = record;
    }
    this.known = records;
    const ours = new Set(CLOUDS.map((cloud) => this.target.setIdentifiers[cloud]));
    const others = found.filter(
      (set) => !ours.has(set.SetIdentifier ?? '') && (set.Weight ?? 0) > 0,
    );
    return this.readingOf(
      records,
      others.length > 0
        ? [
            `other weighted records share this name and type (${others
              .map((set) => `${set.SetIdentifier ?? '(none)'}=${set.Weight ?? 0}`)
              .join(', ')}): they take part of the traffic and the shift leaves them as they are`,
          ]
        : [],
    );
  }

  private readingOf(records: PerCloud<ResourceRecordSet>, notes: string[] = []): Route53Reading {
    const weights = Object.fromEntries(
      CLOUDS.map((cloud) => [cloud, records[cloud].Weight ?? 0]),
    ) as PerCloud<number>;
    const warnings: string[] = [...notes];
    const split = splitFromWeights(weights);
    if (!split) {
      // All weights 0: Route 53 answers with every record in equal shares. A restore writes
      // that equal split as weights, never all zeros.
      const equal = splitFromWeights(
        Object.fromEntries(CLOUDS.map((cloud) => [cloud, 1])) as PerCloud<number>,
      ) as Split;
      warnings.push('every weight is 0, which Route 53 treats as an equal split');
      return {
        split: equal,
        description: describeWeights(weights),
        restoredAs: describeWeights(equal),
        warnings,
        records,
      };
    }
    return { split, description: describeWeights(weights), warnings, records };
  }

  describe(split: Split): string {
    return `one change batch: UPSERT ${CLOUDS.map((cloud) => `${this.target.setIdentifiers[cloud]} weight ${split[cloud]}`).join(', ')}`;
  }

  apply(split: Split, signal: AbortSignal): Promise<RouterChange> {
    return this.write(
      Object.fromEntries(CLOUDS.map((cloud) => [cloud, split[cloud]])) as PerCloud<number>,
      signal,
    );
  }

  restore(reading: RouterReading, signal: AbortSignal): Promise<RouterChange> {
    const { records, split } = reading as Route53Reading;
    const weights = Object.fromEntries(
      CLOUDS.map((cloud) => [cloud, records[cloud].Weight ?? 0]),
    ) as PerCloud<number>;
    // All zeros read means an equal split: put that back as weights (split is then equal).
    const allZero = CLOUDS.every((cloud) => weights[cloud] === 0);
    return this.write(allZero && split ? { ...split } : weights, signal);
  }

  private async write(weights: PerCloud<number>, signal: AbortSignal): Promise<RouterChange> {
    if (CLOUDS.every((cloud) => weights[cloud] === 0)) {
      // Route 53 reads all zeros as an equal split: a write must never produce it.
      throw new Error('refusing to write weight 0 on every Route 53 record (an equal split)');
    }
    const counters = { calls: 0, retries: 0 };
    const started = Date.now();
    if (!this.known) await this.read(signal);
    const known = this.known as PerCloud<ResourceRecordSet>;
    if (CLOUDS.every((cloud) => known[cloud].Weight === weights[cloud])) {
      return {
        status: 'unchanged',
        writes: 0,
        calls: counters.calls,
        retries: 0,
        durationMs: 0,
        detail: 'weights already in place',
      };
    }
    const next = Object.fromEntries(
      CLOUDS.map((cloud) => [cloud, { ...known[cloud], Weight: weights[cloud] }]),
    ) as Record<Cloud, ResourceRecordSet>;
    // Until the batch is confirmed the live weights are unknown: the next write must not be skipped.
    this.known = undefined;
    const result = await this.call('ChangeResourceRecordSets', counters, signal, () =>
      this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.target.hostedZoneId,
          ChangeBatch: {
            Comment: `traffic-shift: ${CLOUDS.map((cloud) => `${cloud}=${weights[cloud]}`).join(',')}`,
            Changes: CLOUDS.map((cloud) => ({ Action: 'UPSERT', ResourceRecordSet: next[cloud] })),
          },
        }),
        { abortSignal: signal },
      ),
    );
    this.known = next;
    let status = result.ChangeInfo?.Status ?? 'PENDING';
    const id = result.ChangeInfo?.Id;
    while (status !== 'INSYNC' && id) {
      await sleep(this.options.pollIntervalMs, signal);
      const change = await this.call('GetChange', counters, signal, () =>
        this.client.send(new GetChangeCommand({ Id: id }), { abortSignal: signal }),
      );
      status = change.ChangeInfo?.Status ?? status;
    }
    return {
      status,
      writes: 1,
      calls: counters.calls,
      retries: counters.retries,
      durationMs: Date.now() - started,
      detail: `1 change batch${counters.retries > 0 ? `, ${counters.retries} retries` : ''}`,
    };
  }
}
