import type { SettingsSchema } from '../settings.js';

/**
 * The one OIDC issuer and audience both cells trust, as the API Gateway JWT authorizer and
 * API Management's validate-jwt are configured in Terraform (the `auth_*` variables of both
 * cell modules): the same token works on either cloud and through a forward between them.
 */
export interface AuthSettings {
  /** The `iss` every token must carry, exactly (e.g. https://login.example.com/). */
  readonly issuer: string;
  /** The `aud` every token must carry (one of its values when `aud` is a list). */
  readonly audience: string;
  /** Where the issuer publishes its signing keys (its discovery document's `jwks_uri`). */
  readonly jwksUrl: string;
  /** The scope that allows inventory writes and allocation transfers. */
  readonly adminScope: string;
  /** Accepted signing algorithms: asymmetric only, so a public key can never act as a secret. */
  readonly algorithms: readonly AsymmetricAlgorithm[];
  /** Leeway for `exp` and `nbf` against clocks that drift. */
  readonly clockSkewSeconds: number;
}

export const asymmetricAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type AsymmetricAlgorithm = (typeof asymmetricAlgorithms)[number];

/** https anywhere; plain http only on loopback (the sandbox's local issuer). */
const issuerUrl = /^(https:\/\/[^\s/]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?)(\/\S*)?$/;
const algorithmList = new RegExp(
  `^(${asymmetricAlgorithms.join('|')})(,(${asymmetricAlgorithms.join('|')}))*$`,
);

export const authSettingsSchema = {
  AUTH_ISSUER: {
    pattern: issuerUrl,
    describe:
      'the OIDC issuer tokens must come from, exactly as their iss claim, e.g. https://login.example.com/ (http only on loopback)',
  },
  AUTH_AUDIENCE: {
    pattern: /^[\x21-\x7e]{1,256}$/,
    describe: 'the audience (aud) tokens must be issued for, e.g. https://api.shop.example.com',
  },
  AUTH_JWKS_URL: {
    pattern: issuerUrl,
    describe: "the issuer's JSON Web Key Set URL (jwks_uri of its discovery document)",
  },
  AUTH_ADMIN_SCOPE: {
    default: 'inventory:admin',
    // RFC 6749 section 3.3 scope-token characters.
    pattern: /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/,
    describe: 'the scope that allows inventory writes and transfers, e.g. inventory:admin',
  },
  AUTH_ALGORITHMS: {
    default: 'RS256',
    pattern: algorithmList,
    describe: `comma-separated signing algorithms to accept, from ${asymmetricAlgorithms.join(', ')} (never none or HS*)`,
  },
  AUTH_CLOCK_SKEW_SECONDS: {
    default: '60',
    pattern: /^([0-9]|[1-9][0-9]|[1-2][0-9][0-9]|300)$/,
    describe: 'seconds of leeway for exp and nbf, 0-300',
  },
} as const satisfies SettingsSchema;

type AuthSettingValues = { readonly [K in keyof typeof authSettingsSchema]: string };

/** Builds the settings from values `readSettings` already validated against the schema. */
export function authSettingsFrom(values: AuthSettingValues): AuthSettings {
  return {
    issuer: values.AUTH_ISSUER,
    audience: values.AUTH_AUDIENCE,
    jwksUrl: values.AUTH_JWKS_URL,
    adminScope: values.AUTH_ADMIN_SCOPE,
    algorithms: values.AUTH_ALGORITHMS.split(',') as AsymmetricAlgorithm[],
    clockSkewSeconds: Number(values.AUTH_CLOCK_SKEW_SECONDS),
  };
}
