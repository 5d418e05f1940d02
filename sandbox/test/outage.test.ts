import { request } from 'node:http';
import { createServer } from 'node:http';

import { afterEach, describe, expect, it } from '@jest/globals';

import { parseOutageArgs } from '../src/outage-command.js';
import { Reachability, startTcpLink, type TcpLink } from '../src/outage/reachability.js';
import { SandboxError } from '../src/errors.js';

/** GET / through a fresh connection: the status, or the socket error's code. */
function get(port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

describe('npm run outage arguments', () => {
  it('takes a cloud, --end and --state-file', () => {
    expect(parseOutageArgs(['azure'])).toEqual({ cloud: 'azure', end: false });
    expect(parseOutageArgs(['aws', '--end', '--state-file', '/tmp/s.json'])).toEqual({
      cloud: 'aws',
      end: true,
      stateFile: '/tmp/s.json',
    });
    expect(parseOutageArgs(['--help'])).toBe('help');
  });

  it('refuses anything else with the accepted form', () => {
    expect(() => parseOutageArgs(['gcp'])).toThrow(/aws or azure, got "gcp"/);
    expect(() => parseOutageArgs([])).toThrow(SandboxError);
    expect(() => parseOutageArgs(['azure', '--now'])).toThrow(/unexpected argument "--now"/);
    expect(() => parseOutageArgs(['azure', 'aws'])).toThrow(/unexpected argument "aws"/);
  });
});

describe('an outage cuts connections', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function server(): Promise<{ port: number; reachability: Reachability }> {
    const reachability = new Reachability();
    const http = createServer((_req, res) => res.end('ok'));
    reachability.attach(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        }),
    );
    const address = http.address();
    return { port: typeof address === 'object' && address ? address.port : 0, reachability };
  }

  it('a cut server resets every connection, then answers again once restored', async () => {
    const { port, reachability } = await server();
    expect(await get(port)).toBe(200);
    reachability.cutOff();
    expect(await get(port)).toBe('ECONNRESET');
    reachability.restore();
    expect(await get(port)).toBe(200);
  });

  it('a cut TCP link resets what goes through it, the target itself stays up', async () => {
    const target = await server();
    const link: TcpLink = await startTcpLink(target.port);
    closers.push(() => link.close());
    expect(await get(link.port)).toBe(200);
    link.reachability.cutOff();
    expect(await get(link.port)).toBe('ECONNRESET');
    expect(await get(target.port)).toBe(200);
    link.reachability.restore();
    expect(await get(link.port)).toBe(200);
  });
});
