/**
 * Who is calling the GitHub stand-in: each token names a permission and the user it acts as.
 *
 *   `Authorization: token X` or `Bearer X`. No header: 401 "Requires authentication"; a token
 *   the stand-in does not know: 401 "Bad credentials". The caller's `user` authors what its
 *   writes create (comments, issues): github-actions[bot] unless the token says otherwise, as
 *   for the GITHUB_TOKEN of a workflow run. A read-only token on a write is refused by the
 *   repository routes (repo-routes.ts).
 *
 *   startGitHubStandIn({ tokens: [
 *     { token: 'ghs_…', permission: 'write' },                                  // the bot
 *     { token: 'ghp_…', permission: 'write', user: { login: 'mallory', id: 7, type: 'User' } },
 *   ] });
 */
import type { StandInRequest } from '../http/server.js';
import { docs, gitHubError } from './errors.js';
import type { UserRecord } from './shapes.js';

export type TokenPermission = 'write' | 'read';

export interface TokenSpec {
  token: string;
  permission: TokenPermission;
  /** The identity comments and issues are created as; default github-actions[bot]. */
  user?: UserRecord;
}

export const GITHUB_ACTIONS_BOT: UserRecord = {
  login: 'github-actions[bot]',
  id: 41898282,
  type: 'Bot',
};

/** One write token (the stand-in's `writeToken`) and one read-only token (`readToken`). */
export const DEFAULT_TOKENS: readonly TokenSpec[] = [
  { token: 'ghs_standInWriteToken0000000000000000000', permission: 'write' },
  { token: 'ghs_standInReadOnlyToken000000000000000', permission: 'read' },
];

/** An authenticated caller: what its token may do, and who it is. */
export interface Caller {
  readonly token: string;
  readonly permission: TokenPermission;
  readonly user: UserRecord;
}

/** The user a token acts as. */
export function userOfToken(spec: TokenSpec): UserRecord {
  return spec.user ?? GITHUB_ACTIONS_BOT;
}

export function authenticate(tokens: readonly TokenSpec[], request: StandInRequest): Caller {
  const header = request.header('authorization');
  if (!header) throw gitHubError(401, 'Requires authentication', docs.rest);
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
  const spec = match ? tokens.find((candidate) => candidate.token === match[1]) : undefined;
  if (!spec) throw gitHubError(401, 'Bad credentials', docs.rest);
  return { token: spec.token, permission: spec.permission, user: userOfToken(spec) };
}
