/** The caller a verified bearer token names. */
export interface Principal {
  /** The token's `sub`: the customer who owns the carts and orders this caller makes. */
  readonly subject: string;
  /** From `scope` (space-separated, RFC 8693) or `scp` (a string or a list, as Entra ID sends it). */
  readonly scopes: ReadonlySet<string>;
  /** Holds the admin scope of the cell's settings. */
  readonly admin: boolean;
  /**
   * The Authorization header as received, so a request this cell forwards to its peer carries
   * the same credential and the peer checks it again (no trust between cells is implied).
   */
  readonly authorization: string;
}

/**
 * What a subject may look like: long enough for the subjects of common issuers (Cognito and
 * Keycloak UUIDs, Entra ID's 43-character pairwise ids, Auth0's `provider|id`), and only
 * characters that are safe in a storage key, a log line and a notification tag.
 */
export const subjectPattern = /^[A-Za-z0-9_.@:|-]{1,100}$/;

export function scopesOf(claims: Record<string, unknown>): Set<string> {
  const scopes = new Set<string>();
  for (const claim of [claims.scope, claims.scp]) {
    const values = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
    for (const value of values) if (typeof value === 'string' && value !== '') scopes.add(value);
  }
  return scopes;
}
