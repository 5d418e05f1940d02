/**
 * A local OpenID Connect issuer, so the workload's token checks run against keys fetched over
 * HTTP as they are from Cognito, Entra ID, Auth0 or Keycloak. Keys are generated at start and
 * never leave the process except as the public JWKS.
 *
 *   GET  /.well-known/openid-configuration   discovery: issuer, jwks_uri, token_endpoint, algs
 *   GET  /.well-known/jwks.json              the public signing keys (current and retired-but-
 *                                            still-published after rotateKeys())
 *   POST /oauth/token                        client_credentials for the one client, form-encoded
 *                                            (client_secret_post or HTTP Basic). Sandbox-only
 *                                            extensions: `subject` names whom the token is for
 *                                            (a customer id), `scope` what it may do; the fault
 *                                            `forge=<ForgedToken>` returns a token a verifier
 *                                            must refuse (expired, wrong-issuer, alg-none, ...),
 *                                            so a test in another process can try each.
 *
 *   import { startOidcIssuer } from '<repo>/stand-ins/src/oidc-issuer/index.js';
 *
 *   const issuer = await startOidcIssuer({ audience: 'https://api.shop.example' });
 *   issuer.issuer / issuer.jwksUrl           // what the cells' AUTH_ISSUER / AUTH_JWKS_URL get
 *   issuer.customerToken('alice')            // RS256, iss/aud/sub/exp/iat/nbf, kid of the current key
 *   issuer.adminToken()                      // same, with the admin scope
 *   issuer.forged('alice', 'expired')        // tokens a verifier must refuse (see ForgedToken)
 *   issuer.rotateKeys()                      // a new current key; the old one stays published
 *   issuer.server.injectFault({ path: '/.well-known/jwks.json', status: 503 })
 *   await issuer.close()
 *
 * Token endpoint errors are RFC 6749 section 5.2 JSON (`invalid_client` 401 with
 * WWW-Authenticate, `unsupported_grant_type`, `invalid_request`, `invalid_scope` 400).
 */
