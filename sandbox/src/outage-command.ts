import { isCloud, type Cloud } from '../../actions/shared/src/clouds.js';
import { connectSandbox, type SandboxClient } from './client.js';
import { SandboxError } from './errors.js';

const USAGE = `usage: npm run outage -- aws|azure [--end] [--state-file PATH]

Takes one cloud down in the running sandbox, as a regional outage would: its cell's endpoint and
its storage reset every connection, and its queue trigger stops (events wait on the queue). The
edge router's health checks then send that cloud's traffic to the other. Returns once the cell
no longer answers. --end brings it back and returns once its /health answers 200.`;

export interface OutageArgs {
  cloud: Cloud;
  end: boolean;
  stateFile?: string;
}

export function parseOutageArgs(argv: string[]): OutageArgs | 'help' {
  let cloud: Cloud | undefined;
  let end = false;
  let stateFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help') return 'help';
    if (arg === '--end') end = true;
    else if (arg === '--state-file' || arg.startsWith('--state-file=')) {
      stateFile = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!stateFile) throw new SandboxError(`--state-file needs a path\n\n${USAGE}`);
    } else if (!arg.startsWith('--') && cloud === undefined) {
      if (!isCloud(arg)) throw new SandboxError(`the cloud must be aws or azure, got "${arg}"`);
      cloud = arg;
    } else throw new SandboxError(`unexpected argument "${arg}"\n\n${USAGE}`);
  }
  if (!cloud) throw new SandboxError(`say which cloud: aws or azure\n\n${USAGE}`);
  return { cloud, end, ...(stateFile ? { stateFile } : {}) };
}

/** What the cell's own URL answers now: an HTTP status, or 0 when the connection failed. */
async function probe(url: string): Promise<number> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls the cell's URL until `done(status)` holds, or throws after `timeoutMs`. */
async function waitFor(
  url: string,
  done: (status: number) => boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await probe(url);
    if (done(status)) return status;
    if (Date.now() > deadline) {
      throw new SandboxError(`${url} still answers ${status || 'nothing'} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Takes the cloud down (or brings it back) and waits until its URL shows it; one line of result. */
export async function runOutage(
  client: SandboxClient,
  url: string,
  { cloud, end }: Pick<OutageArgs, 'cloud' | 'end'>,
): Promise<string> {
  const started = Date.now();
  await client.setOutage(cloud, !end);
  const seconds = (): string => ((Date.now() - started) / 1000).toFixed(1);
  if (end) {
    await waitFor(url, (status) => status === 200, 30_000);
    return `${cloud} cell is back: ${url} answers /health 200 after ${seconds()} s; its queued events resume`;
  }
  await waitFor(url, (status) => status === 0, 10_000);
  return `${cloud} cell is down: ${url} and its storage reset every connection (${seconds()} s); end it with npm run outage -- ${cloud} --end`;
}

/** `npm run outage -- azure [--end]`: one line saying what it did. */
export async function main(argv: string[]): Promise<number> {
  try {
    const parsed = parseOutageArgs(argv);
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    const { state, client } = connectSandbox(parsed.stateFile);
    const url = state.urls[parsed.cloud];
    if (!url) throw new SandboxError(`the sandbox state has no ${parsed.cloud} URL`);
    console.log(await runOutage(client, url, parsed));
    return 0;
  } catch (error) {
    if (error instanceof SandboxError) {
      console.error(`npm run outage: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
