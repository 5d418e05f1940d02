// @ts-check
// Builds the deployable artifacts of the workload (what Terraform deploys):
//   build/aws/http.zip          Lambda behind the HTTP API      (index.mjs, handler index.handler)
//   build/aws/order-events.zip  Lambda on the order-events SQS queue (index.mjs, handler index.handler)
//   build/aws/lease-renewal.zip Lambda on the EventBridge schedule renewing inventory leases (ADR 25)
//   build/aws/replication.zip   Lambda on the replication SQS queue (ADR 23; index.mjs, handler index.handler)
//   build/azure/                Azure Functions app folder: host.json, package.json, dist/index.js
//                               (one bundle; it registers the replication trigger when the app
//                               setting REPLICATION_HUB is set, with the extension bundle's Event Hubs)
//   build/azure.zip             the same folder zipped for zip deploy
// Each is one esbuild bundle with its dependencies (the AWS SDK included, so the deployed
// code runs the versions tested here, not whatever the Lambda runtime ships).
// Usage: node functions/scripts/build.js [--out <dir>] [--quiet]
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createZip } from './zip.js';

export const functionsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** ESM bundles still meet CommonJS dependencies that call require() on Node built-ins. */
const requireShim =
  "import { createRequire as __multicloudCreateRequire } from 'node:module';" +
  'const require = __multicloudCreateRequire(import.meta.url);';

/** @type {{ name: string, entry: string }[]} */
export const lambdas = [
  { name: 'http', entry: 'src/aws/lambda/http.ts' },
  { name: 'order-events', entry: 'src/aws/lambda/order-events.ts' },
  { name: 'replication', entry: 'src/aws/lambda/replication.ts' },
  { name: 'lease-renewal', entry: 'src/aws/lambda/lease-renewal.ts' },
];

/**
 * @param {string} entry
 * @param {string} outfile
 * @param {string[]} [external]
 */
async function bundle(entry, outfile, external = []) {
  await build({
    entryPoints: [join(functionsRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // The ES module builds of the AWS SDK and Azure packages tree-shake far better than their
    // CommonJS builds: smaller bundles, faster cold starts.
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    banner: { js: requireShim },
    external,
    logLevel: 'error',
  });
  return readFileSync(outfile);
}

/**
 * @param {{ outDir?: string }} [options]
 * @returns {Promise<{ name: string, file: string, bytes: number, bundleBytes: number }[]>}
 */
export async function buildFunctions(options = {}) {
  const outDir = resolve(options.outDir ?? join(functionsRoot, 'build'));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'aws'), { recursive: true });
  const artifacts = [];

  for (const lambda of lambdas) {
    const folder = join(outDir, 'aws', lambda.name);
    const code = await bundle(lambda.entry, join(folder, 'index.mjs'));
    const zip = createZip([{ name: 'index.mjs', data: code }]);
    const file = join(outDir, 'aws', `${lambda.name}.zip`);
    writeFileSync(file, zip);
    artifacts.push({
      name: `aws/${lambda.name}`,
      file,
      bytes: zip.length,
      bundleBytes: code.length,
    });
  }

  const azureDir = join(outDir, 'azure');
  // The Functions worker provides @azure/functions-core at run time; it must stay external.
  const azureCode = await bundle(
    'src/azure/functions-entry.ts',
    join(azureDir, 'dist', 'index.js'),
    ['@azure/functions-core'],
  );
  const pkg = JSON.parse(readFileSync(join(functionsRoot, 'package.json'), 'utf8'));
  const azurePackage = {
    name: 'multicloud-functions-azure',
    version: pkg.version,
    private: true,
    type: 'module',
    main: 'dist/index.js',
    description:
      'Bundled Azure Functions app (Node.js v4 programming model); built by functions/scripts/build.js',
  };
  const hostJson = {
    version: '2.0',
    extensionBundle: {
      id: 'Microsoft.Azure.Functions.ExtensionBundle',
      version: '[4.*, 5.0.0)',
    },
    // The core owns routing (same JSON 404 as on AWS): no /api prefix.
    extensions: {
      http: { routePrefix: '' },
      eventHubs: { maxEventBatchSize: 100, batchCheckpointFrequency: 1 },
    },
    logging: { logLevel: { default: 'Information' } },
  };
  const azureFiles = [
    { name: 'host.json', data: Buffer.from(`${JSON.stringify(hostJson, null, 2)}\n`) },
    { name: 'package.json', data: Buffer.from(`${JSON.stringify(azurePackage, null, 2)}\n`) },
    { name: 'dist/index.js', data: azureCode },
  ];
  for (const file of azureFiles) {
    mkdirSync(dirname(join(azureDir, file.name)), { recursive: true });
    writeFileSync(join(azureDir, file.name), file.data);
  }
  const azureZip = createZip(azureFiles);
  writeFileSync(join(outDir, 'azure.zip'), azureZip);
  artifacts.push({
    name: 'azure',
    file: join(outDir, 'azure.zip'),
    bytes: azureZip.length,
    bundleBytes: azureCode.length,
  });
  return artifacts;
}

/** @param {number} bytes */
export function formatBytes(bytes) {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(2)} MB`
    : `${(bytes / 1024).toFixed(1)} kB`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const artifacts = await buildFunctions(outIndex >= 0 ? { outDir: args[outIndex + 1] } : {});
  if (!args.includes('--quiet')) {
    for (const artifact of artifacts) {
      const path = relative(process.cwd(), artifact.file);
      console.log(
        `${path.padEnd(36)} ${formatBytes(statSync(artifact.file).size).padStart(9)} zipped, ` +
          `${formatBytes(artifact.bundleBytes).padStart(9)} bundle`,
      );
    }
  }
}
