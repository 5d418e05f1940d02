// @ts-check
// Benchmark of the functions workload (issue 7). Run: node bench/functions.mjs
// - bundle sizes of the deployable artifacts (target: each Lambda bundle <= 1 MB);
// - cold import time of each bundle in a fresh Node process minus `node -e ''`
//   (target: <= 150 ms over the baseline), median of per-round differences, runs interleaved;
// - in-process handler throughput for a cart read and an order placement through the Lambda
//   HTTP adapter and the core on in-memory ports, against a bare Lambda handler (ratio).
// Prints a table; the latest figures live in bench/README.md (section "functions").
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { buildFunctions, formatBytes } from '../functions/scripts/build.js';
import { bundleTypeScript } from '../scripts/run-typescript.js';

const run = promisify(execFile);
const benchDir = dirname(fileURLToPath(import.meta.url));
const coldRuns = Number(process.env.BENCH_COLD_RUNS ?? 9);
const throughputMs = Number(process.env.BENCH_THROUGHPUT_MS ?? 1500);
const oneMegabyte = 1024 * 1024;
const coldTargetMs = 150;

const env = {
  PATH: process.env.PATH ?? '',
  CELL_NAME: 'aws',
  PEER_CELL_NAME: 'azure',
  PEER_URL: 'http://127.0.0.1:9',
  // The bench's own signing key (48 bytes of base64): cells refuse to start without one (ADR 17).
  PEER_SHARED_KEY: 'YmVuY2gtcGVlci1rZXktYmVuY2gtcGVlci1rZXktYmVuY2gtcGVlci1rZXktMDEy',
  APP_VERSION: 'bench',
  AWS_REGION: 'us-east-1',
  DOCUMENTS_BUCKET: 'documents',
  ORDER_EVENTS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/order-events',
  NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:notifications',
  REGION_NAME: 'westeurope',
  DOCUMENTS_STORAGE_CONNECTION:
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;',
  ORDER_EVENTS_CONNECTION:
    'Endpoint=sb://bench.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=Yg==',
  ORDER_EVENTS_HUB: 'order-events',
  NOTIFICATION_HUB_CONNECTION:
    'Endpoint=sb://bench.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=Yg==',
  NOTIFICATION_HUB_NAME: 'customers',
  AUTH_ISSUER: 'https://login.bench.example/',
  AUTH_AUDIENCE: 'https://api.bench.example',
  AUTH_JWKS_URL: 'https://login.bench.example/.well-known/jwks.json',
};

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** @param {string[]} args */
async function timeNode(args) {
  const started = process.hrtime.bigint();
  await run(process.execPath, args, { env });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Runs the baseline and every bundle import in interleaved rounds, so a burst of load from
 * other processes hits all of them alike; "over baseline" is the median of the per-round
 * differences.
 * @param {string[][]} commands argument lists; the first is the baseline
 */
async function coldRounds(commands) {
  for (const args of commands) await timeNode(args); // warm the file system cache
  /** @type {number[][]} */
  const times = commands.map(() => []);
  for (let round = 0; round < coldRuns; round += 1) {
    for (const [index, args] of commands.entries()) times[index]?.push(await timeNode(args));
  }
  const baseline = times[0] ?? [];
  return times.map((series) => ({
    median: median(series),
    overBaseline: median(series.map((value, round) => value - (baseline[round] ?? 0))),
  }));
}

/**
 * @param {() => Promise<unknown>} operation
 * @returns {Promise<number>} operations per second
 */
async function throughput(operation) {
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) await operation();
  let count = 0;
  const started = performance.now();
  const until = started + throughputMs;
  while (performance.now() < until) {
    await operation();
    count += 1;
  }
  return (count * 1000) / (performance.now() - started);
}

/**
 * The core, the in-memory ports and the Lambda HTTP mapping (bench/support/in-process-cell.ts),
 * bundled the project's one way (scripts/run-typescript.js) for in-process runs.
 */
/** Bundled into bench/build/ (git-ignored), where its dependencies (jose) resolve; removed once loaded. */
async function loadInProcessCell() {
  const bundle = await bundleTypeScript(join(benchDir, 'support', 'in-process-cell.ts'));
  try {
    return await import(pathToFileURL(bundle).href);
  } finally {
    rmSync(bundle, { force: true });
  }
}

