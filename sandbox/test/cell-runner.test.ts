import { describe, expect, it } from '@jest/globals';

import { slowedBy } from '../src/cells/cell-runner.js';

describe('a slower release (CellDeployOptions.latencyMs)', () => {
  const echo = async (path: string, from?: string): Promise<string> => `${path} ${from ?? '-'}`;

  async function timed(call: () => Promise<string>): Promise<{ answer: string; ms: number }> {
    const started = performance.now();
    const answer = await call();
    return { answer, ms: performance.now() - started };
  }

  it('answers every request later, the peer cell probe of /health too (ADR 26: no exemption)', async () => {
    const slow = slowedBy(echo, 120);
    const [publicHealth, peerHealth, peerCart] = await Promise.all([
      timed(() => slow('/health')),
      timed(() => slow('/health', 'aws')),
      timed(() => slow('/carts/1', 'aws')),
    ]);
    expect(publicHealth.answer).toBe('/health -');
    expect(peerHealth.answer).toBe('/health aws');
    for (const answer of [publicHealth, peerHealth, peerCart]) {
      expect(answer.ms).toBeGreaterThanOrEqual(110);
    }
  });

  it('is the handler itself at 0 ms', () => {
    expect(slowedBy(echo, 0)).toBe(echo);
    expect(slowedBy(echo, undefined)).toBe(echo);
  });
});
