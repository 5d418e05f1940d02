import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { launchSandbox, type LaunchedSandbox } from '../src/client.js';
import { CELL_HEADER } from '../src/router/edge-router.js';
import { runStartCommand } from './start-command.js';

/** The cell's own URL: an HTTP status, or 0 when the connection failed. */
async function statusOf(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

describe('npm run outage on a running sandbox', () => {
  let sandbox: LaunchedSandbox;
  beforeAll(async () => {
    sandbox = await launchSandbox();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('takes Azure down (its URL resets connections, the router moves to AWS) and brings it back', async () => {
    const azure = sandbox.urls.azure as string;
    const down = await runStartCommand(['outage', 'azure', '--state-file', sandbox.stateFile]);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    const lines = down.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^azure cell is down: .* reset every connection/);
    // Returned once down: no answer at all from the cell, not a 503.
    expect(await statusOf(`${azure}/health`)).toBe(0);
    const state = await sandbox.client.state();
    expect(state.cells.azure.outage).toBe(true);
    expect(state.cells.aws.outage).toBe(false);
    // AWS reports its peer unreachable and stays healthy itself.
    const awsHealth = await fetch(`${sandbox.urls.aws}/health`);
    expect(awsHealth.status).toBe(200);
    expect(((await awsHealth.json()) as { peer: { status: string } }).peer.status).toBe(
      'unreachable',
    );
    // After Route 53's three failed checks (one a second here), every request goes to AWS.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const cells = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${sandbox.urls.router}/health`);
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      cells.add(response.headers.get(CELL_HEADER) ?? '');
    }
    expect([...cells]).toEqual(['aws']);

    const up = await runStartCommand([
      'outage',
      'azure',
      '--end',
      '--state-file',
      sandbox.stateFile,
    ]);
    expect(up.code).toBe(0);
    expect(up.stdout.trim().split('\n')).toHaveLength(1);
    expect(up.stdout).toMatch(/^azure cell is back: .* answers \/health 200/);
    expect(await statusOf(`${azure}/health`)).toBe(200);
    expect((await sandbox.client.state()).cells.azure.outage).toBe(false);
  });

  it('refuses an unknown cloud before changing anything', async () => {
    const result = await runStartCommand(['outage', 'gcp', '--state-file', sandbox.stateFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the cloud must be aws or azure, got "gcp"/);
    expect((await sandbox.client.state()).cells.azure.outage).toBe(false);
  });
});
