/**
 * The sandbox's control API, served on the dashboard port (POST /api/...): what the sandbox
 * client, `npm run shift` and the rehearsal drive. Each route checks its body and answers 400
 * with the accepted form before it changes anything.
 */
import { isCloud, type Cloud } from '../../actions/shared/src/clouds.js';
import type { CellDeployOptions } from './cells/cell-runner.js';
import type { CellStatus } from './dashboard/snapshot.js';
import { SandboxError } from './errors.js';
import type { CountersSnapshot } from './router/request-counters.js';
import { isRouterMode, ROUTER_MODES, type RouterMode } from './router/weights.js';
import type { ShiftRequest, ShiftResult } from './shift-runner.js';

/** What the control API may do to a running sandbox. */
export interface SandboxControls {
  restartCell(cloud: Cloud, version: string, options?: CellDeployOptions): Promise<void>;
  /** A simulated outage of one cloud (`down: true`), or its end. */
  setOutage(cloud: Cloud, down: boolean): Promise<CellStatus>;
  cellStatus(cloud: Cloud): CellStatus;
  setRouterMode(mode: RouterMode): void;
  /** Adds a line to the dashboard's rollout log. */
  note(source: string, text: string): void;
  resetCounters(): CountersSnapshot;
  shift(request: ShiftRequest): Promise<ShiftResult>;
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

type Body = Record<string, unknown>;

/** Answers a control request, or undefined when no route matches (the server says 404). */
export async function handleControl(
  controls: SandboxControls,
  path: string,
  body: unknown,
): Promise<ControlResponse | undefined> {
  const input = (body ?? {}) as Body;
  try {
    const deploy = /^\/api\/cells\/([^/]+)\/deploy$/.exec(path);
    if (deploy) return await deployCell(controls, deploy[1] ?? '', input);
    const outage = /^\/api\/cells\/([^/]+)\/outage$/.exec(path);
    if (outage) return await setOutage(controls, outage[1] ?? '', input);
    if (path === '/api/router') return setRouterMode(controls, input);
    if (path === '/api/rollout') return addNote(controls, input);
    if (path === '/api/counters/reset') return { status: 200, body: controls.resetCounters() };
    if (path === '/api/shift') return await shift(controls, input);
  } catch (error) {
    if (error instanceof SandboxError) return { status: 400, body: { error: error.message } };
    throw error;
  }
  return undefined;
}

async function deployCell(
  controls: SandboxControls,
  cloud: string,
  input: Body,
): Promise<ControlResponse> {
  if (!isCloud(cloud)) return { status: 404, body: { error: `no cell "${cloud}": aws or azure` } };
  if (typeof input.version !== 'string' || !/^[\w.+-]{1,64}$/.test(input.version)) {
    return {
      status: 400,
      body: { error: 'version must be a string of letters, digits, dots, dashes (at most 64)' },
    };
  }
  const downtimeMs = wholeMs(input, 'downtimeMs', 60_000);
  const latencyMs = wholeMs(input, 'latencyMs', 10_000);
  await controls.restartCell(cloud, input.version, {
    breakHealth: input.breakHealth === true,
    downtimeMs,
    latencyMs,
  });
  return { status: 200, body: { cell: controls.cellStatus(cloud) } };
}

/** An optional whole number of milliseconds (0 when absent); anything else is a 400 naming it. */
function wholeMs(input: Body, name: string, max: number): number {
  const value = input[name] ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new SandboxError(`${name} must be a whole number from 0 to ${max}`);
  }
  return value;
}

async function setOutage(
  controls: SandboxControls,
  cloud: string,
  input: Body,
): Promise<ControlResponse> {
  if (!isCloud(cloud)) return { status: 404, body: { error: `no cell "${cloud}": aws or azure` } };
  if (typeof input.down !== 'boolean') {
    return {
      status: 400,
      body: { error: 'down must be true (take the cloud down) or false (bring it back)' },
    };
  }
  return { status: 200, body: { cell: await controls.setOutage(cloud, input.down) } };
}

function setRouterMode(controls: SandboxControls, input: Body): ControlResponse {
  if (typeof input.mode !== 'string' || !isRouterMode(input.mode)) {
    return { status: 400, body: { error: `mode must be ${ROUTER_MODES.join(', ')}` } };
  }
  controls.setRouterMode(input.mode);
  return { status: 200, body: { mode: input.mode } };
}

function addNote(controls: SandboxControls, input: Body): ControlResponse {
  if (typeof input.text !== 'string' || input.text.length > 2000) {
    return { status: 400, body: { error: 'text must be a string of at most 2000 characters' } };
  }
  controls.note(typeof input.source === 'string' ? input.source.slice(0, 20) : 'note', input.text);
  return { status: 200, body: {} };
}

async function shift(controls: SandboxControls, input: Body): Promise<ControlResponse> {
  if (typeof input.target !== 'string') {
    return { status: 400, body: { error: 'target is required, e.g. aws=100,azure=0' } };
  }
  const result = await controls.shift({
    target: input.target,
    ...(typeof input.steps === 'string' ? { steps: input.steps } : {}),
    ...(typeof input.bakeSeconds === 'number' ? { bakeSeconds: input.bakeSeconds } : {}),
    ...(typeof input.probeIntervalSeconds === 'number'
      ? { probeIntervalSeconds: input.probeIntervalSeconds }
      : {}),
    ...(typeof input.minProbesPerStep === 'number'
      ? { minProbesPerStep: input.minProbesPerStep }
      : {}),
    ...(input.extraInputs && typeof input.extraInputs === 'object'
      ? { extraInputs: input.extraInputs as Record<string, string> }
      : {}),
  });
  return { status: result.exitCode === 0 ? 200 : 409, body: result };
}
