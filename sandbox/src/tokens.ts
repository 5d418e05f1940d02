/**
 * Bearer tokens for the sandbox's customers and its admin, from the sandbox's OIDC issuer
 * (stand-ins/src/oidc-issuer) over its token endpoint, as any OAuth client gets them: what
 * `npm run token`, `npm run load`, the rehearsal and the seed send to the workload.
 */
import type { ForgedToken } from '../../stand-ins/src/oidc-issuer/index.js';
import { SandboxError } from './errors.js';

/** What the state file says about the sandbox's issuer (the file is 0600: it holds the secret). */
export interface SandboxAuth {
  /** The `iss` of the tokens, also the cells' AUTH_ISSUER. */
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly adminScope: string;
}

/** Where the load, the rehearsal and the seed get their tokens. */
export interface TokenSource {
  customerToken(customerId: string): Promise<string>;
  adminToken(): Promise<string>;
}

export interface IssuedToken {
  readonly token: string;
  readonly subject: string;
  readonly scope: string;
  readonly expiresAt: Date;
}

/** The admin's subject in the sandbox (an operator, not a shopper). */
export const SANDBOX_ADMIN = 'sandbox-admin';

/** Asks the issuer's token endpoint; keeps each token until a minute before it expires. */
export class IssuerTokens implements TokenSource {
  private readonly cache = new Map<string, Promise<IssuedToken>>();

  constructor(
    private readonly auth: SandboxAuth,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async customerToken(customerId: string): Promise<string> {
    return (await this.cached(customerId, '')).token;
  }

  async adminToken(): Promise<string> {
    return (await this.cached(SANDBOX_ADMIN, this.auth.adminScope)).token;
  }

  private cached(subject: string, scope: string): Promise<IssuedToken> {
    const key = `${subject}\n${scope}`;
    const hit = this.cache.get(key);
    if (hit) {
      return hit.then((issued) =>
        issued.expiresAt.getTime() - Date.now() > 60_000 ? issued : this.fresh(key, subject, scope),
      );
    }
    return this.fresh(key, subject, scope);
  }

  private fresh(key: string, subject: string, scope: string): Promise<IssuedToken> {
    const issuing = this.issue(subject, scope);
    this.cache.set(key, issuing);
    issuing.catch(() => this.cache.delete(key));
    return issuing;
  }

  /** A token the cells must refuse, for tests (the issuer stand-in's `forge` fault). */
  async forged(subject: string, kind: ForgedToken): Promise<string> {
    return (await this.issue(subject, '', kind)).token;
  }

  /** One client_credentials request for `subject` (the sandbox issuer's extension). */
  async issue(subject: string, scope = '', forge?: ForgedToken): Promise<IssuedToken> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.auth.clientId,
      client_secret: this.auth.clientSecret,
      subject,
      ...(scope ? { scope } : {}),
      ...(forge ? { forge } : {}),
    });
    let response: Response;
    try {
      response = await this.fetchImpl(this.auth.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new SandboxError(
        `the sandbox's token issuer (${this.auth.tokenUrl}) did not answer: ${(error as Error).message}`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new SandboxError(
        `the sandbox's token issuer refused a token for ${subject}: ${body.error_description ?? body.error ?? response.status}`,
      );
    }
    return {
      token: body.access_token,
      subject,
      scope,
      expiresAt: new Date(Date.now() + (body.expires_in ?? 300) * 1000),
    };
  }
}
