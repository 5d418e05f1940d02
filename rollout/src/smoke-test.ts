import { isCloud, type Cloud } from '../../actions/shared/src/clouds.js';
import { RolloutError } from './errors.js';

export interface SmokeTestOptions {
  url: string;
  /** The version the cell must report in its /health body (`version`). */
  expectedVersion: string;
  /** How long a freshly deployed cell gets to answer healthy on the new version. */
  timeoutMs: number;
  /** Healthy answers in a row that pass the test. */
  consecutive?: number;
  intervalMs?: number;
}

export interface SmokeTestResult {
  ok: boolean;
  /** What the last answer said: status and version, or why there was none. */
  last: string;
  /** The version the cell reported last, if any. */
  version: string | undefined;
  attempts: number;
  reason: string;
}

/** The health URL of one cloud from the traffic-shift `smoke-urls` form (`aws=<url>,azure=<url>`). */
export function smokeUrlOf(smokeUrls: string, cloud: Cloud): string {
  for (const part of smokeUrls.split(',')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq > 0 && isCloud(name) && name === cloud) {
      const url = part.slice(eq + 1).trim();
      if (/^https?:\/\/\S+$/.test(url)) return url;
    }
  }
  throw new RolloutError(
    `smoke-urls has no http(s) URL for ${cloud}: expected aws=<url>,azure=<url>, got "${smokeUrls}"`,
  );
}

/**
 * Calls the cell's own health URL (not the global entry point: the cell is drained) until it
 * answers 200 with the expected version `consecutive` times in a row, or the time is up.
 */
export async function smokeTest(options: SmokeTestOptions): Promise<SmokeTestResult> {
  const consecutive = options.consecutive ?? 3;
  const intervalMs = options.intervalMs ?? 1000;
  const deadline = Date.now() + options.timeoutMs;
  let streak = 0;
  let attempts = 0;
  let last: string;
  let version: string | undefined;
  for (;;) {
    attempts++;
    let healthy = false;
    try {
      const response = await fetch(options.url, {
        signal: AbortSignal.timeout(Math.min(10_000, Math.max(1000, options.timeoutMs))),
        headers: { accept: 'application/json' },
      });
      const text = await response.text();
      let reported: unknown;
      try {
        reported = (JSON.parse(text) as { version?: unknown }).version;
      } catch {
        reported = undefined;
      }
      version = typeof reported === 'string' ? reported : version;
      last = `HTTP ${response.status}${typeof reported === 'string' ? `, version ${reported}` : ''}`;
      healthy = response.status === 200 && reported === options.expectedVersion;
      if (response.status === 200 && reported !== options.expectedVersion) {
        last += ` (expected ${options.expectedVersion})`;
      }
    } catch (error) {
      last = `no answer (${(error as Error).message})`;
    }
    streak = healthy ? streak + 1 : 0;
    if (streak >= consecutive) {
      return { ok: true, last, version, attempts, reason: '' };
    }
    if (Date.now() + intervalMs > deadline) {
      return {
        ok: false,
        last,
        version,
        attempts,
        reason: `${options.url} did not answer 200 on version ${options.expectedVersion} ${consecutive} times in a row within ${Math.round(options.timeoutMs / 100) / 10} s; last answer: ${last}`,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The sequence's `smoke` step: the smoke test of `ROLLOUT_CLOUD` with the settings the rollout
 * environment holds. The deploy workflow's `smoke` step and the rehearsal both call this.
 */
export async function smokeStep(
  environment: Record<string, string | undefined>,
): Promise<SmokeTestResult & { cloud: Cloud; url: string }> {
  const value = (name: string): string => {
    const given = environment[name]?.trim();
    if (!given) throw new RolloutError(`${name} is required`);
    return given;
  };
  const cloud = value('ROLLOUT_CLOUD');
  if (!isCloud(cloud)) throw new RolloutError(`ROLLOUT_CLOUD must be aws or azure, got "${cloud}"`);
  const url = smokeUrlOf(value('ROLLOUT_SMOKE_URLS'), cloud);
  const result = await smokeTest({
    url,
    expectedVersion: value('ROLLOUT_VERSION'),
    timeoutMs: Number(value('ROLLOUT_SMOKE_TIMEOUT_SECONDS')) * 1000,
    consecutive: Number(value('ROLLOUT_MIN_PROBES')),
    intervalMs: Number(value('ROLLOUT_PROBE_INTERVAL_SECONDS')) * 1000,
  });
  return { ...result, cloud, url };
}
