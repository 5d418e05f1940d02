import type { AuthSettings } from '../../src/core/auth/auth-settings.js';
import { startOidcIssuer, type OidcIssuer } from '../../../stand-ins/src/oidc-issuer/index.js';

/** The audience every functions test issues tokens for. */
export const testAudience = 'https://api.shop.test';

/** A local OIDC issuer (JWKS over HTTP) for the cells under test. */
export function startTestIssuer(): Promise<OidcIssuer> {
  return startOidcIssuer({ audience: testAudience });
}

/** What a cell's AUTH_* settings would be for this issuer. */
export function authSettingsOf(issuer: OidcIssuer): AuthSettings {
  return issuer.verifierSettings;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** AUTH_* settings for tests that only read settings (nothing fetches these URLs). */
export const testAuthEnv = {
  AUTH_ISSUER: 'https://login.shop.test/',
  AUTH_AUDIENCE: testAudience,
  AUTH_JWKS_URL: 'https://login.shop.test/.well-known/jwks.json',
} as const;
