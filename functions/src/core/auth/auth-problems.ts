import { HttpProblem } from '../errors.js';

/** Why a presented token was refused; the `reason` of a 401 `invalid_token`. */
export type TokenFault =
  | 'malformed'
  | 'algorithm'
  | 'unknown_key'
  | 'signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  | 'claims';

/**
 * RFC 6750 section 3: no credentials get a bare `Bearer` challenge, a refused token
 * `error="invalid_token"`, a token without the needed scope a 403 `insufficient_scope`.
 */
export function tokenMissing(issuer: string): HttpProblem {
  return new HttpProblem(
    401,
    'token_missing',
    `this route needs a bearer token: send Authorization: Bearer <access token from ${issuer}>`,
    'Authorization',
    {},
    { 'www-authenticate': 'Bearer' },
  );
}

export function tokenRefused(reason: TokenFault, message: string): HttpProblem {
  return new HttpProblem(
    401,
    'invalid_token',
    message,
    'Authorization',
    { reason },
    {
      'www-authenticate': `Bearer error="invalid_token", error_description="${quotable(message)}"`,
    },
  );
}

export function scopeMissing(scope: string): HttpProblem {
  return new HttpProblem(
    403,
    'insufficient_scope',
    `this route needs the ${scope} scope, which the token does not carry`,
    'Authorization',
    { scope },
    {
      'www-authenticate': `Bearer error="insufficient_scope", scope="${quotable(scope)}"`,
    },
  );
}

/** The issuer's keys could not be fetched: the caller may retry, nothing is wrong with the token. */
export function issuerUnavailable(): HttpProblem {
  return new HttpProblem(
    503,
    'issuer_unavailable',
    "the token issuer's signing keys could not be fetched to check the token; retry",
    undefined,
    {},
    { 'retry-after': '1' },
  );
}

/** RFC 6750 error_description and scope allow %x20-21 / %x23-5B / %x5D-7E only. */
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "'");
}
