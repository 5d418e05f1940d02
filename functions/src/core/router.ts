import { scopeMissing } from './auth/auth-problems.js';
import type { Principal } from './auth/principal.js';
import { badRequest } from './errors.js';
import { jsonResponse, type CoreRequest, type CoreResponse } from './http-types.js';

export type Params = Record<string, string>;
export type PublicHandler = (request: CoreRequest, params: Params) => Promise<CoreResponse>;
/** A handler of an authenticated route: `caller` is whom the bearer token names. */
export type RouteHandler = (
  request: CoreRequest,
  params: Params,
  caller: Principal,
) => Promise<CoreResponse>;

/**
 * Who may call a route: `public` anyone (GET /health, which smoke tests and health probes call
 * without a token), `customer` any valid token, `admin` a valid token with the admin scope.
 */
export type Access = 'public' | 'customer' | 'admin';

interface RouteShape {
  readonly method: string;
  /** Matched against the path without a trailing slash; named groups become params. */
  readonly pattern: RegExp;
}

export type Route =
  | (RouteShape & { readonly access: 'public'; readonly handler: PublicHandler })
  | (RouteShape & { readonly access: 'customer' | 'admin'; readonly handler: RouteHandler });

/** Tells who calls (or answers the 401/503 to send); the cell's TokenVerifier. */
export interface Gatekeeper {
  authenticate(authorization: string | undefined): Promise<Principal>;
  readonly adminScope: string;
}

/**
 * Runs the first route whose pattern and method match; JSON 405 (with Allow) or 404 otherwise.
 * A protected route authenticates before anything else is read from the request, so an
 * anonymous caller learns nothing from validation errors, and is never forwarded to the peer.
 */
export async function dispatch(
  routes: readonly Route[],
  request: CoreRequest,
  gatekeeper: Gatekeeper,
): Promise<CoreResponse> {
  const path = request.path.length > 1 ? request.path.replace(/\/+$/, '') : request.path;
  const method = request.method.toUpperCase();
  const allowed = new Set<string>();
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.method !== method) {
      allowed.add(route.method);
      continue;
    }
    if (route.access === 'public') return route.handler(request, decodeParams(match.groups ?? {}));
    const caller = await gatekeeper.authenticate(request.headers.authorization);
    if (route.access === 'admin' && !caller.admin) throw scopeMissing(gatekeeper.adminScope);
    return route.handler(request, decodeParams(match.groups ?? {}), caller);
  }
  if (allowed.size > 0) {
    const methods = [...allowed];
    return jsonResponse(
      405,
      {
        error: `${method} is not allowed on ${path}: use ${methods.join(' or ')}`,
        code: 'method_not_allowed',
      },
      { allow: methods.join(', ') },
    );
  }
  return jsonResponse(404, { error: `no route for ${method} ${path}`, code: 'route_not_found' });
}

function decodeParams(groups: Record<string, string | undefined>): Params {
  const params: Params = {};
  for (const [name, value] of Object.entries(groups)) {
    if (value === undefined) continue;
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      throw badRequest(name, `${name} in the path is not valid percent-encoding`);
    }
  }
  return params;
}
