import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OidcIssuer } from '../../stand-ins/src/oidc-issuer/index.js';
import { TokenVerifier } from '../src/core/auth/token-verifier.js';
import { refusal } from './support/refusal.js';
import { authSettingsOf, startTestIssuer } from './support/auth.js';

describe('TokenVerifier against an issuer over HTTP', () => {
  let issuer: OidcIssuer;

  beforeAll(async () => {
    issuer = await startTestIssuer();
  });

  afterAll(async () => {
    await issuer?.close();
  });

  const jwksFetches = () =>
    issuer.server.requests.filter((request) => request.path === '/.well-known/jwks.json').length;

  it('fetches the keys once and serves later tokens from the cache', async () => {
    const verifier = new TokenVerifier(authSettingsOf(issuer));
    const before = jwksFetches();
    for (const subject of ['a', 'b', 'c']) {
      const caller = await verifier.authenticate(`Bearer ${issuer.customerToken(subject)}`);
      expect(caller).toMatchObject({ subject, admin: false });
    }
    expect(jwksFetches() - before).toBe(1);
  });

  it('picks up a rotated key on its unknown kid, at most once per cooldown', async () => {
    // Signed beforehand: each makes an RSA key, which takes longer than nothing.
    const strangers = Array.from({ length: 5 }, () => issuer.forged('x', 'unknown-key'));
    const verifier = new TokenVerifier(authSettingsOf(issuer), { jwksCooldownMs: 1000 });
    await verifier.authenticate(`Bearer ${issuer.customerToken('before-rotation')}`);
    const before = jwksFetches();
    // Made-up kids within the cooldown: refused without asking the issuer again.
    for (const stranger of strangers) {
      const refused = await refusal(verifier.authenticate(`Bearer ${stranger}`));
      expect(refused.extra.reason).toBe('unknown_key');
    }
    expect(jwksFetches()).toBe(before);
    issuer.rotateKeys();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const rotated = await verifier.authenticate(`Bearer ${issuer.customerToken('after')}`);
    expect(rotated.subject).toBe('after');
    expect(jwksFetches()).toBe(before + 1);
  });

  it('answers 503 issuer_unavailable when the keys cannot be fetched, and recovers', async () => {
    const verifier = new TokenVerifier(authSettingsOf(issuer), { jwksTimeoutMs: 300 });
    const token = `Bearer ${issuer.customerToken('patient')}`;
    issuer.server.injectFault({ path: '/.well-known/jwks.json', status: 500 });
    const down = await refusal(verifier.authenticate(token));
    expect({ status: down.status, code: down.code, headers: down.headers }).toEqual({
      status: 503,
      code: 'issuer_unavailable',
      headers: { 'retry-after': '1' },
    });
    issuer.server.injectFault({ path: '/.well-known/jwks.json', delayMs: 1000 });
    expect((await refusal(verifier.authenticate(token))).code).toBe('issuer_unavailable');
    expect((await verifier.authenticate(token)).subject).toBe('patient');
  });

  it('reads scopes from scope or scp, and the admin scope makes an admin', async () => {
    const verifier = new TokenVerifier(authSettingsOf(issuer));
    const entra = await verifier.authenticate(
      `Bearer ${issuer.sign({ ...claims(issuer, 'ops'), scp: ['read', issuer.adminScope] })}`,
    );
    expect(entra.admin).toBe(true);
    expect([...entra.scopes]).toEqual(['read', issuer.adminScope]);
    const plain = await verifier.authenticate(
      `Bearer ${issuer.customerToken('c', { scope: 'read write' })}`,
    );
    expect({ admin: plain.admin, scopes: [...plain.scopes] }).toEqual({
      admin: false,
      scopes: ['read', 'write'],
    });
  });

  it('refuses a token without sub or exp, or with a subject that is unsafe to store', async () => {
    const verifier = new TokenVerifier(authSettingsOf(issuer));
    const { sub: _sub, ...noSubject } = claims(issuer, 'x');
    const { exp: _exp, ...noExpiry } = claims(issuer, 'x');
    for (const [label, token] of [
      ['no sub', issuer.sign(noSubject)],
      ['no exp', issuer.sign(noExpiry)],
      ['bad sub', issuer.sign(claims(issuer, '../carts/other'))],
      ['long sub', issuer.sign(claims(issuer, 'x'.repeat(101)))],
    ] as const) {
      const refused = await refusal(verifier.authenticate(`Bearer ${token}`));
      expect({ label, status: refused.status, reason: refused.extra.reason }).toEqual({
        label,
        status: 401,
        reason: 'claims',
      });
    }
  });

  it('takes a verified token as verified again only until it expires', async () => {
    let clock = Date.now();
    const settings = { ...authSettingsOf(issuer), clockSkewSeconds: 0 };
    const verifier = new TokenVerifier(settings, { now: () => new Date(clock) });
    const token = `Bearer ${issuer.customerToken('brief', { lifetimeSeconds: 10 })}`;
    expect((await verifier.authenticate(token)).subject).toBe('brief');
    clock += 5_000;
    expect((await verifier.authenticate(token)).subject).toBe('brief');
    clock += 6_000;
    expect((await refusal(verifier.authenticate(token))).extra.reason).toBe('expired');
  });

  it('allows the configured clock skew on exp, and no more', async () => {
    const settings = { ...authSettingsOf(issuer), clockSkewSeconds: 30 };
    const now = Math.floor(Date.now() / 1000);
    const expiredBy = (seconds: number) =>
      `Bearer ${issuer.sign({ ...claims(issuer, 'skew'), iat: now - 600, nbf: now - 600, exp: now - seconds })}`;
    const verifier = new TokenVerifier(settings);
    expect((await verifier.authenticate(expiredBy(10))).subject).toBe('skew');
    expect((await refusal(verifier.authenticate(expiredBy(60)))).extra.reason).toBe('expired');
  });
});

function claims(issuer: OidcIssuer, sub: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer.issuer, aud: issuer.audience, sub, iat: now, nbf: now, exp: now + 600 };
}
