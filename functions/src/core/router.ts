import { badRequest } from './errors.js';
import { jsonResponse, type CoreRequest, type CoreResponse } from './http-types.js';

export type Params = Record<string, string>;
export type RouteHandler = (request: CoreRequest, params: Params) => Promise<CoreResponse>;

export interface Route {
  readonly method: string;
  /** Matched against the path without a trailing slash; named groups become params. */
  readonly pattern: RegExp;
  readonly handler: RouteHandler;
}

/** Runs the first route whose pattern and method match; JSON 405 (with Allow) or 404 otherwise. */
export async function dispatch(
  routes: readonly Route[],
  request: CoreRequest,
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
    return route.handler(request, decodeParams(match.groups ?? {}));
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
