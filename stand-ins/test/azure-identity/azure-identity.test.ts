import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultAzureCredential } from '@azure/identity';
import {
  startAzureIdentityStandIn,
  type AzureIdentityStandIn,
} from '../../src/azure-identity/index.js';
import { createTestCertificate, type TestCertificate } from '../../src/http/test-certificate.js';

const TENANT = '11111111-1111-1111-1111-111111111111';
const CLIENT = '22222222-2222-2222-2222-222222222222';
const VARIABLES = [
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_AUTHORITY_HOST',
] as const;

describe('Entra token endpoint stand-in with the real DefaultAzureCredential', () => {
  let certificate: TestCertificate;
  let identity: AzureIdentityStandIn;
  let dir: string;
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    certificate = await createTestCertificate();
    identity = await startAzureIdentityStandIn({
      tls: certificate,
      tenantId: TENANT,
      clientId: CLIENT,
      federatedToken: 'github-oidc-token',
    });
    dir = await mkdtemp(join(tmpdir(), 'identity-'));
  });

  afterEach(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = saved[name];
    }
    identity.server.clearRequests();
  });

  afterAll(async () => {
    await identity.close();
    await certificate.remove();
    await rm(dir, { recursive: true, force: true });
  });

  // What azure/login's OIDC leaves behind: a federated token file and the workload-identity
  // variables. In-process the test certificate is trusted through tlsOptions; a child process
  // would use NODE_EXTRA_CA_CERTS instead.
  async function credentialFor(token: string, clientId = CLIENT): Promise<DefaultAzureCredential> {
    const file = join(dir, `token-${Math.random().toString(36).slice(2)}`);
    await writeFile(file, token);
    process.env.AZURE_TENANT_ID = TENANT;
    process.env.AZURE_CLIENT_ID = clientId;
    process.env.AZURE_FEDERATED_TOKEN_FILE = file;
    process.env.AZURE_AUTHORITY_HOST = identity.url;
    return new DefaultAzureCredential({
      tlsOptions: { ca: certificate.cert },
      // A private authority host is unknown to MSAL: without this it would ask
      // login.microsoftonline.com for instance metadata first.
      disableInstanceDiscovery: true,
    });
  }

  it('issues a token through workload identity, asking only the local endpoint', async () => {
    const credential = await credentialFor('github-oidc-token');
    const token = await credential.getToken('https://management.azure.com/.default');
    expect(identity.isValidToken(token.token)).toBe(true);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000 * 1000);
    expect(identity.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /${TENANT}/v2.0/.well-known/openid-configuration`,
      `POST /${TENANT}/oauth2/v2.0/token`,
    ]);
    const grant = new URLSearchParams(identity.requests[1]?.body);
    expect(grant.get('client_assertion')).toBe('github-oidc-token');
    expect(grant.get('scope')).toBe('https://management.azure.com/.default');
    const claims = JSON.parse(
      Buffer.from(token.token.split('.')[1] ?? '', 'base64url').toString(),
    ) as { aud: string; tid: string };
    expect(claims).toMatchObject({ aud: 'https://management.azure.com', tid: TENANT });
  });

  it('refuses a federated token that does not match, with the AADSTS code', async () => {
    const credential = await credentialFor('someone-elses-token');
    await expect(credential.getToken('https://management.azure.com/.default')).rejects.toThrow(
      /AADSTS700213/,
    );
  });

  it('refuses an unknown application', async () => {
    const credential = await credentialFor(
      'github-oidc-token',
      '33333333-3333-3333-3333-333333333333',
    );
    await expect(credential.getToken('https://management.azure.com/.default')).rejects.toThrow(
      /AADSTS700016/,
    );
  });

  it('does not accept tokens it did not issue', () => {
    expect(identity.isValidToken('a.b.c')).toBe(false);
  });
});
