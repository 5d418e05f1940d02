import type { Ports } from './ports.js';

export interface CellIdentity {
  readonly cell: string;
  readonly cloud: 'aws' | 'azure' | 'memory';
  readonly region: string;
  readonly version: string;
}

export interface DependencyCheck {
  readonly status: 'ok' | 'failing';
  readonly latencyMs: number;
  readonly error?: string;
}

export interface HealthReport extends CellIdentity {
  readonly status: 'ok' | 'degraded';
  readonly checks: Record<'documents' | 'events' | 'notifications', DependencyCheck>;
}

/** What the smoke tests call: identity plus a live check of every dependency. */
export async function checkHealth(
  identity: CellIdentity,
  ports: Ports,
  timeoutMs: number,
): Promise<HealthReport> {
  const [documents, events, notifications] = await Promise.all([
    timed(() => ports.documents.check(), timeoutMs),
    timed(() => ports.events.check(), timeoutMs),
    timed(() => ports.notifier.check(), timeoutMs),
  ]);
  const checks = { documents, events, notifications };
  const healthy = Object.values(checks).every((check) => check.status === 'ok');
  return { ...identity, status: healthy ? 'ok' : 'degraded', checks };
}

async function timed(check: () => Promise<void>, timeoutMs: number): Promise<DependencyCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'failing',
      latencyMs: Math.round(performance.now() - started),
      // Error messages of SDK clients name the endpoint, never a credential.
      error: error instanceof Error ? error.message.slice(0, 200) : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}
