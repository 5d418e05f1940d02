// The Azure cell publishes its Functions package with the Azure CLI from a local-exec
// provisioner. In a long GitHub job the CLI's login from azure/login has expired by then (its
// federated token lives minutes), so the script signs the CLI in again with a GitHub ID token
// fetched right then. This runs the provisioner's script as Terraform would (sh -c, the
// heredoc as parsed from main.tf) with the real curl and jq against a local stand-in of
// GitHub's ID token endpoint, and a recording `az` on PATH.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asBodies, loadModule } from './support/terraform-module.js';

const REQUEST_TOKEN = 'runtime-request-token';

interface TokenRequest {
  url: string;
  authorization: string | undefined;
}

let server: Server;
let tokenUrl: string;
let answer: 'token' | 'error' | 'no token' = 'token';
const tokenRequests: TokenRequest[] = [];
let dir: string;
let script: string;

beforeAll(async () => {
  const cell = await loadModule('modules/azure-cell');
  const provisioner = asBodies(cell.resources.get('terraform_data.package')?.body.provisioner)[0];
  const command = asBodies(provisioner?.['local-exec'])[0]?.command;
  if (typeof command !== 'string') throw new Error('terraform_data.package has no local-exec');
  // Terraform renders the template: $${ is a literal ${.
  script = command.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

  // GitHub's ID token endpoint: GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=..., bearer
  // ACTIONS_ID_TOKEN_REQUEST_TOKEN, answers {"value": "<jwt>"}.
  server = createServer((request, response) => {
    tokenRequests.push({ url: request.url ?? '', authorization: request.headers.authorization });
    if (answer === 'error') {
      response.writeHead(500).end('{"message":"unavailable"}');
      return;
    }
    if (answer === 'no token') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ value: `github-id-token-${tokenRequests.length}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_apis/token?api-version=2.0`;

  dir = mkdtempSync(join(tmpdir(), 'package-deploy-'));
  writeFileSync(join(dir, 'az'), `#!/bin/sh\necho "$*" >> "${join(dir, 'az.log')}"\n`);
  chmodSync(join(dir, 'az'), 0o755);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the script asynchronously: the token stand-in answers from this same process. */
async function run(extraEnv: Record<string, string>) {
  rmSync(join(dir, 'az.log'), { force: true });
  tokenRequests.length = 0;
  const child = spawn('sh', ['-c', script], {
    env: {
      PATH: `${dir}:${process.env.PATH ?? ''}`,
      RESOURCE_GROUP: 'rg-shop-azure',
      FUNCTION_APP: 'shop-azure-prod-functions-1a2b3c',
      PACKAGE: '/work/functions/build/azure.zip',
      ...extraEnv,
    },
    stdio: 'ignore',
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const log = join(dir, 'az.log');
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { status, calls };
}

const githubOidc = () => ({
  ARM_USE_OIDC: 'true',
  ARM_CLIENT_ID: 'deploy-client-id',
  ARM_TENANT_ID: 'tenant-id',
  ARM_SUBSCRIPTION_ID: 'subscription-id',
  ACTIONS_ID_TOKEN_REQUEST_URL: tokenUrl,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
});

const deploy =
  'functionapp deployment source config-zip --resource-group rg-shop-azure --name shop-azure-prod-functions-1a2b3c --src /work/functions/build/azure.zip';

describe('the Functions package deploy (terraform_data.package)', () => {
  it('signs the CLI in with a fresh GitHub ID token, then deploys, in a job using OIDC', async () => {
    const result = await run(githubOidc());
    expect(result.status).toBe(0);
    expect(tokenRequests).toEqual([
      {
        url: '/_apis/token?api-version=2.0&audience=api://AzureADTokenExchange',
        authorization: `bearer ${REQUEST_TOKEN}`,
      },
    ]);
    expect(result.calls).toEqual([
      'login --service-principal --username deploy-client-id --tenant tenant-id --federated-token github-id-token-1 --allow-no-subscriptions --output none',
      'account set --subscription subscription-id',
      deploy,
    ]);
  });

  it('uses the CLI as it is signed in elsewhere (az login by a person)', async () => {
    const result = await run({});
    expect(result.status).toBe(0);
    expect(tokenRequests).toEqual([]);
    expect(result.calls).toEqual([deploy]);
  });

  it.each(['error', 'no token'] as const)(
    'stops before calling the CLI when GitHub answers with %s',
    async (kind) => {
      answer = kind;
      try {
        const result = await run(githubOidc());
        expect(result.status).not.toBe(0);
        expect(tokenRequests).toHaveLength(1);
        expect(result.calls).toEqual([]);
      } finally {
        answer = 'token';
      }
    },
  );

  it('passes shellcheck as POSIX sh (Terraform runs local-exec with /bin/sh -c)', () => {
    const result = spawnSync('shellcheck', ['--shell', 'sh', '-'], {
      input: script,
      encoding: 'utf8',
    });
    expect([result.status, result.stdout]).toEqual([0, '']);
  });
});
