import {
  createRemoteJWKSet,
  customFetch,
  errors,
  jwtVerify,
  type FetchImplementation,
  type JWTPayload,
} from 'jose';
import type { HttpProblem } from '../errors.js';
import type { AuthSettings } from './auth-settings.js';
import { issuerUnavailable, tokenMissing, tokenRefused, type TokenFault } from './auth-problems.js';
import { scopesOf, subjectPattern, type Principal } from './principal.js';

export interface TokenVerifierOptions {
  /** How the issuer's JWKS is fetched (the cell's fetch; tests pass their own). */
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** Gives up on the JWKS endpoint after this long (503 issuer_unavailable). Default 5 s. */
  readonly jwksTimeoutMs?: number;
  /**
   * After a fetch, a token with an unknown `kid` refetches the JWKS only once this has passed:
   * a key rotation is picked up, while a stream of made-up `kid`s cannot turn every request
   * into a call to the issuer. Default 30 s.
   */
  readonly jwksCooldownMs?: number;
  /** Keys are refetched when older than this. Default 10 min. */
  readonly jwksMaxAgeMs?: number;
  /**
   * A verified token is taken as verified again for this long (never past its `exp`), so a
   * client's burst pays for one RS256 check, not one per request. Default 60 s; 0 turns it off.
   */
  readonly verifiedTtlMs?: number;
}

/** Distinct tokens remembered at most (a small fraction of a Lambda's or a worker's memory). */
const verifiedCacheSize = 2000;

/** Tokens longer than this are refused unread: no issuer sends them, and parsing costs. */
const maxTokenLength = 8192;
const bearerPattern = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * Checks bearer tokens the way the edges do (API Gateway's JWT authorizer, API Management's
 * validate-jwt), so a cell behaves the same behind either and in the sandbox: the signature
 * against the issuer's published keys (fetched over HTTP, cached, refetched on an unknown
 * `kid` at most once per cooldown), `alg` from an asymmetric allow-list (no `none`, no HS*
 * keyed with a public key), `exp` and `nbf` with a small leeway, `iss` and `aud` exactly.
 */
export class TokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;
  private readonly now: () => Date;
  private readonly verifiedTtlMs: number;
  /** Authorization header -> its principal and until when it stands (Map order = age). */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly settings: AuthSettings,
    options: TokenVerifierOptions = {},
  ) {
    const fetchImpl = options.fetch;
    this.keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
      timeoutDuration: options.jwksTimeoutMs ?? 5000,
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: options.jwksMaxAgeMs ?? 600_000,
      ...(fetchImpl ? { [customFetch]: fetchImpl as unknown as FetchImplementation } : {}),
    });
    this.now = options.now ?? (() => new Date());
    this.verifiedTtlMs = options.verifiedTtlMs ?? 60_000;
  }

  get adminScope(): string {
    return this.settings.adminScope;
  }

  /** The caller of a request with this Authorization header; throws the 401 (or 503) to answer. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization.trim() === '') {
      throw tokenMissing(this.settings.issuer);
    }
    const remembered = this.remembered(authorization.trim());
    if (remembered) return remembered;
    const match = bearerPattern.exec(authorization.trim());
    if (!match || authorization.length > maxTokenLength) {
      throw tokenRefused(
        'malformed',
        'the Authorization header must be "Bearer <token>" with a compact JWT of at most 8192 characters',
      );
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1] as string, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: [...this.settings.algorithms],
        clockTolerance: this.settings.clockSkewSeconds,
        requiredClaims: ['sub', 'exp'],
        currentDate: this.now(),
      }));
    } catch (error) {
      throw this.refusal(error);
    }
    const subject = payload.sub as string;
    if (!subjectPattern.test(subject)) {
      throw tokenRefused(
        'claims',
        'the token subject (sub) must be 1 to 100 letters, digits or _ . @ : | -',
      );
    }
    const scopes = scopesOf(payload as Record<string, unknown>);
    const principal: Principal = {
      subject,
      scopes,
      admin: scopes.has(this.settings.adminScope),
      authorization: authorization.trim(),
    };
    this.remember(principal, payload.exp as number);
    return principal;
  }

  private remembered(authorization: string): Principal | undefined {
    const entry = this.verified.get(authorization);
    if (!entry) return undefined;
    if (this.now().getTime() < entry.until) return entry.principal;
    this.verified.delete(authorization);
    return undefined;
  }

  /** Until the TTL, and never past `exp` (without the leeway: the leeway is for clocks). */
  private remember(principal: Principal, exp: number): void {
    if (this.verifiedTtlMs <= 0) return;
    const until = Math.min(this.now().getTime() + this.verifiedTtlMs, exp * 1000);
    if (this.verified.size >= verifiedCacheSize) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(principal.authorization, { principal, until });
  }

  private refusal(error: unknown): HttpProblem {
    const { issuer } = this.settings;
    const refused = (fault: TokenFault, message: string) => tokenRefused(fault, message);
    if (error instanceof errors.JWTExpired) {
      return refused('expired', `the token has expired: get a new one from ${issuer}`);
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      return this.claimRefusal(error);
    }
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
      return refused(
        'algorithm',
        `the token must be signed with ${this.settings.algorithms.join(' or ')}`,
      );
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return refused('signature', `the token signature does not verify with the keys of ${issuer}`);
    }
    if (
      error instanceof errors.JWKSNoMatchingKey ||
      error instanceof errors.JWKSMultipleMatchingKeys
    ) {
      return refused('unknown_key', `the token was not signed by a current key of ${issuer}`);
    }
    if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
      return refused('malformed', 'the bearer token is not a well-formed signed JWT');
    }
    // JWKSTimeout, JWKSInvalid, a non-200 answer, a network error: the issuer, not the token.
    return issuerUnavailable();
  }

  private claimRefusal(error: InstanceType<typeof errors.JWTClaimValidationFailed>): HttpProblem {
    const { issuer, audience } = this.settings;
    switch (error.claim) {
      case 'iss':
        return tokenRefused('issuer', `the token must be issued by ${issuer}`);
      case 'aud':
        return tokenRefused('audience', `the token must be issued for the audience ${audience}`);
      case 'nbf':
        return tokenRefused('not_yet_valid', 'the token is not valid yet (nbf is in the future)');
      default:
        return tokenRefused(
          'claims',
          `the token claim ${error.claim} is ${error.reason === 'missing' ? 'missing' : 'invalid'}`,
        );
    }
  }
}
