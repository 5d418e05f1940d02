/**
 * A throw-away self-signed certificate for HTTPS stand-ins (Azure SDKs refuse plain HTTP).
 * Valid for 127.0.0.1 and localhost. Clients trust it through NODE_EXTRA_CA_CERTS=certPath
 * (child processes) or the `ca` option of an https.Agent (in-process).
 *
 *   const certificate = await createTestCertificate();
 *   const server = await startStandInServer({ routes, tls: certificate });
 *   ...
 *   await certificate.remove();
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificate {
  key: string;
  cert: string;
  keyPath: string;
  certPath: string;
  remove(): Promise<void>;
}

export async function createTestCertificate(): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'stand-in-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `createTestCertificate: openssl failed (${error instanceof Error ? error.message : String(error)}); install the openssl Debian package`,
      { cause: error },
    );
  }
  return {
    key: await readFile(keyPath, 'utf8'),
    cert: await readFile(certPath, 'utf8'),
    keyPath,
    certPath,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
