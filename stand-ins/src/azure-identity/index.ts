/**
 * A local stand-in for the Microsoft Entra ID token endpoint, so the real Azure credential chain
 * (DefaultAzureCredential -> WorkloadIdentityCredential, as azure/login's OIDC leaves it) runs
 * without reaching Microsoft. Serves HTTPS (MSAL refuses a plain-HTTP authority):
 *
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration   OIDC discovery MSAL reads first
 *   GET  /common/discovery/instance                        AAD instance discovery (aliases)
 *   GET  /{tenant}/discovery/v2.0/keys                     an empty JWKS (tokens are not signed)
 *   POST /{tenant}/oauth2/v2.0/token                       client_credentials with a
 *                                                          client_assertion (federated token) or
 *                                                          a client_secret
 *
 *   import { startAzureIdentityStandIn } from '<repo>/stand-ins/src/azure-identity/index.js';
 *   import { createTestCertificate } from '<repo>/stand-ins/src/http/test-certificate.js';
 *
 *   const certificate = await createTestCertificate();
 *   const identity = await startAzureIdentityStandIn({
 *     tls: certificate,
 *     tenantId: '11111111-1111-1111-1111-111111111111',
 *     clientId: '22222222-2222-2222-2222-222222222222',
 *     federatedToken: 'the GitHub OIDC token the test wrote to AZURE_FEDERATED_TOKEN_FILE',
 *   });
 *   // Child process env for the real chain:
 *   //   AZURE_AUTHORITY_HOST=identity.url  AZURE_TENANT_ID  AZURE_CLIENT_ID
 *   //   AZURE_FEDERATED_TOKEN_FILE=<file holding federatedToken>
 *   //   NODE_EXTRA_CA_CERTS=certificate.certPath
 *   identity.isValidToken(bearer)        // true for an unexpired token this stand-in issued
 *   identity.issuedTokens                // { token, clientId, tenantId, scope, expiresOn }[]
 *   identity.requests / identity.server  // request log and fault injection (http/server.ts)
 *   await identity.close()
 *
 * Errors follow Entra's OAuth error JSON (`error`, `error_description` with the AADSTS code,
 * `error_codes`, `timestamp`, `trace_id`, `correlation_id`): an unknown tenant is 400
 * `invalid_request` AADSTS90002, an unknown client 400 `unauthorized_client` AADSTS700016, a
 * federated token that does not match 400 `invalid_client` AADSTS700213. Access tokens are
 * unsigned JWTs (alg none) whose `aud` is the scope without `/.default`; only this stand-in
 * (and the ARM stand-ins that ask it through isValidToken) accept them.
 *
 * Layout: this file is the router; store.ts holds the tenant, the application and the issued
 * tokens, discovery.ts what MSAL reads first, tokens.ts the token endpoint, oauth-errors.ts
 * Entra's error answer.
 */
import { startStandInServer, type RecordedRequest, type StandInServer } from '../http/server.js';
import { instanceDiscovery, openIdConfiguration, signingKeys } from './discovery.js';
import { isValidToken, type IdentityStore, type IssuedToken } from './store.js';
import { issueToken } from './tokens.js';

export type { IssuedToken } from './store.js';

export interface AzureIdentityStandInOptions {
  tls: { key: string | Buffer; cert: string | Buffer };
  /** The one tenant this stand-in knows. */
  tenantId: string;
  /** The one application (client) ID it issues tokens to. */
  clientId: string;
  /**
   * When set, the client assertion must equal it (the federated OIDC token), or pass it when it
   * is a function (e.g. "a token the GitHub OIDC stand-in issued and that has not expired", as
   * Entra checks the assertion's signature and lifetime).
   */
  federatedToken?: string | ((assertion: string) => boolean);
  /** When set, a client_secret grant must carry it. */
  clientSecret?: string;
  /** Access token lifetime. Default 3599 s, as Entra. */
  tokenLifetimeSeconds?: number;
}

export interface AzureIdentityStandIn {
  /** 'https://127.0.0.1:PORT': AZURE_AUTHORITY_HOST. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly server: StandInServer;
  readonly issuedTokens: readonly IssuedToken[];
  isValidToken(token: string): boolean;
  close(): Promise<void>;
}

export async function startAzureIdentityStandIn(
  options: AzureIdentityStandInOptions,
): Promise<AzureIdentityStandIn> {
  const store: IdentityStore = {
    tenantId: options.tenantId,
    clientId: options.clientId,
    federatedToken: options.federatedToken,
    clientSecret: options.clientSecret,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    issued: [],
    baseUrl: '',
  };
  const server = await startStandInServer({
    name: 'azure-identity',
    tls: options.tls,
    routes: [
      {
        method: 'GET',
        path: '/:tenant/v2.0/.well-known/openid-configuration',
        handler: (request) => openIdConfiguration(store, request),
      },
      {
        method: 'GET',
        path: '/common/discovery/instance',
        handler: () => instanceDiscovery(store),
      },
      { method: 'GET', path: '/:tenant/discovery/v2.0/keys', handler: signingKeys },
      {
        method: 'POST',
        path: '/:tenant/oauth2/v2.0/token',
        handler: (request) => issueToken(store, request),
      },
    ],
  });
  store.baseUrl = server.url;
  return {
    url: server.url,
    requests: server.requests,
    server,
    issuedTokens: store.issued,
    isValidToken: (candidate) => isValidToken(store, candidate),
    close: () => server.close(),
  };
}
