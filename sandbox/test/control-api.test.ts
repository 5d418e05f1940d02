import { describe, expect, it } from '@jest/globals';

import type { CellDeployOptions } from '../src/cells/cell-runner.js';
import { handleControl, type SandboxControls } from '../src/control-api.js';
import type { CellStatus } from '../src/dashboard/snapshot.js';

/** Controls that record what the API asked of them (the routes' checks are the subject here). */
function recordingControls(): SandboxControls & { calls: string[] } {
  const calls: string[] = [];
  const status = { cloud: 'aws', version: '1.0.0' } as unknown as CellStatus;
  return {
    calls,
    restartCell: async (cloud, version, options?: CellDeployOptions) => {
      calls.push(`restart ${cloud} ${version} ${JSON.stringify(options)}`);
    },
    setOutage: async (cloud, down) => {
      calls.push(`outage ${cloud} ${down}`);
      return status;
    },
    cellStatus: () => status,
    setRouterMode: () => undefined,
    note: () => undefined,
    resetCounters: () => ({}) as never,
    shift: async () => ({}) as never,
  };
}

describe('control API: POST /api/cells/<cloud>/deploy', () => {
  it('passes whole milliseconds of downtime and latency, 0 when absent', async () => {
    const controls = recordingControls();
    await handleControl(controls, '/api/cells/aws/deploy', { version: '1.1.0', latencyMs: 150 });
    expect(controls.calls).toEqual([
      'restart aws 1.1.0 {"breakHealth":false,"downtimeMs":0,"latencyMs":150}',
    ]);
  });

  it.each([
    [{ latencyMs: -1 }, 'latencyMs must be a whole number from 0 to 10000'],
    [{ latencyMs: 10_001 }, 'latencyMs must be a whole number from 0 to 10000'],
    [{ latencyMs: 1.5 }, 'latencyMs must be a whole number from 0 to 10000'],
    [{ latencyMs: '150' }, 'latencyMs must be a whole number from 0 to 10000'],
    [{ downtimeMs: -5 }, 'downtimeMs must be a whole number from 0 to 60000'],
    [{ downtimeMs: 600_000 }, 'downtimeMs must be a whole number from 0 to 60000'],
  ])('%j is a 400 naming the field, and nothing restarts', async (fields, error) => {
    const controls = recordingControls();
    const response = await handleControl(controls, '/api/cells/aws/deploy', {
      version: '1.1.0',
      ...fields,
    });
    expect(response).toEqual({ status: 400, body: { error } });
    expect(controls.calls).toEqual([]);
  });
});

describe('control API: POST /api/cells/<cloud>/outage', () => {
  it('refuses a down that is not a boolean, and an unknown cloud, before any outage', async () => {
    const controls = recordingControls();
    expect(await handleControl(controls, '/api/cells/azure/outage', { down: 'yes' })).toEqual({
      status: 400,
      body: { error: 'down must be true (take the cloud down) or false (bring it back)' },
    });
    expect(await handleControl(controls, '/api/cells/gcp/outage', { down: true })).toMatchObject({
      status: 404,
    });
    expect(controls.calls).toEqual([]);
    await handleControl(controls, '/api/cells/azure/outage', { down: true });
    expect(controls.calls).toEqual(['outage azure true']);
  });
});
