import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { SandboxError } from './errors.js';
import type { SandboxAuth } from './tokens.js';

/** What a running sandbox tells `npm run shift`, `npm run load` and the deploy rehearsal. */
export interface SandboxState {
  pid: number;
  startedAt: string;
  /** `<name>: <url>` as printed: router, dashboard, aws, azure, route53, frontdoor, ... */
  urls: Record<string, string>;
  /** The traffic-shift action's inputs that point it at this sandbox's control planes. */
  shiftInputs: Record<string, string>;
  /** Environment the action needs (static AWS keys, Azure workload identity, test CA). */
  shiftEnv: Record<string, string>;
  /** The OIDC issuer the cells trust, and the client that gets tokens from it. */
  auth: SandboxAuth;
}

export function defaultStateFile(): string {
  return join(tmpdir(), 'multicloud-sandbox', 'state.json');
}

export function writeState(path: string, state: SandboxState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export function removeState(path: string, pid = process.pid): void {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as SandboxState;
    // Another sandbox may have started since: only remove our own file.
    if (state.pid === pid) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the running sandbox's state, or says plainly how to start one. */
export function readState(path = defaultStateFile()): SandboxState {
  let state: SandboxState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as SandboxState;
  } catch {
    throw new SandboxError(
      `no sandbox is running (no ${path}): start one with \`npm start\` in another terminal`,
    );
  }
  if (!alive(state.pid)) {
    throw new SandboxError(
      `the sandbox that wrote ${path} (pid ${state.pid}) is no longer running: start one with \`npm start\``,
    );
  }
  return state;
}
