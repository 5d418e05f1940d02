import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { SandboxError } from '../errors.js';
import { LOOPBACK } from '../listen.js';

/** The well-known development storage account every Azurite accepts. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteBlob {
  readonly url: string;
  readonly port: number;
  readonly connectionString: string;
  stop(): Promise<void>;
}

/**
 * Locates azurite-child.cjs next to this module; the sandbox is bundled into sandbox/build/,
 * so the source folder is found from the package instead when the file is not beside it.
 */
function childScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const require = createRequire(import.meta.url);
  try {
    return require.resolve(join(here, 'azurite-child.cjs'));
  } catch {
    return join(here, '..', 'src', 'emulators', 'azurite-child.cjs');
  }
}

/** Starts Azurite Blob on loopback (in memory, no telemetry) and waits until it listens. */
export function startAzuriteBlob(port: number, hint: string): Promise<AzuriteBlob> {
  return new Promise((resolve, reject) => {
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
    let output = '';
    let ready = false;
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start within 20 s:\n${output}`)),
      20_000,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (ready) return;
      const listening = /successfully listens on http:\/\/[^:]+:(\d+)/.exec(output);
      if (listening) {
        ready = true;
        clearTimeout(timer);
        const actualPort = Number(listening[1]);
        const url = `http://${LOOPBACK}:${actualPort}/${AZURITE_ACCOUNT}`;
        resolve({
          url,
          port: actualPort,
          connectionString:
            `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};` +
            `AccountKey=${AZURITE_KEY};BlobEndpoint=${url};`,
          stop: () => stopChild(child),
        });
        return;
      }
      if (/EADDRINUSE/.test(output)) {
        fail(
          new SandboxError(
            `port ${port} is busy: Azurite (Blob) cannot listen on ${LOOPBACK}:${port} (choose another with ${hint})`,
          ),
        );
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      if (!ready) fail(new Error(`Azurite exited (code ${code}) before it listened:\n${output}`));
    });
  });
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
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
