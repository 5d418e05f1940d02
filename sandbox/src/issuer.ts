/**
 * The sandbox's OIDC issuer: the cells trust its tokens exactly as deployed cells trust the
 * issuer in their `auth_*` Terraform variables (AUTH_* settings), with its keys fetched over
 * HTTP from its JWKS. Keys are generated at each start, so no token outlives its sandbox.
 */
import type { AuthSettings } from '../../functions/src/core/auth/auth-settings.js';
import { startOidcIssuer, type OidcIssuer } from '../../stand-ins/src/oidc-issuer/index.js';
import type { SandboxAuth } from './tokens.js';

/** What the sandbox's tokens are for: the one API both cells serve. */
export const SANDBOX_AUDIENCE = 'https://api.multicloud.example';

export function startSandboxIssuer(): Promise<OidcIssuer> {
  return startOidcIssuer({ audience: SANDBOX_AUDIENCE });
}

/** The cells' AUTH_* settings. */
export function cellAuthOf(issuer: OidcIssuer): AuthSettings {
  return issuer.verifierSettings;
}

/** What scripts need to get tokens, for the state file. */
export function sandboxAuthOf(issuer: OidcIssuer): SandboxAuth {
  return {
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUrl: issuer.jwksUrl,
    tokenUrl: issuer.tokenUrl,
    clientId: issuer.clientId,
    clientSecret: issuer.clientSecret,
    adminScope: issuer.adminScope,
  };
}
