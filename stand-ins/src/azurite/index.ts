/**
 * Azurite, Microsoft's Blob Storage emulator (a third-party emulator, not a stand-in: it lives
 * here because the sandbox and the functions' tests both start it, the same way): Blob only,
 * in memory, no telemetry, on loopback, in a child process that exits with its parent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

const LOOPBACK = '127.0.0.1';

/** The well-known development storage account every Azurite accepts (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteBlob {
  /** The Blob endpoint of the development account, e.g. http://127.0.0.1:10000/devstoreaccount1. */
  readonly url: string;
  readonly port: number;
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** The port asked for is taken: the caller says which setting chooses another. */
export class AzuritePortBusyError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is busy: Azurite (Blob) cannot listen on ${LOOPBACK}:${port}`);
    this.name = 'AzuritePortBusyError';
  }
}

/**
 * The child's script, found through the workspace package rather than beside this module: the
 * sandbox runs this code from a bundle in sandbox/build/.
 */
function childScript(): string {
  return createRequire(import.meta.url).resolve(
    '@multicloud/stand-ins/src/azurite/azurite-child.cjs',
  );
}

/** Starts Azurite Blob on 127.0.0.1:port (0, the default: any free port) and waits until it listens. */
export function startAzuriteBlob(options: { port?: number } = {}): Promise<AzuriteBlob> {
  const port = options.port ?? 0;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      childScript(),
      '--blobHost',
      LOOPBACK,
      '--blobPort',
      String(port),
      '--disableTelemetry',
      '--inMemoryPersistence',
      '--loose',
      '--skipApiVersionCheck',
      '--silent',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start within 20 s:\n${output}`)),
      20_000,
    );
    function fail(error: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }
    function onData(chunk: Buffer): void {
      output += chunk.toString();
      if (settled) return;
      const listening = /successfully listens on http:\/\/[^:]+:(\d+)/.exec(output);
      if (listening) {
        settled = true;
        clearTimeout(timer);
        resolve(running(child, Number(listening[1])));
      } else if (/EADDRINUSE/.test(output)) {
        fail(new AzuritePortBusyError(port));
      }
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      fail(new Error(`Azurite exited (code ${code}) before it listened:\n${output}`)),
    );
  });
}

function running(child: ChildProcess, port: number): AzuriteBlob {
  const url = `http://${LOOPBACK}:${port}/${AZURITE_ACCOUNT}`;
  return {
    url,
    port,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};` +
      `AccountKey=${AZURITE_KEY};BlobEndpoint=${url};`,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // A closed stdin ends the child (azurite-child.cjs), even if SIGTERM were lost.
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
