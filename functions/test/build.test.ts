import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testAuthEnv } from './support/auth.js';
import { azureSettingsEnv } from './support/cell-env.js';
import { testPeerEnv } from './support/peer-key.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
// @ts-expect-error -- a plain JavaScript build script without type declarations
import { buildFunctions } from '../scripts/build.js';

const run = promisify(execFile);

interface Artifact {
  name: string;
  file: string;
  bytes: number;
  bundleBytes: number;
}

/** Reads the entries of a ZIP written by scripts/zip.js (deflate, no data descriptors). */
function unzip(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  const entries = new Map<string, Buffer>();
  let offset = 0;
  while (zip.readUInt32LE(offset) === 0x04034b50) {
    const compressedSize = zip.readUInt32LE(offset + 18);
    const nameLength = zip.readUInt16LE(offset + 26);
    const extraLength = zip.readUInt16LE(offset + 28);
    const name = zip.toString('utf8', offset + 30, offset + 30 + nameLength);
    const start = offset + 30 + nameLength + extraLength;
    entries.set(name, inflateRawSync(zip.subarray(start, start + compressedSize)));
    offset = start + compressedSize;
  }
  return entries;
}

const lambdaEnv = {
  CELL_NAME: 'aws',
  PEER_CELL_NAME: 'azure',
  PEER_URL: 'http://127.0.0.1:9',
  APP_VERSION: '1.0.0',
  AWS_REGION: 'us-east-1',
  DOCUMENTS_BUCKET: 'documents',
  ORDER_EVENTS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/order-events',
  NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:notifications',
  ...testAuthEnv,
  ...testPeerEnv,
};

const azureEnv = {
  ...azureSettingsEnv,
  PEER_URL: 'http://127.0.0.1:9',
  DOCUMENTS_STORAGE_CONNECTION:
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;',
  ...testPeerEnv,
};

describe('npm run build:functions', () => {
  let outDir: string;
  let artifacts: Artifact[];

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'functions-build-'));
    artifacts = (await buildFunctions({ outDir })) as Artifact[];
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  /** Imports the Azure bundle with `env` added to its settings; what it printed. */
  const loadAzureBundle = (env: Record<string, string>) =>
    run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(join(outDir, 'azure', 'dist', 'index.js'))});`,
      ],
      { env: { PATH: process.env.PATH, ...azureEnv, ...env } },
    ).then(({ stdout, stderr }) => `${stdout}${stderr}`);

  it('writes one zip per Lambda handler, each bundle within 1 MB, and the Azure package', () => {
    expect(artifacts.map((artifact) => artifact.name)).toEqual([
      'aws/http',
      'aws/order-events',
      'aws/replication',
      'aws/lease-renewal',
      'azure',
    ]);
    for (const artifact of artifacts.filter((a) => a.name.startsWith('aws/'))) {
      expect(artifact.bundleBytes).toBeLessThanOrEqual(1024 * 1024);
      expect([...unzip(artifact.file).keys()]).toEqual(['index.mjs']);
    }
    const azure = unzip(join(outDir, 'azure.zip'));
    expect([...azure.keys()]).toEqual(['dist/index.js', 'host.json', 'package.json']);
    expect(JSON.parse(azure.get('package.json')?.toString() ?? '{}')).toMatchObject({
      main: 'dist/index.js',
      type: 'module',
    });
    expect(JSON.parse(azure.get('host.json')?.toString() ?? '{}')).toMatchObject({
      version: '2.0',
      extensions: { http: { routePrefix: '' } },
    });
  });

  it('the Lambda HTTP bundle loads from its zip and answers an API Gateway v2 event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-http-'));
    try {
      const code = unzip(join(outDir, 'aws', 'http.zip')).get('index.mjs') as Buffer;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'index.mjs'), code);
      const script = `const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
        const result = await handler({ version: '2.0', rawPath: '/no/such/route', rawQueryString: '', headers: {},
          requestContext: { http: { method: 'GET' }, stage: '$default' }, isBase64Encoded: false });
        console.log(JSON.stringify(result));`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, ...lambdaEnv },
      });
      expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toMatchObject({
        statusCode: 404,
        headers: { 'x-cell': 'aws' },
      });

      const failed = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, ...lambdaEnv, DOCUMENTS_BUCKET: '' },
      }).catch((error: { code: number; stderr: string }) => error);
      expect((failed as { code: number }).code).not.toBe(0);
      expect((failed as { stderr: string }).stderr).toMatch(
        /AWS cell cannot start: DOCUMENTS_BUCKET is not set/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the replication bundle starts only with REPLICATION_QUEUE_URL, which its trigger needs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-replication-'));
    try {
      const code = unzip(join(outDir, 'aws', 'replication.zip')).get('index.mjs') as Buffer;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'index.mjs'), code);
      // An empty batch: the handler answers without reading a document or calling the peer.
      const script = `const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
        console.log(JSON.stringify(await handler({ Records: [] })));`;
      const queue = 'http://127.0.0.1:9/000000000000/replication';
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, ...lambdaEnv, REPLICATION_QUEUE_URL: queue },
      });
      expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual({
        batchItemFailures: [],
      });

      const failed = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, ...lambdaEnv },
      }).catch((error: { code: number; stderr: string }) => error);
      expect((failed as { code: number }).code).not.toBe(0);
      expect((failed as { stderr: string }).stderr).toMatch(/REPLICATION_QUEUE_URL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the lease-renewal bundle starts only with INVENTORY_LEASE_MS; the Azure bundle then registers its timer (ADR 25)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-lease-renewal-'));
    try {
      const code = unzip(join(outDir, 'aws', 'lease-renewal.zip')).get('index.mjs') as Buffer;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'index.mjs'), code);
      const script = `const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
        console.log(typeof handler);`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, ...lambdaEnv, INVENTORY_LEASE_MS: '180000' },
      });
      expect(stdout.trim().split('\n').at(-1)).toBe('function');
      const failed = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, ...lambdaEnv },
      }).catch((error: { code: number; stderr: string }) => error);
      expect((failed as { code: number }).code).not.toBe(0);
      expect((failed as { stderr: string }).stderr).toMatch(/INVENTORY_LEASE_MS is not set/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await loadAzureBundle({ INVENTORY_LEASE_MS: '180000' })).toMatch(
      /register function "renewInventoryLeases"/,
    );
    expect(await loadAzureBundle({})).not.toMatch(/renewInventoryLeases/);
  });

  it('the Azure bundle registers the replication trigger when REPLICATION_HUB is set', async () => {
    expect(await loadAzureBundle({ REPLICATION_HUB: 'replication' })).toMatch(
      /register function "replicate"/,
    );
    expect(await loadAzureBundle({})).not.toMatch(/register function "replicate"/);
  });

  it('the Azure bundle loads and registers its two functions (the Functions worker is absent here)', async () => {
    const entry = join(outDir, 'azure', 'dist', 'index.js');
    const { stdout, stderr } = await run(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(entry)});`],
      { env: { PATH: process.env.PATH, ...azureEnv } },
    );
    // Without the worker, @azure/functions runs in test mode and says which registrations it skipped.
    const output = `${stdout}${stderr}`;
    expect(output).toMatch(/register function "api"/);
    expect(output).toMatch(/register function "orderPlaced"/);
  });
});
