/**
 * The token endpoint:
 *
 *   POST /{tenant}/oauth2/v2.0/token    grant_type=client_credentials, the known client_id,
 *        and either a client_assertion (the federated token, with the jwt-bearer assertion
 *        type) or a client_secret; scope exactly one `<resource>/.default`
 *
 * Refusals follow Entra: unknown tenant 400 invalid_request AADSTS90002, other grant
 * unsupported_grant_type AADSTS70003, unknown client unauthorized_client AADSTS700016, a
 * federated token that does not match invalid_client AADSTS700213, a wrong secret AADSTS7000215,
 * neither AADSTS7000218, a bad scope invalid_scope AADSTS1002012. Access tokens are unsigned
 * JWTs (alg none) whose `aud` is the scope without `/.default`.
 */
import { randomUUID } from 'node:crypto';
import { json, type StandInRequest, type StandInResponse } from '../http/server.js';
import { oauthError } from './oauth-errors.js';
import { tenantKnown, type IdentityStore } from './store.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function issueToken(store: IdentityStore, request: StandInRequest): StandInResponse {
  const tenant = request.params.tenant ?? '';
  if (!tenantKnown(store, tenant)) {
    throw oauthError('invalid_request', 90002, `Tenant '${tenant}' not found.`);
  }
  const form = new URLSearchParams(request.text());
  const clientId = checkClient(store, form);
  checkClientCredential(store, form);
  const scope = defaultScope(form.get('scope') ?? '');
  const { token, expiresOn } = accessToken(store, tenant, clientId, scope);
  store.issued.push({ token, clientId, tenantId: store.tenantId, scope, expiresOn });
  return json(200, {
    token_type: 'Bearer',
    expires_in: store.tokenLifetimeSeconds,
    ext_expires_in: store.tokenLifetimeSeconds,
    access_token: token,
  });
}

/** The client_credentials grant of the one known application; its client id. */
function checkClient(store: IdentityStore, form: URLSearchParams): string {
  const grantType = form.get('grant_type');
  const clientId = form.get('client_id') ?? '';
  if (grantType !== 'client_credentials') {
    throw oauthError(
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType ?? ''}'.`,
    );
  }
  if (clientId !== store.clientId) {
    throw oauthError(
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${store.tenantId}'.`,
    );
  }
  return clientId;
}

/** A federated client assertion, or a client secret, that the application accepts. */
function checkClientCredential(store: IdentityStore, form: URLSearchParams): void {
  const assertion = form.get('client_assertion');
  const secret = form.get('client_secret');
  if (assertion !== null) {
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      throw oauthError(
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_assertion_type'.",
      );
    }
    const accepted =
      store.federatedToken === undefined ||
      (typeof store.federatedToken === 'function'
        ? store.federatedToken(assertion)
        : assertion === store.federatedToken);
    if (!accepted) {
      throw oauthError(
        'invalid_client',
        700213,
        `No matching federated identity record found for presented assertion subject.`,
      );
    }
  } else if (secret !== null) {
    if (store.clientSecret === undefined || secret !== store.clientSecret) {
      throw oauthError('invalid_client', 7000215, 'Invalid client secret provided.');
    }
  } else {
    throw oauthError(
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
}

/** Client credential flows ask for exactly one `<resource>/.default` scope. */
function defaultScope(scope: string): string {
  const scopes = scope.split(' ').filter((entry) => entry.endsWith('/.default'));
  if (scopes.length !== 1) {
    throw oauthError(
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  return scopes[0] as string;
}

function accessToken(
  store: IdentityStore,
  tenant: string,
  clientId: string,
  scope: string,
): { token: string; expiresOn: Date } {
  const now = Math.floor(Date.now() / 1000);
  const expires = now + store.tokenLifetimeSeconds;
  const claims = {
    aud: scope.replace(/\/\.default$/, ''),
    iss: `${store.baseUrl}/${tenant}/v2.0`,
    iat: now,
    nbf: now,
    exp: expires,
    appid: clientId,
    tid: store.tenantId,
    oid: randomUUID(),
    sub: clientId,
  };
  const token = [base64url({ typ: 'JWT', alg: 'none' }), base64url(claims), 'stand-in'].join('.');
  return { token, expiresOn: new Date(expires * 1000) };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
