import { describe, expect, it } from '@jest/globals';

import { isPeerHealthProbe, slowedBy } from '../src/cells/cell-runner.js';

describe('a slower release (CellDeployOptions.latencyMs)', () => {
  const echo = async (path: string, from?: string): Promise<string> => `${path} ${from ?? '-'}`;
  const exempt = (path: string, from?: string): boolean => isPeerHealthProbe('GET', path, from);

  async function timed(call: () => Promise<string>): Promise<{ answer: string; ms: number }> {
    const started = performance.now();
    const answer = await call();
    return { answer, ms: performance.now() - started };
  }

  it('answers every request later, except the peer cell signed probe of /health', async () => {
    const slow = slowedBy(echo, 120, exempt);
    const [publicHealth, peerHealth, peerCart] = await Promise.all([
      timed(() => slow('/health')),
      timed(() => slow('/health', 'aws')),
      timed(() => slow('/carts/1', 'aws')),
    ]);
    expect(publicHealth.answer).toBe('/health -');
    expect(publicHealth.ms).toBeGreaterThanOrEqual(110);
    expect(peerCart.ms).toBeGreaterThanOrEqual(110);
    // The other cell's /health waits for this probe: slowing it would slow the baseline too.
    expect(peerHealth.answer).toBe('/health aws');
    expect(peerHealth.ms).toBeLessThan(60);
  });

  it('is the handler itself at 0 ms', () => {
    expect(slowedBy(echo, 0, exempt)).toBe(echo);
    expect(slowedBy(echo, undefined)).toBe(echo);
  });

  it('isPeerHealthProbe: GET /health with the peer header only', () => {
    expect(isPeerHealthProbe('get', '/health', 'azure')).toBe(true);
    expect(isPeerHealthProbe('GET', '/health', undefined)).toBe(false);
    expect(isPeerHealthProbe('POST', '/health', 'azure')).toBe(false);
    expect(isPeerHealthProbe('GET', '/health/x', 'azure')).toBe(false);
  });
});
