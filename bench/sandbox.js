// @ts-check
// Sandbox benchmark (issue: local sandbox): edge-router overhead (p50/p99 through the router vs
// calling a cell directly; target p50 ratio <= 1.2) and start-up time to ready.
// Run: node bench/sandbox.js [--requests 2000] [--starts 3]. Prints the figures measured in
// this one run; the latest are kept in bench/README.md (section "Sandbox").
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (/** @type {string} */ name, /** @type {number} */ fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const REQUESTS = option('--requests', 2000);
const STARTS = option('--starts', 3);

/** @returns {Promise<{ urls: Record<string, string>, stateFile: string, readyMs: number, reportedMs: number, stop: () => Promise<void> }>} */
function startSandbox() {
  const started = performance.now();
  const stateFile = join(root, 'sandbox', 'build', `bench-${process.pid}.json`);
  const child = spawn(
    process.execPath,
    [
      join(root, 'scripts', 'run-typescript.js'),
      join(root, 'sandbox', 'src', 'cli.ts'),
      '--free-ports',
      '--state-file',
      stateFile,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  /** @type {Record<string, string>} */
  const urls = {};
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (chunk) => (output += chunk));
    void exited.then((code) =>
      reject(new Error(`sandbox exited (${code}) before ready:\n${output}`)),
    );
    createInterface({ input: /** @type {NodeJS.ReadableStream} */ (child.stdout) }).on(
      'line',
      (line) => {
        output += `${line}\n`;
        const url = /^([a-z0-9]+):\s+(https?:\/\/\S+)/.exec(line);
        if (url?.[1] && url[2]) urls[url[1]] = url[2];
        const ready = /^ready in ([\d.]+) s/.exec(line);
        if (ready) {
          resolve({
            urls,
            stateFile,
            readyMs: performance.now() - started,
            reportedMs: Number(ready[1]) * 1000,
            stop: async () => {
              child.kill('SIGTERM');
              await exited;
            },
          });
        }
      },
    );
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** A shopper's bearer token from the sandbox's issuer (its token endpoint, as npm run token does). */
async function shopperToken(/** @type {string} */ stateFile) {
  const { auth } = JSON.parse(readFileSync(stateFile, 'utf8'));
  const response = await fetch(auth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
      subject: 'bench-shopper',
    }).toString(),
  });
  const body = /** @type {{ access_token: string }} */ (await response.json());
  return body.access_token;
}

/** @type {Record<string, string>} */
const headers = {};

/** One GET over a kept-alive connection (as a shopper); resolves with the latency in ms. */
function timedGet(/** @type {string} */ url) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        // /health answers 200 (or 503 on a starved machine); /inventory must be 200, not a 401.
        if ((res.statusCode ?? 500) >= 500 || res.statusCode === 401)
          reject(new Error(`${url}: ${res.statusCode}`));
        else resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** @param {number[]} values @param {number} q */
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

/**
 * Interleaves router and direct calls (router, aws, router, azure, ...) so that both see the
 * same machine load; the direct baseline alternates between the cells as the router does.
 * @param {Record<string, string>} urls @param {string} path
 */
async function overhead(urls, path) {
  /** @type {number[]} */ const viaRouter = [];
  /** @type {number[]} */ const direct = [];
  for (let i = 0; i < 200; i++) await timedGet(`${urls.router}${path}`); // warm-up
  for (let i = 0; i < REQUESTS; i++) {
    viaRouter.push(await timedGet(`${urls.router}${path}`));
    direct.push(await timedGet(`${i % 2 === 0 ? urls.aws : urls.azure}${path}`));
  }
  return {
    path,
    router: { p50: quantile(viaRouter, 0.5), p99: quantile(viaRouter, 0.99) },
    direct: { p50: quantile(direct, 0.5), p99: quantile(direct, 0.99) },
  };
}

const fmt = (/** @type {number} */ ms) => `${ms.toFixed(2)} ms`;

const startups = [];
for (let i = 0; i < STARTS; i++) {
  const sandbox = await startSandbox();
  startups.push({ readyMs: sandbox.readyMs, reportedMs: sandbox.reportedMs });
  if (i < STARTS - 1) await sandbox.stop();
  else {
    headers.authorization = `Bearer ${await shopperToken(sandbox.stateFile)}`;
    console.log(
      `sandbox benchmark: ${REQUESTS} requests per path, sequential, kept-alive connections, node ${process.version}`,
    );
    console.log('');
    console.log(
      '| path | direct p50 | router p50 | p50 ratio | direct p99 | router p99 | p99 ratio |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const path of ['/inventory/MUG', '/health']) {
      const r = await overhead(sandbox.urls, path);
      console.log(
        `| \`GET ${r.path}\` | ${fmt(r.direct.p50)} | ${fmt(r.router.p50)} | ${(r.router.p50 / r.direct.p50).toFixed(2)} | ` +
          `${fmt(r.direct.p99)} | ${fmt(r.router.p99)} | ${(r.router.p99 / r.direct.p99).toFixed(2)} |`,
      );
    }
    await sandbox.stop();
  }
}
agent.destroy();
const median = (/** @type {number[]} */ values) => quantile(values, 0.5);
console.log('');
console.log(
  `start-up to ready (${STARTS} starts, median): ${(median(startups.map((s) => s.readyMs)) / 1000).toFixed(2)} s from \`npm start\` ` +
    `(bundling included); ${(median(startups.map((s) => s.reportedMs)) / 1000).toFixed(2)} s inside the sandbox (servers, emulators, cells built and deployed, data seeded)`,
);
