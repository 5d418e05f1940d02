/**
 * The sandbox's programmatic API for scripts and tests (the deploy rehearsal, the browser
 * test, `npm run shift`/`load`): start a sandbox as its own process, or connect to the one
 * running, and drive it over its control API on the dashboard port.
 *
 *   const sandbox = await launchSandbox();                 // npm start -- --free-ports
 *   sandbox.urls.router                                    // send traffic here
 *   await sandbox.client.deployCell('azure', '1.1.0');     // the cell restarts on a new build
 *   await sandbox.client.deployCell('azure', '1.1.1', { breakHealth: true });
 *   await sandbox.client.shift({ target: 'aws=100,azure=0' });   // the real action
 *   (await sandbox.client.state()).counters                // requests per cloud, failures
 *   await sandbox.tokens.customerToken('alice')            // a bearer token from its issuer
 *   await sandbox.stop();                                  // SIGTERM; resolves when it exited
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import type { Cloud } from '../../actions/shared/src/clouds.js';
import type { CellDeployOptions } from './cells/cell-runner.js';
import type { CellStatus, SandboxSnapshot } from './dashboard/snapshot.js';
import { SandboxError } from './errors.js';
import { repoRoot, runTypeScript } from './paths.js';
import type { CountersSnapshot } from './router/request-counters.js';
import type { RouterMode } from './router/weights.js';
import type { ShiftRequest, ShiftResult } from './shift-runner.js';
import { readState, type SandboxState } from './state-file.js';
import { IssuerTokens } from './tokens.js';

export class SandboxClient {
  constructor(readonly urls: Record<string, string>) {}

  private async call<T>(path: string, body?: unknown): Promise<T> {
    const dashboard = this.urls.dashboard;
    if (!dashboard) throw new SandboxError('the sandbox state has no dashboard URL');
    const response = await fetch(`${dashboard}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const payload = (await response.json()) as T & { error?: string };
    if (!response.ok && response.status !== 409) {
      throw new SandboxError(`sandbox ${path}: ${payload.error ?? response.statusText}`);
    }
    return payload;
  }

  /** Everything the dashboard shows: weights, split, counters, cell health and versions, rollout steps. */
  state(): Promise<SandboxSnapshot> {
    return this.call('/api/state');
  }

  async counters(): Promise<CountersSnapshot> {
    return (await this.state()).counters;
  }

  resetCounters(): Promise<CountersSnapshot> {
    return this.call('/api/counters/reset', {});
  }

  /** Deploys a new build of the functions to one cell; resolves with the cell's health after it. */
  async deployCell(
    cloud: Cloud,
    version: string,
    options: CellDeployOptions = {},
  ): Promise<CellStatus> {
    return (
      await this.call<{ cell: CellStatus }>(`/api/cells/${cloud}/deploy`, { version, ...options })
    ).cell;
  }

  /**
   * Takes one cloud down as an outage would (its cell's endpoint and storage reset every
   * connection, its queue trigger stops) or, with `down: false`, brings it back.
   */
  async setOutage(cloud: Cloud, down: boolean): Promise<CellStatus> {
    return (await this.call<{ cell: CellStatus }>(`/api/cells/${cloud}/outage`, { down })).cell;
  }

  setRouterMode(mode: RouterMode): Promise<unknown> {
    return this.call('/api/router', { mode });
  }

  /** Runs the real traffic-shift action inside the sandbox; exitCode 0 when it reached the target. */
  shift(request: ShiftRequest): Promise<ShiftResult> {
    return this.call('/api/shift', request);
  }

  /** Adds a line to the dashboard's rollout steps (a rehearsal narrating its progress). */
  note(source: string, text: string): Promise<unknown> {
    return this.call('/api/rollout', { source, text });
  }
}

export interface ConnectedSandbox {
  readonly state: SandboxState;
  readonly client: SandboxClient;
  /** Customers' and the admin's tokens from the sandbox's issuer. */
  readonly tokens: IssuerTokens;
}

/** The sandbox already running (started with `npm start`), found through its state file. */
export function connectSandbox(stateFile?: string): ConnectedSandbox {
  const state = readState(stateFile);
  return { state, client: new SandboxClient(state.urls), tokens: new IssuerTokens(state.auth) };
}

export interface LaunchedSandbox {
  readonly urls: Record<string, string>;
  readonly client: SandboxClient;
  /** Customers' and the admin's tokens from the sandbox's issuer (through its state file). */
  readonly tokens: IssuerTokens;
  readonly process: ChildProcess;
  readonly stateFile: string;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM (or the signal given), then resolves with the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface LaunchOptions {
  /** Extra `npm start` flags; `--free-ports` and a private `--state-file` are added. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Starts the sandbox (`npm start`) on free ports and resolves once it printed its URLs. */
export function launchSandbox(options: LaunchOptions = {}): Promise<LaunchedSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'multicloud-sandbox-launch-'));
  const stateFile = join(dir, 'state.json');
  const child = spawn(
    process.execPath,
    [
      ...runTypeScript('sandbox/src/cli.ts'),
      '--free-ports',
      '--state-file',
      stateFile,
      ...(options.args ?? []),
    ],
    { cwd: repoRoot(), env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const urls: Record<string, string> = {};
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  void exited.then(() => rmSync(dir, { recursive: true, force: true }));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`the sandbox did not start within ${options.timeoutMs ?? 60_000} ms:\n${output}`),
      );
    }, options.timeoutMs ?? 60_000);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output += `${line}\n`;
      const url = /^([a-z0-9]+):\s+(https?:\/\/\S+)/.exec(line);
      if (url?.[1] && url[2]) urls[url[1]] = url[2];
      if (/^ready in /.test(line)) {
        clearTimeout(timer);
        resolve({
          urls,
          client: new SandboxClient(urls),
          // Written before the ready line.
          tokens: new IssuerTokens(readState(stateFile).auth),
          process: child,
          stateFile,
          output: () => output,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox exited (code ${code}) before it was ready:\n${output}`));
    });
  });
}
