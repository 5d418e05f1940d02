import { createServer } from 'node:http';

import { describe, expect, it } from '@jest/globals';

import { banner } from '../src/cli.js';
import { close, listen } from '../src/listen.js';
import type { Sandbox } from '../src/sandbox.js';
import { parseSettings } from '../src/settings.js';
import { checkTarget, plainLine, shiftInputs } from '../src/shift-runner.js';
import { runStartCommand } from './start-command.js';

describe('npm start settings', () => {
  it('takes ports from flags, then the environment, then the defaults', () => {
    const settings = parseSettings(['--router-port', '9000', '--dashboard-port=9001'], {
      SANDBOX_AWS_PORT: '9002',
    });
    expect(settings).not.toBe('help');
    if (settings === 'help') return;
    expect(settings.ports).toMatchObject({ router: 9000, dashboard: 9001, aws: 9002, azure: 8082 });
    // The router port is the public host name by default (ADR 16).
    expect(settings.routerMode).toBe('chain');
    const free = parseSettings(['--free-ports', '--router', 'frontdoor'], {});
    expect(free !== 'help' && free.ports.router === 0 && free.routerMode === 'frontdoor').toBe(
      true,
    );
  });

  it('rejects bad input with one message naming the input and the accepted form', () => {
    expect(() => parseSettings(['--router-port', 'eighty'], {})).toThrow(
      '--router-port must be a port number from 0 to 65535',
    );
    expect(() => parseSettings([], { SANDBOX_AZURE_PORT: '70000' })).toThrow(
      'SANDBOX_AZURE_PORT must be a port number',
    );
    expect(() => parseSettings(['--router', 'dns'], {})).toThrow(
      '--router must be chain, route53, frontdoor, got "dns"',
    );
    expect(() => parseSettings(['--aws-port', '9000', '--azure-port', '9000'], {})).toThrow(
      '--azure-port and --aws-port are both 9000',
    );
    expect(() => parseSettings(['--colour'], {})).toThrow('unknown option --colour');
  });

  it('fails on a busy port with a message naming it, before starting anything', async () => {
    const blocker = createServer();
    const port = await listen(blocker, 0, 'blocker');
    try {
      const result = await runStartCommand(['--free-ports', '--router-port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `port ${port} is busy: the edge router cannot listen on 127.0.0.1:${port}`,
      );
      expect(result.stderr).toContain('--router-port or SANDBOX_ROUTER_PORT');
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      await close(blocker);
    }
  });
});

describe('running the traffic-shift action against the sandbox', () => {
  it('checks the target before running anything', () => {
    expect(() => checkTarget('aws=100,azure=0')).not.toThrow();
    expect(() => checkTarget('aws=100')).toThrow('--target must look like aws=100,azure=0');
    expect(() => checkTarget('aws=50,aws=50')).toThrow('--target must look like');
  });

  it("points the action at the sandbox: router blocks, each cell's own health URL, a quick schedule", () => {
    const inputs = shiftInputs(
      { target: 'aws=100, azure=0' },
      {
        shiftInputs: { 'aws-endpoint-url': 'http://127.0.0.1:1' },
        shiftEnv: {},
        cells: { aws: 'http://127.0.0.1:2', azure: 'http://127.0.0.1:3' },
      },
    );
    expect(inputs).toMatchObject({
      target: 'aws=100,azure=0',
      steps: '50,100',
      'aws-endpoint-url': 'http://127.0.0.1:1',
      'smoke-urls': 'aws=http://127.0.0.1:2/health,azure=http://127.0.0.1:3/health',
      'change-poll-seconds': '0.25',
      'dry-run': 'false',
    });
  });

  it('turns workflow commands into readable log lines', () => {
    expect(plainLine('::error::rolled back: probe failed')).toBe(
      'error: rolled back: probe failed',
    );
    expect(plainLine('::debug::noise')).toBeUndefined();
    expect(plainLine('step 1/2 in force')).toBe('step 1/2 in force');
  });
});

describe('the npm start banner', () => {
  it('puts the four endpoints a newcomer needs first, aligned, each line `<name>: <url>`', () => {
    const urls = {
      router: 'http://127.0.0.1:8080',
      dashboard: 'http://127.0.0.1:8090',
      aws: 'http://127.0.0.1:8081',
      azure: 'http://127.0.0.1:8082',
      route53: 'http://127.0.0.1:41235',
      azurite: 'http://127.0.0.1:10000/devstoreaccount1',
    };
    const sandbox = {
      urls,
      startupMs: 3800,
      snapshot: () => ({
        weights: {
          route53: { aws: 50, azure: 50 },
          frontDoor: { aws: { weight: 500, enabled: true }, azure: { weight: 500, enabled: true } },
        },
      }),
    } as unknown as Sandbox;
    const lines = banner(sandbox).split('\n');
    const endpoints = lines.flatMap((line) => {
      const match = /^([a-z0-9]+):\s+(https?:\/\/\S+)/.exec(line);
      return match ? [{ name: match[1], url: match[2], column: line.indexOf(match[2] ?? '') }] : [];
    });
    expect(Object.fromEntries(endpoints.map((e) => [e.name, e.url]))).toEqual(urls);
    expect(endpoints.slice(0, 4).map((e) => e.name)).toEqual([
      'router',
      'dashboard',
      'aws',
      'azure',
    ]);
    // The first four share one URL column, as do the ones behind them.
    expect(endpoints.slice(0, 4).map((e) => e.column)).toEqual([12, 12, 12, 12]); // as `weights:` values
    expect(new Set(endpoints.slice(4).map((e) => e.column)).size).toBe(1);
    expect(lines).toContain('weights:    Route 53 aws=50 azure=50 · Front Door aws=500 azure=500');
    expect(lines.at(-1)).toBe('ready in 3.8 s · Ctrl-C stops everything.');
  });
});
