// GET /health reports the peer link from a probe kept off the request path (ADR 26): a slow,
// hung or dead peer never holds this cell's /health beyond the probe's bound, and a change of
// the peer shows within the documented refresh.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { json, startStandInServer, type StandInServer } from '../../stand-ins/src/http/server.js';
import { createCellApp, type CellApp } from '../src/core/cell-app.js';
import type { PeerProbeTiming } from '../src/core/peer-link.js';
import {
  MemoryDocumentStore,
  MemoryEventQueue,
  MemoryNotifier,
} from '../src/memory/memory-adapters.js';
import { authSettingsOf, startTestIssuer } from './support/auth.js';
import { testPeerSettings } from './support/peer-key.js';
import type { OidcIssuer } from '../../stand-ins/src/oidc-issuer/index.js';

interface PeerView {
  status: string;
  checkedAt?: string;
  ageMs?: number;
  stale: boolean;
  error?: string;
}

describe('the peer link in GET /health (ADR 26)', () => {
  let peer: StandInServer;
  let issuer: OidcIssuer;

  beforeAll(async () => {
    peer = await startStandInServer({
      name: 'peer-cell',
      routes: [{ method: 'GET', path: '/health', handler: () => json(200, { status: 'ok' }) }],
    });
    issuer = await startTestIssuer();
  });
  afterEach(() => peer.clearFaults());
  afterAll(async () => {
    await peer?.close();
    await issuer?.close();
  });

  function cellWith(timing: Partial<PeerProbeTiming>, now?: () => Date): CellApp {
    return createCellApp({
      identity: { cell: 'mem', cloud: 'memory', region: 'local', version: '1.0.0' },
      peer: testPeerSettings('peer', peer.url, 5000),
      auth: authSettingsOf(issuer),
      ports: {
        documents: new MemoryDocumentStore(),
        events: new MemoryEventQueue(),
        notifier: new MemoryNotifier(),
      },
      logError: () => {},
      peerProbe: timing,
      ...(now ? { now } : {}),
    });
  }

  async function health(
    app: CellApp,
  ): Promise<{ ms: number; at: number; status: number; peer: PeerView }> {
    const started = performance.now();
    const response = await app.handleHttp({
      method: 'GET',
      path: '/health',
      query: new URLSearchParams(),
      headers: {},
    });
    const ms = performance.now() - started;
    return {
      ms,
      at: Date.now(),
      status: response.status,
      peer: JSON.parse(response.body ?? '{}').peer,
    };
  }

  /** /health every 50 ms for `forMs`: every answer, in order. */
  async function healthFor(app: CellApp, forMs: number) {
    const answers = [];
    const until = Date.now() + forMs;
    while (Date.now() < until) {
      answers.push(await health(app));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return answers;
  }

  it.each([
    ['1 s slow', 1000],
    ['hung', 60_000],
  ])(
    'a peer %s: /health never waits for it (Azure Functions: the probe runs beside the requests)',
    async (_name, delayMs) => {
      peer.injectFault({ path: '/health', delayMs, times: Infinity });
      const app = cellWith({ refreshMs: 100, timeoutMs: 300, inRequest: false });
      const answers = await healthFor(app, 900);
      expect(answers[0]?.peer).toEqual({ cell: 'peer', status: 'unknown', stale: false });
      // Far below the peer's delay and the probe's timeout: nothing on the path waits for them.
      expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(150);
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      // The probe timed out after 300 ms; the next answers say so.
      expect(answers.at(-1)?.peer).toMatchObject({
        status: 'unreachable',
        error: 'cell peer did not answer within 300 ms',
        stale: false,
      });
    },
  );

  it.each([
    ['1 s slow', 1000],
    ['hung', 60_000],
  ])(
    'a peer %s: /health waits at most the probe timeout, once per refresh (Lambda: the probe runs in the request)',
    async (_name, delayMs) => {
      peer.injectFault({ path: '/health', delayMs, times: Infinity });
      const app = cellWith({ refreshMs: 600, timeoutMs: 200, inRequest: true });
      const answers = await healthFor(app, 1300);
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      // The bound: the probe's 200 ms timeout, never the peer's delay.
      expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(500);
      // Only the requests that found the last result older than 600 ms waited: 2 or 3, the
      // other answers (about 10) came from the cached result at once.
      const waited = answers.filter((answer) => answer.ms >= 190);
      expect(waited.length).toBeGreaterThanOrEqual(2);
      expect(waited.length).toBeLessThanOrEqual(3);
      expect(answers.length - waited.length).toBeGreaterThanOrEqual(6);
      expect(answers[0]?.peer).toMatchObject({ status: 'unreachable', stale: false });
    },
  );

  it('a peer that goes down shows as unreachable within refreshMs + timeoutMs, and up again after', async () => {
    const app = cellWith({ refreshMs: 200, timeoutMs: 300, inRequest: false });
    const first = await healthFor(app, 300);
    expect(first.at(-1)?.peer).toMatchObject({ status: 'up', httpStatus: 200 });

    peer.injectFault({ path: '/health', drop: true, times: Infinity });
    const wentDown = Date.now();
    const answers = await healthFor(app, 1500);
    const seen = answers.find((answer) => answer.peer.status === 'unreachable');
    expect(seen).toBeDefined();
    // A dropped connection fails at once; the bound is the refresh plus the probe's timeout.
    expect((seen?.at ?? Infinity) - wentDown).toBeLessThanOrEqual(200 + 300 + 100);

    peer.clearFaults();
    const back = await healthFor(app, 600);
    expect(back.at(-1)?.peer).toMatchObject({ status: 'up' });
  });

  it('reports the age of the result, and stale once it is older than staleAfterMs', async () => {
    let clock = Date.parse('2026-12-05T10:00:00Z');
    const app = cellWith(
      { refreshMs: 5000, timeoutMs: 500, inRequest: true, staleAfterMs: 30_000 },
      () => new Date(clock),
    );
    expect((await health(app)).peer).toMatchObject({
      status: 'up',
      checkedAt: '2026-12-05T10:00:00.000Z',
      ageMs: 0,
      stale: false,
    });
    clock += 4000;
    // Within refreshMs: the cached result, no probe, no wait.
    expect((await health(app)).peer).toMatchObject({ ageMs: 4000, stale: false });

    // A cell with the probe beside the requests: its first answer comes back while the probe
    // runs; then nothing asks for 31 s, and the next probe's answer does not come.
    const background = cellWith(
      { refreshMs: 5000, timeoutMs: 500, inRequest: false, staleAfterMs: 30_000 },
      () => new Date(clock),
    );
    expect((await health(background)).peer).toMatchObject({ status: 'unknown' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await health(background)).peer).toMatchObject({ status: 'up', ageMs: 0 });
    peer.injectFault({ path: '/health', delayMs: 60_000, times: Infinity });
    clock += 31_000;
    expect((await health(background)).peer).toMatchObject({
      status: 'up',
      ageMs: 31_000,
      stale: true,
    });
  });

  it('runs one probe at a time: 20 parallel GET /health send the peer one probe', async () => {
    const app = cellWith({ refreshMs: 100, timeoutMs: 300, inRequest: true });
    await new Promise((resolve) => setTimeout(resolve, 400));
    peer.clearRequests();
    const answers = await Promise.all(Array.from({ length: 20 }, () => health(app)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(peer.requests.filter((request) => request.path === '/health')).toHaveLength(1);
  });
});
