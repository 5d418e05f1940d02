import { peerKeyFrom } from '../../src/core/peer-auth.js';

/** The key the cells under test sign their calls with (the test's own; 48 random bytes). */
export const testPeerKey = 'GzV0n7bq3c0m2Xr4h8J1s5k9W6e2T0p4L7y3U1i5O9a2D6f8H0j4K7l1Z3x5C7v9';

/** PEER_SHARED_KEY for tests that only read settings. */
export const testPeerEnv = { PEER_SHARED_KEY: testPeerKey } as const;

/** The peer settings of a core app under test, forwarding to `url`. */
export function testPeerSettings(cell: string, url: string, timeoutMs: number) {
  return { cell, url, timeoutMs, auth: { key: peerKeyFrom(testPeerKey), windowMs: 60_000 } };
}

/**
 * How often the cells under test probe their peer (ADR 26; 5 s in a deployment), so that the
 * shared suite sees a change of the peer within a fraction of a second.
 */
export const testPeerProbeRefreshMs = 100;
