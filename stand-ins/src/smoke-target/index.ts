/**
 * A local stand-in for one cloud's health endpoint (`GET /health`, what the smoke tests and
 * rollout probes call), whose health and latency a test changes mid-rollout.
 *
 *   import { startSmokeTarget } from '<repo>/stand-ins/src/smoke-target/index.js';
 *
 *   const azure = await startSmokeTarget({ cloud: 'azure' });   // 200, no added latency
 *   azure.healthUrl                 // 'http://127.0.0.1:PORT/health'
 *   azure.setStatus(503)            // every later request answers 503 (body says unhealthy)
 *   azure.setLatency(1500)          // every later request waits 1.5 s before answering
 *   azure.setStatus(200); azure.setLatency(0)
 *   azure.hits                      // requests served so far
 *   azure.requests / azure.server   // request log and fault injection (http/server.ts)
 *   await azure.close()
 *
 * The body is the shape the sample functions' `/health` returns:
 * `{ "cloud", "region", "version", "status": "ok" | "unhealthy" }`.
 */
import {
  json,
  startStandInServer,
  type RecordedRequest,
  type StandInServer,
} from '../http/server.js';

export interface SmokeTargetOptions {
  cloud: string;
  region?: string;
  version?: string;
  status?: number;
  latencyMs?: number;
}

export interface SmokeTarget {
  readonly url: string;
  readonly healthUrl: string;
  readonly hits: number;
  readonly requests: RecordedRequest[];
  readonly server: StandInServer;
  setStatus(status: number): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startSmokeTarget(options: SmokeTargetOptions): Promise<SmokeTarget> {
  let status = options.status ?? 200;
  let latencyMs = options.latencyMs ?? 0;
  let hits = 0;
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = await startStandInServer({
    name: `smoke-target-${options.cloud}`,
    routes: [
      {
        method: 'GET',
        path: '/health',
        handler: async () => {
          hits += 1;
          const answer = status;
          if (latencyMs > 0) await wait(latencyMs);
          return json(answer, {
            cloud: options.cloud,
            region: options.region ?? 'local',
            version: options.version ?? 'stand-in',
            status: answer >= 200 && answer < 300 ? 'ok' : 'unhealthy',
          });
        },
      },
    ],
  });

  return {
    url: server.url,
    healthUrl: `${server.url}/health`,
    get hits() {
      return hits;
    },
    requests: server.requests,
    server,
    setStatus(next) {
      status = next;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await server.close();
    },
  };
}
