/**
 * Retries a cloud API call after throttling and server errors, with exponential backoff and
 * full jitter (the AWS and Azure guidance). The SDKs' own retries are turned off in the
 * adapters so that every attempt is counted, logged and bounded by one policy.
 */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 100,
  maxDelayMs: 10_000,
};

export interface RetryDecision {
  readonly retry: boolean;
  /** A server-requested wait (Retry-After), used instead of the backoff when present. */
  readonly afterMs?: number;
  /** How to name the failure in logs ("Throttling", "HTTP 503"). */
  readonly reason: string;
}

export interface RetryCounters {
  calls: number;
  retries: number;
}

export class RetriesExhaustedError extends Error {
  constructor(
    readonly operation: string,
    readonly attempts: number,
    readonly last: unknown,
    reason: string,
  ) {
    super(`${operation} failed after ${attempts} attempts (${reason})`, { cause: last });
    this.name = 'RetriesExhaustedError';
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function withRetries<T>(
  operation: string,
  call: () => Promise<T>,
  options: {
    classify: (error: unknown) => RetryDecision;
    policy: RetryPolicy;
    signal: AbortSignal;
    counters: RetryCounters;
    onRetry?: (message: string) => void;
  },
): Promise<T> {
  const { classify, policy, signal, counters } = options;
  for (let attempt = 1; ; attempt += 1) {
    signal.throwIfAborted();
    counters.calls += 1;
    try {
      return await call();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const decision = classify(error);
      if (!decision.retry) throw error;
      if (attempt >= policy.attempts) {
        throw new RetriesExhaustedError(operation, attempt, error, decision.reason);
      }
      const backoff =
        Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const wait = decision.afterMs ?? backoff;
      counters.retries += 1;
      options.onRetry?.(
        `${operation}: ${decision.reason}; retry ${attempt} of ${policy.attempts - 1} in ${Math.round(wait)} ms`,
      );
      await sleep(wait, signal);
    }
  }
}

/** What a router adapter passes for every one of its API calls. */
export interface AdapterCallOptions {
  readonly classify: (error: unknown) => RetryDecision;
  /** The SDK error in words ("NoSuchHostedZone: No hosted zone found..."). */
  readonly describe: (error: unknown) => string;
  readonly policy: RetryPolicy;
  /** Names the router in retry logs ("Route 53"). */
  readonly label: string;
  readonly onRetry?: (message: string) => void;
}

/**
 * One adapter API call under the retry policy. A cancellation surfaces as the signal's reason,
 * spent retries as RetriesExhaustedError, anything else as an Error naming the operation.
 */
export async function callWithRetries<T>(
  operation: string,
  send: () => Promise<T>,
  options: AdapterCallOptions & { signal: AbortSignal; counters: RetryCounters },
): Promise<T> {
  const { signal } = options;
  try {
    return await withRetries(operation, send, {
      classify: options.classify,
      policy: options.policy,
      signal,
      counters: options.counters,
      onRetry: (text) => options.onRetry?.(`${options.label} ${text}`),
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof RetriesExhaustedError) throw error;
    throw new Error(`${operation}: ${options.describe(error)}`, { cause: error });
  }
}

/** What every router adapter is constructed with. */
export interface RouterAdapterOptions {
  readonly policy: RetryPolicy;
  readonly pollIntervalMs: number;
  readonly onRetry?: (message: string) => void;
}

/** One adapter API call under the retry policy, with the adapter's error handling bound. */
export type AdapterCall = <T>(
  operation: string,
  counters: RetryCounters,
  signal: AbortSignal,
  send: () => Promise<T>,
) => Promise<T>;

/** Binds an adapter's error classification, wording and options once, for all its calls. */
export function bindAdapterCalls(options: AdapterCallOptions): AdapterCall {
  return (operation, counters, signal, send) =>
    callWithRetries(operation, send, { ...options, signal, counters });
}
