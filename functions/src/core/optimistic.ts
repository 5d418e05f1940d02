/**
 * Read-modify-write with optimistic concurrency: `attempt` reads, computes and writes with
 * If-Match; it returns `retry` when it lost the race. Backoff is jittered so that 50 writers
 * on one document do not retry in lockstep.
 */
export const retry = Symbol('retry');

export interface OptimisticOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export async function withOptimisticRetry<T>(
  attempt: () => Promise<T | typeof retry>,
  onExhausted: () => Error,
  options: OptimisticOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 60;
  const base = options.baseDelayMs ?? 2;
  const cap = options.maxDelayMs ?? 50;
  for (let attemptNumber = 1; attemptNumber <= maxAttempts; attemptNumber += 1) {
    const result = await attempt();
    if (result !== retry) return result;
    const ceiling = Math.min(cap, base * 2 ** Math.min(attemptNumber, 10));
    await delay(Math.random() * ceiling);
  }
  throw onExhausted();
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
