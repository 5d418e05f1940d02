/**
 * What MSAL reads before it asks for a token:
 *
 *   GET /{tenant}/v2.0/.well-known/openid-configuration   OIDC discovery (400 invalid_tenant
 *                                                         AADSTS90002 for an unknown tenant)
 *   GET /common/discovery/instance                        AAD instance discovery (aliases)
 *   GET /{tenant}/discovery/v2.0/keys                     an empty JWKS (tokens are not signed)
 */
import { json, type StandInRequest, type StandInResponse } from '../http/server.js';
import { oauthError } from './oauth-errors.js';
import { tenantKnown, type IdentityStore } from './store.js';

export function openIdConfiguration(
  store: IdentityStore,
  request: StandInRequest,
): StandInResponse {
  const tenant = request.params.tenant ?? '';
  if (!tenantKnown(store, tenant)) {
    throw oauthError('invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
  }
  const base = store.baseUrl;
  const host = new URL(base).host;
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
    cloud_instance_name: host,
    cloud_graph_host_name: host,
    msgraph_host: host,
  });
}

export function instanceDiscovery(store: IdentityStore): StandInResponse {
  const host = new URL(store.baseUrl).host;
  return json(200, {
    tenant_discovery_endpoint: `${store.baseUrl}/${store.tenantId}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

export function signingKeys(): StandInResponse {
  return json(200, { keys: [] });
}