import {
  createHash,
  createHmac,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import {
  json,
  startStandInServer,
  type StandInRequest,
  type StandInResponse,
  type StandInServer,
} from '../http/server.js';

export type SigningAlgorithm = 'RS256' | 'ES256';

export interface OidcIssuerOptions {
  /** The audience tokens are issued for (the cells' AUTH_AUDIENCE). */
  readonly audience: string;
  /** Default `inventory:admin`. */
  readonly adminScope?: string;
  /** Default RS256, the one algorithm API Gateway's JWT authorizer supports. */
  readonly algorithm?: SigningAlgorithm;
  /** Default 3600 s. */
  readonly tokenLifetimeSeconds?: number;
  /** The token endpoint's one client; the secret is random unless given. */
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/** Tokens that must be refused, each for one reason. */
export type ForgedToken =
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'bad-signature'
  | 'alg-none'
  | 'hs256-with-public-key'
  | 'unknown-key';

export interface TokenOptions {
  readonly scope?: string;
  readonly lifetimeSeconds?: number;
  /** Extra or overriding claims. */
  readonly claims?: Record<string, unknown>;
}

/** What a resource server that trusts this issuer is configured with (a cell's AUTH_* settings). */
export interface VerifierSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  readonly adminScope: string;
  readonly algorithms: readonly SigningAlgorithm[];
  readonly clockSkewSeconds: number;
}

export interface OidcIssuer {
  /** The `iss` of every token, `http://127.0.0.1:PORT` (no trailing slash). */
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly discoveryUrl: string;
  readonly tokenUrl: string;
  readonly audience: string;
  readonly adminScope: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** This issuer, its algorithm and a 60 s leeway, as a cell that trusts it is set up. */
  readonly verifierSettings: VerifierSettings;
  readonly server: StandInServer;
  customerToken(subject: string, options?: TokenOptions): string;
  adminToken(subject?: string, options?: TokenOptions): string;
  forged(subject: string, kind: ForgedToken): string;
  /** Signs with the current key: for claims sets no helper makes. */
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): string;
  rotateKeys(): void;
  close(): Promise<void>;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

const subjectPattern = /^[A-Za-z0-9_.@:|-]{1,100}$/;

export async function startOidcIssuer(options: OidcIssuerOptions): Promise<OidcIssuer> {
  const algorithm = options.algorithm ?? 'RS256';
  const adminScope = options.adminScope ?? 'inventory:admin';
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const clientId = options.clientId ?? 'sandbox';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  let keys: SigningKey[] = [newSigningKey(algorithm)];
  let base = '';

  const current = () => keys[0] as SigningKey;
  const signWith = (key: SigningKey, claims: object, header: object = {}) =>
    compactJws({ alg: algorithm, typ: 'JWT', kid: key.kid, ...header }, claims, (input) =>
      signature(algorithm, key.privateKey, input),
    );
  const claimsFor = (subject: string, tokenOptions: TokenOptions = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: base,
      aud: options.audience,
      sub: subject,
      iat: now,
      nbf: now,
      exp: now + (tokenOptions.lifetimeSeconds ?? lifetime),
      jti: randomBytes(12).toString('base64url'),
      ...(tokenOptions.scope ? { scope: tokenOptions.scope } : {}),
      ...tokenOptions.claims,
    };
  };
  const customerToken = (subject: string, tokenOptions?: TokenOptions) =>
    signWith(current(), claimsFor(subject, tokenOptions));

  const server = await startStandInServer({
    name: 'oidc-issuer',
    routes: [
      {
        method: 'GET',
        path: '/.well-known/openid-configuration',
        handler: () => json(200, discovery(base, algorithm, adminScope)),
      },
      {
        method: 'GET',
        path: '/.well-known/jwks.json',
        handler: () =>
          json(200, { keys: keys.map((key) => key.jwk) }, { 'cache-control': 'max-age=300' }),
      },
      {
        method: 'POST',
        path: '/oauth/token',
        handler: (request) =>
          tokenEndpoint(
            request,
            { clientId, clientSecret, adminScope, lifetime },
            (subject, scope, forgery) =>
              forgery
                ? forge(forgery, {
                    subject,
                    claims: claimsFor(subject, scope ? { scope } : {}),
                    key: current(),
                    algorithm,
                    signWith,
                  })
                : customerToken(subject, scope ? { scope } : {}),
          ),
      },
    ],
  });
  base = server.url;

  return {
    issuer: base,
    jwksUrl: `${base}/.well-known/jwks.json`,
    discoveryUrl: `${base}/.well-known/openid-configuration`,
    tokenUrl: `${base}/oauth/token`,
    audience: options.audience,
    adminScope,
    clientId,
    clientSecret,
    verifierSettings: {
      issuer: base,
      audience: options.audience,
      jwksUrl: `${base}/.well-known/jwks.json`,
      adminScope,
      algorithms: [algorithm],
      clockSkewSeconds: 60,
    },
    server,
    customerToken,
    adminToken: (subject = 'sandbox-admin', tokenOptions = {}) =>
      customerToken(subject, { ...tokenOptions, scope: tokenOptions.scope ?? adminScope }),
    forged: (subject, kind) =>
      forge(kind, { subject, claims: claimsFor(subject), key: current(), algorithm, signWith }),
    sign: (claims, header) => signWith(current(), claims, header),
    rotateKeys: () => {
      // The previous key stays published, as issuers do while its tokens are still live.
      keys = [newSigningKey(algorithm), current()];
    },
    close: () => server.close(),
  };
}

interface ForgeContext {
  readonly subject: string;
  readonly claims: Record<string, unknown>;
  readonly key: SigningKey;
  readonly algorithm: SigningAlgorithm;
  signWith(key: SigningKey, claims: object, header?: object): string;
}

function forge(kind: ForgedToken, context: ForgeContext): string {
  const { claims, key, signWith } = context;
  const now = Math.floor(Date.now() / 1000);
  switch (kind) {
    case 'expired':
      // Well past any clock-skew leeway (the cells allow at most 300 s).
      return signWith(key, { ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 });
    case 'not-yet-valid':
      return signWith(key, { ...claims, nbf: now + 3600, exp: now + 7200 });
    case 'wrong-issuer':
      return signWith(key, { ...claims, iss: 'https://issuer.attacker.example' });
    case 'wrong-audience':
      return signWith(key, { ...claims, aud: 'https://another-api.example' });
    case 'bad-signature': {
      // Same kid, same claims, signed by a key the issuer never published.
      const stranger = newSigningKey(context.algorithm);
      return signWith({ ...stranger, kid: key.kid }, claims);
    }
    case 'unknown-key':
      return signWith(newSigningKey(context.algorithm), claims);
    case 'alg-none':
      return compactJws({ alg: 'none', typ: 'JWT' }, claims, () => Buffer.alloc(0));
    case 'hs256-with-public-key': {
      // The classic key-confusion attack: HMAC keyed with the published public key.
      const secret = key.publicKey.export({ type: 'spki', format: 'pem' });
      return compactJws({ alg: 'HS256', typ: 'JWT', kid: key.kid }, claims, (input) =>
        createHmac('sha256', secret).update(input).digest(),
      );
    }
  }
}

