/**
 * A local stand-in for the GitHub Actions ID token endpoint: what `core.getIDToken(audience)`
 * (and the azurerm provider with ARM_USE_OIDC) call in a job with `id-token: write`. The runner
 * gives a job two variables; a token is a GET of the URL plus `&audience=<audience>` with the
 * request token as bearer, answered `{"value": "<JWT>"}`:
 *
 *   GET /idtoken?api-version=2.0&audience=api://AzureADTokenExchange
 *   Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>
 *
 *   import { startGitHubOidcStandIn } from '<repo>/stand-ins/src/github-oidc/index.js';
 *
 *   const github = await startGitHubOidcStandIn({ lifetimeSeconds: 2 });
 *   // Child process env of a step in such a job:
 *   //   ACTIONS_ID_TOKEN_REQUEST_URL=github.requestUrl
 *   //   ACTIONS_ID_TOKEN_REQUEST_TOKEN=github.requestToken
 *   github.isValid(token, audience)   // issued here, for that audience, not expired
 *   github.issued                     // { token, audience, expiresOn }[]
 *   github.requests / github.server   // request log and fault injection (http/server.ts)
 *   await github.close()
 *
 * GitHub's tokens are signed JWTs valid for minutes; these are unsigned (alg none) with the
 * same claims (iss, aud, sub, iat, exp, jti), and only stand-ins that ask isValid accept them.
 * A missing or wrong bearer is 401, a missing audience 400, as the real endpoint answers.
 */
import { randomUUID } from 'node:crypto';
import {
  HttpError,
  json,
  startStandInServer,
  type RecordedRequest,
  type StandInRequest,
  type StandInServer,
} from '../http/server.js';

export interface GitHubOidcStandInOptions {
  /** The job's ACTIONS_ID_TOKEN_REQUEST_TOKEN. Default: a random one. */
  requestToken?: string;
  /** ID token lifetime. Default 300 s; tests shorten it to prove tokens are fetched again. */
  lifetimeSeconds?: number;
  /** The `sub` claim. Default a job in the production environment of the test repository. */
  subject?: string;
}

export interface IssuedIdToken {
  token: string;
  audience: string;
  expiresOn: Date;
}

export interface GitHubOidcStandIn {
  /** ACTIONS_ID_TOKEN_REQUEST_URL: already has a query string, as GitHub's does. */
  readonly requestUrl: string;
  readonly requestToken: string;
  readonly issued: readonly IssuedIdToken[];
  readonly requests: RecordedRequest[];
  readonly server: StandInServer;
  isValid(token: string, audience: string): boolean;
  close(): Promise<void>;
}

const ISSUER = 'https://token.actions.githubusercontent.com';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export async function startGitHubOidcStandIn(
  options: GitHubOidcStandInOptions = {},
): Promise<GitHubOidcStandIn> {
  const requestToken = options.requestToken ?? randomUUID();
  const lifetimeSeconds = options.lifetimeSeconds ?? 300;
  const subject = options.subject ?? 'repo:octo-org/octo-repo:environment:production';
  const issued: IssuedIdToken[] = [];

  const issue = (request: StandInRequest) => {
    const bearer = /^bearer\s+(.+)$/i.exec(request.header('authorization') ?? '')?.[1];
    if (bearer !== requestToken) throw new HttpError(401, { message: 'Bad credentials' });
    const audience = request.query.get('audience');
    if (!audience) throw new HttpError(400, { message: 'audience is required' });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: ISSUER,
      aud: audience,
      sub: subject,
      jti: randomUUID(),
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
    };
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    issued.push({ token, audience, expiresOn: new Date((now + lifetimeSeconds) * 1000) });
    return json(200, { count: issued.length, value: token });
  };

  const server = await startStandInServer({
    name: 'github-oidc',
    routes: [{ method: 'GET', path: '/idtoken', handler: issue }],
  });

  return {
    requestUrl: `${server.url}/idtoken?api-version=2.0`,
    requestToken,
    issued,
    requests: server.requests,
    server,
    isValid: (token, audience) =>
      issued.some(
        (entry) =>
          entry.token === token &&
          entry.audience === audience &&
          entry.expiresOn.getTime() > Date.now(),
      ),
    close: () => server.close(),
  };
}
