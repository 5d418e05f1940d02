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
 */
import { randomUUID } from 'node:crypto';
import {
  json,
  startStandInServer,
  type RecordedRequest,
  type StandInRequest,
  type StandInResponse,
  type StandInServer,
} from '../http/server.js';

export interface AzureIdentityStandInOptions {
  tls: { key: string | Buffer; cert: string | Buffer };
  /** The one tenant this stand-in knows. */
  tenantId: string;
  /** The one application (client) ID it issues tokens to. */
  clientId: string;
  /** When set, the client assertion must equal it (the federated OIDC token). */
  federatedToken?: string;
  /** When set, a client_secret grant must carry it. */
  clientSecret?: string;
  /** Access token lifetime. Default 3599 s, as Entra. */
  tokenLifetimeSeconds?: number;
}

export interface IssuedToken {
  token: string;
  clientId: string;
  tenantId: string;
  scope: string;
  expiresOn: Date;
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

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function oauthError(error: string, code: number, description: string): StandInResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return json(400, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
  });
}

export async function startAzureIdentityStandIn(
  options: AzureIdentityStandInOptions,
): Promise<AzureIdentityStandIn> {
  const issued: IssuedToken[] = [];
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  let base = '';

  const tenantKnown = (tenant: string | undefined) =>
    tenant === options.tenantId || tenant === 'organizations' || tenant === 'common';

  const openIdConfiguration = (request: StandInRequest): StandInResponse => {
    const tenant = request.params.tenant ?? '';
    if (!tenantKnown(tenant)) {
      return oauthError('invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
    }
    return json(200, {
      token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: [
        'client_secret_post',
        'private_key_jwt',
        'client_secret_basic',
      ],
      jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/${tenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${base}/oidc/userinfo`,
      authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid'],
      tenant_region_scope: 'EU',
      cloud_instance_name: new URL(base).host,
      cloud_graph_host_name: new URL(base).host,
      msgraph_host: new URL(base).host,
    });
  };

  const instanceDiscovery = (): StandInResponse => {
    const host = new URL(base).host;
    return json(200, {
      tenant_discovery_endpoint: `${base}/${options.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  };

  const token = (request: StandInRequest): StandInResponse => {
    const tenant = request.params.tenant ?? '';
    if (!tenantKnown(tenant)) {
      return oauthError('invalid_request', 90002, `Tenant '${tenant}' not found.`);
    }
    const form = new URLSearchParams(request.text());
    const grantType = form.get('grant_type');
    const clientId = form.get('client_id') ?? '';
    const scope = form.get('scope') ?? '';
    if (grantType !== 'client_credentials') {
      return oauthError(
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grantType ?? ''}'.`,
      );
    }
    if (clientId !== options.clientId) {
      return oauthError(
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${options.tenantId}'.`,
      );
    }
    const assertion = form.get('client_assertion');
    const secret = form.get('client_secret');
    if (assertion !== null) {
      if (
        form.get('client_assertion_type') !==
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
      ) {
        return oauthError(
          'invalid_request',
          900144,
          "The request body must contain the following parameter: 'client_assertion_type'.",
        );
      }
      if (options.federatedToken !== undefined && assertion !== options.federatedToken) {
        return oauthError(
          'invalid_client',
          700213,
          `No matching federated identity record found for presented assertion subject.`,
        );
      }
    } else if (secret !== null) {
      if (options.clientSecret === undefined || secret !== options.clientSecret) {
        return oauthError('invalid_client', 7000215, 'Invalid client secret provided.');
      }
    } else {
      return oauthError(
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const scopes = scope.split(' ').filter((entry) => entry.endsWith('/.default'));
    if (scopes.length !== 1) {
      return oauthError(
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const audience = (scopes[0] as string).replace(/\/\.default$/, '');
    const now = Math.floor(Date.now() / 1000);
    const accessToken = [
      base64url({ typ: 'JWT', alg: 'none' }),
      base64url({
        aud: audience,
        iss: `${base}/${tenant}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + lifetime,
        appid: clientId,
        tid: options.tenantId,
        oid: randomUUID(),
        sub: clientId,
      }),
      'stand-in',
    ].join('.');
    issued.push({
      token: accessToken,
      clientId,
      tenantId: options.tenantId,
      scope: scopes[0] as string,
      expiresOn: new Date((now + lifetime) * 1000),
    });
    return json(200, {
      token_type: 'Bearer',
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    });
  };

  const server = await startStandInServer({
    name: 'azure-identity',
    tls: options.tls,
    routes: [
      {
        method: 'GET',
        path: '/:tenant/v2.0/.well-known/openid-configuration',
        handler: openIdConfiguration,
      },
      { method: 'GET', path: '/common/discovery/instance', handler: instanceDiscovery },
      {
        method: 'GET',
        path: '/:tenant/discovery/v2.0/keys',
        handler: () => json(200, { keys: [] }),
      },
      { method: 'POST', path: '/:tenant/oauth2/v2.0/token', handler: token },
    ],
  });
  base = server.url;

  return {
    url: server.url,
    requests: server.requests,
    server,
    issuedTokens: issued,
    isValidToken: (candidate) =>
      issued.some((entry) => entry.token === candidate && entry.expiresOn.getTime() > Date.now()),
    close: () => server.close(),
  };
}
