import { HttpProblem } from './errors.js';
import type { PeerLink } from './health.js';
import type { PeerForwarder } from './peer-forwarder.js';

/** GET /health of the peer over the signed peer call: proves reachability and the shared key. */
export async function probePeerLink(
  forwarder: PeerForwarder,
  timeoutMs: number,
): Promise<PeerLink> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const cell = forwarder.peerCell;
  try {
    const response = await forwarder.forward(
      { method: 'GET', path: '/health', query: new URLSearchParams(), headers: {} },
      timeoutMs,
    );
    const status =
      response.status === 200
        ? 'up'
        : response.status === 503
          ? 'degraded'
          : response.status === 401
            ? 'rejected'
            : 'failing';
    return { cell, status, latencyMs: elapsed(), httpStatus: response.status };
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error;
    return { cell, status: 'unreachable', latencyMs: elapsed(), error: error.message };
  }
}