/** An API Gateway HTTP API (payload 2.0) event, as the Lambda receives it. */
function apiEvent(method, path, headers = {}, body) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { accept: '*/*', host: 'api.example.com', ...headers },
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      stage: '$default',
      requestId: 'bench',
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-functions-'));
let issuer;
try {
  const artifacts = await buildFunctions({ outDir: join(dir, 'build') });
  const bundles = artifacts.map((artifact) =>
    artifact.name === 'azure'
      ? join(dir, 'build', 'azure', 'dist', 'index.js')
      : join(dir, 'build', artifact.name, 'index.mjs'),
  );
  const cold = await coldRounds([
    ['-e', ''],
    ...bundles.map((bundle) => [
      '--no-warnings',
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(pathToFileURL(bundle).href)});`,
    ]),
  ]);
  const baseline = cold[0]?.median ?? 0;
  const rows = artifacts.map((artifact, index) => ({
    ...artifact,
    coldMs: cold[index + 1]?.median ?? 0,
    overMs: cold[index + 1]?.overBaseline ?? 0,
  }));

  const cellModule = await loadInProcessCell();
  const documents = new cellModule.MemoryDocumentStore();
  issuer = await cellModule.startOidcIssuer({ audience: 'https://api.bench.example' });
  const app = cellModule.createCellApp({
    identity: { cell: 'aws', cloud: 'memory', region: 'local', version: 'bench' },
    peer: {
      cell: 'azure',
      url: 'http://127.0.0.1:9',
      timeoutMs: 1000,
      auth: { key: Buffer.from(env.PEER_SHARED_KEY, 'base64'), windowMs: 60_000 },
    },
    ports: {
      documents,
      events: new cellModule.MemoryEventQueue(),
      notifier: new cellModule.MemoryNotifier(),
    },
    auth: issuer.verifierSettings,
  });
  // Every request carries the shopper's token: the numbers include its RS256 check.
  const authorization = `Bearer ${issuer.customerToken('bench')}`;
  const lambda = async (event) =>
    cellModule.apiGatewayResult(await app.handleHttp(cellModule.coreRequestFromApiGateway(event)));
  const bare = async () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });

  for (const sku of ['MUG', 'HOODIE', 'STICKERS']) {
    await app.inventory.setAllocation(sku, 1_000_000);
  }
  const cart = await app.carts.create('bench');
  for (const sku of ['MUG', 'HOODIE', 'STICKERS']) {
    await app.carts.putItem(cart.id, 'bench', sku, 2);
  }
  const cartEvent = apiEvent('GET', `/carts/${cart.id}`, { authorization });
  const check = await lambda(cartEvent);
  if (check.statusCode !== 200) throw new Error(`cart read answered ${check.statusCode}`);
  let orderNumber = 0;
  const orderBody = JSON.stringify({ items: [{ sku: 'MUG', quantity: 1 }] });
  const placeOrder = async () => {
    // Only keys homed in this cell (ADR 18): the others would be forwarded to the absent peer.
    do orderNumber += 1;
    while (cellModule.idempotencyHome('bench', `bench-${orderNumber}`, ['aws', 'azure']) !== 'aws');
    const result = await lambda(
      apiEvent(
        'POST',
        '/orders',
        {
          'content-type': 'application/json',
          'idempotency-key': `bench-${orderNumber}`,
          authorization,
        },
        orderBody,
      ),
    );
    if (result.statusCode !== 201)
      throw new Error(`order placement answered ${result.statusCode}: ${result.body}`);
  };

  const bareOps = await throughput(() => bare(cartEvent));
  const cartOps = await throughput(() => lambda(cartEvent));
  const orderOps = await throughput(placeOrder);

  console.log(
    `functions benchmark (Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)}, ` +
      `${coldRuns} cold runs, ${throughputMs} ms per throughput run)\n`,
  );
  console.log('artifact           bundle      zip        cold import  over node -e ""  targets');
  for (const row of rows) {
    const sizeOk = row.name === 'azure' || row.bundleBytes <= oneMegabyte;
    const coldOk = row.overMs <= coldTargetMs;
    console.log(
      `${row.name.padEnd(18)} ${formatBytes(row.bundleBytes).padStart(9)}  ${formatBytes(row.bytes).padStart(9)}  ` +
        `${row.coldMs.toFixed(0).padStart(8)} ms  ${row.overMs.toFixed(0).padStart(10)} ms      ` +
        `${row.name === 'azure' ? '' : `size ${sizeOk ? 'ok' : 'OVER 1 MB'}, `}cold ${coldOk ? 'ok' : 'OVER 150 ms'}`,
    );
  }
  console.log(`baseline node -e '' ${baseline.toFixed(0)} ms\n`);
  console.log(
    'in-process handler (Lambda HTTP adapter + core, in-memory ports)   ops/s    vs bare handler',
  );
  console.log(
    `bare Lambda handler                                        ${bareOps.toFixed(0).padStart(10)}    1`,
  );
  console.log(
    `GET /carts/{id} (3 items)                                  ${cartOps.toFixed(0).padStart(10)}    ${(cartOps / bareOps).toFixed(4)} (${(bareOps / cartOps).toFixed(0)}x slower)`,
  );
  console.log(
    `POST /orders (new Idempotency-Key, 1 line)                 ${orderOps.toFixed(0).padStart(10)}    ${(orderOps / bareOps).toFixed(4)} (${(bareOps / orderOps).toFixed(0)}x slower)`,
  );
} finally {
  await issuer?.close();
  rmSync(dir, { recursive: true, force: true });
}
