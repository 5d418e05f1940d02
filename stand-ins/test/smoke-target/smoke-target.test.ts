import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSmokeTarget, type SmokeTarget } from '../../src/smoke-target/index.js';

describe('smoke target stand-in', () => {
  let target: SmokeTarget;

  beforeAll(async () => {
    target = await startSmokeTarget({ cloud: 'azure', region: 'westeurope' });
  });

  afterAll(async () => {
    await target.close();
  });

  it('answers healthy by default with the health body shape', async () => {
    const response = await fetch(target.healthUrl);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      cloud: 'azure',
      region: 'westeurope',
      version: 'stand-in',
      status: 'ok',
    });
  });

  it('turns unhealthy and slow when told, and back', async () => {
    target.setStatus(503);
    target.setLatency(150);
    const started = Date.now();
    const response = await fetch(target.healthUrl);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'unhealthy' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    target.setStatus(200);
    target.setLatency(0);
    expect((await fetch(target.healthUrl)).status).toBe(200);
    expect(target.hits).toBe(3);
  });

  it('closes while a slow answer is pending', async () => {
    const slow = await startSmokeTarget({ cloud: 'aws', latencyMs: 10_000 });
    const pending = fetch(slow.healthUrl).then(
      (response) => `answered ${response.status}`,
      (error: { name?: string }) => `failed ${error.name ?? ''}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await slow.close();
    expect(await pending).toBe('failed TypeError');
  });
});
