/**
 * The identity stand-in's state: the one tenant and application it knows, how that
 * application may prove itself (federated token and/or client secret), and every token
 * issued. Nothing here speaks HTTP.
 */

export interface IssuedToken {
  token: string;
  clientId: string;
  tenantId: string;
  scope: string;
  expiresOn: Date;
}

export interface IdentityStore {
  readonly tenantId: string;
  readonly clientId: string;
  readonly federatedToken: string | ((assertion: string) => boolean) | undefined;
  readonly clientSecret: string | undefined;
  readonly tokenLifetimeSeconds: number;
  readonly issued: IssuedToken[];
  /** The server's origin (issuer, endpoints); set once it listens. */
  baseUrl: string;
}

/** The tenant, or one of the multi-tenant aliases MSAL may use. */
export function tenantKnown(store: IdentityStore, tenant: string | undefined): boolean {
  return tenant === store.tenantId || tenant === 'organizations' || tenant === 'common';
}

/** True for an unexpired token this stand-in issued. */
export function isValidToken(store: IdentityStore, candidate: string): boolean {
  return store.issued.some(
    (entry) => entry.token === candidate && entry.expiresOn.getTime() > Date.now(),
  );
}