function newSigningKey(algorithm: SigningAlgorithm): SigningKey {
  const { privateKey, publicKey } =
    algorithm === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const exported = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = thumbprint(exported);
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { ...exported, kid, alg: algorithm, use: 'sig' },
  };
}

/** RFC 7638 JWK thumbprint: the required members in lexicographic order, SHA-256, base64url. */
function thumbprint(jwk: Record<string, unknown>): string {
  const members = jwk.kty === 'RSA' ? ['e', 'kty', 'n'] : ['crv', 'kty', 'x', 'y'];
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

function signature(algorithm: SigningAlgorithm, key: KeyObject, input: string): Buffer {
  return algorithm === 'RS256'
    ? sign('sha256', Buffer.from(input), key)
    : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
}

function compactJws(
  header: object,
  claims: object,
  signer: (signingInput: string) => Buffer,
): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${signer(input).toString('base64url')}`;
}

function discovery(base: string, algorithm: SigningAlgorithm, adminScope: string) {
  return {
    issuer: base,
    jwks_uri: `${base}/.well-known/jwks.json`,
    token_endpoint: `${base}/oauth/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    grant_types_supported: ['client_credentials'],
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [algorithm],
    scopes_supported: [adminScope],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'scope'],
  };
}

interface TokenEndpointSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly adminScope: string;
  readonly lifetime: number;
}

const forgeries: readonly ForgedToken[] = [
  'expired',
  'not-yet-valid',
  'wrong-issuer',
  'wrong-audience',
  'bad-signature',
  'alg-none',
  'hs256-with-public-key',
  'unknown-key',
];

function tokenEndpoint(
  request: StandInRequest,
  settings: TokenEndpointSettings,
  mint: (subject: string, scope: string, forgery?: ForgedToken) => string,
): StandInResponse {
  const form = new URLSearchParams(request.text());
  const basic = /^Basic (.+)$/i.exec(request.header('authorization') ?? '');
  const [basicId, basicSecret] = basic
    ? Buffer.from(basic[1] as string, 'base64')
        .toString('utf8')
        .split(':')
        .map(decodeURIComponent)
    : [];
  const id = basicId ?? form.get('client_id');
  const secret = basicSecret ?? form.get('client_secret');
  if (id !== settings.clientId || secret !== settings.clientSecret) {
    return {
      status: 401,
      headers: { 'www-authenticate': 'Basic realm="oidc-issuer"' },
      body: { error: 'invalid_client', error_description: 'unknown client or wrong secret' },
    };
  }
  if (form.get('grant_type') !== 'client_credentials') {
    return oauthError('unsupported_grant_type', 'grant_type must be client_credentials');
  }
  const subject = form.get('subject') ?? '';
  if (!subjectPattern.test(subject)) {
    return oauthError(
      'invalid_request',
      'subject (the customer the token is for) must be 1 to 100 letters, digits or _ . @ : | -',
    );
  }
  const scope = form.get('scope') ?? '';
  const unknown = scope.split(' ').filter((entry) => entry !== '' && entry !== settings.adminScope);
  if (unknown.length > 0) {
    return oauthError(
      'invalid_scope',
      `unknown scope ${unknown.join(' ')}: only ${settings.adminScope}`,
    );
  }
  const forgery = form.get('forge') ?? undefined;
  if (forgery !== undefined && !forgeries.includes(forgery as ForgedToken)) {
    return oauthError('invalid_request', `forge must be one of ${forgeries.join(', ')}`);
  }
  return json(
    200,
    {
      access_token: mint(subject, scope, forgery as ForgedToken | undefined),
      token_type: 'Bearer',
      expires_in: settings.lifetime,
      ...(scope ? { scope } : {}),
    },
    { 'cache-control': 'no-store' },
  );
}

function oauthError(error: string, description: string): StandInResponse {
  return json(400, { error, error_description: description }, { 'cache-control': 'no-store' });
}
