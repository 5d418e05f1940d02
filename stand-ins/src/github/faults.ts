/**
 * Faults the GitHub stand-in injects, with GitHub's wording and headers; paths are relative
 * to the API root (the path prefix is added), default every path:
 *
 *   github.injectSecondaryRateLimit({ method: 'POST', path: '/repos/:o/:r/issues/:n/comments' });
 *     403 (or 429) with retry-after (default 1 s) and GitHub's secondary rate limit message
 *   github.injectServerError({ status: 502, times: 2 });   a 5xx with a GitHub-style JSON body
 *   github.injectFault({ path: '/repos/*', delayMs: 500 }); anything ../http/server.ts can do
 *   github.clearFaults();
 */
import type { Fault, InjectedFault, StandInServer } from '../http/server.js';
import { docs, secondaryRateLimitMessage } from './errors.js';
import { gitHubRequestId } from './response-headers.js';

export interface FaultTarget {
  method?: string;
  /** Route pattern below the API root ('/repos/:o/:r/issues/:n/comments', '/repos/*'); default every path. */
  path?: string;
  /** Default 1; Infinity for every matching request. */
  times?: number;
}

export interface GitHubFaults {
  /** 403 (or 429) with retry-after and GitHub's secondary rate limit message. */
  injectSecondaryRateLimit(
    target?: FaultTarget & { retryAfterSeconds?: number; status?: 403 | 429 },
  ): InjectedFault;
  /** A 5xx (default 502) with a GitHub-style JSON body. */
  injectServerError(target?: FaultTarget & { status?: number; body?: unknown }): InjectedFault;
  /** Any fault, path relative to the API root (see ../http/server.ts). */
  injectFault(fault: Fault): InjectedFault;
  clearFaults(): void;
}

export function gitHubFaults(server: StandInServer, pathPrefix: string): GitHubFaults {
  const matching = ({ method, path, times }: FaultTarget) => ({
    method,
    path: path ? `${pathPrefix}${path}` : `${pathPrefix}/*`,
    times,
  });
  const jsonType = { 'content-type': 'application/json; charset=utf-8' };
  return {
    injectSecondaryRateLimit(target = {}) {
      return server.injectFault({
        ...matching(target),
        status: target.status ?? 403,
        headers: {
          ...jsonType,
          'retry-after': String(target.retryAfterSeconds ?? 1),
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4990',
          'x-ratelimit-resource': 'core',
        },
        body: {
          documentation_url: docs.secondaryRateLimit,
          message: `${secondaryRateLimitMessage}${gitHubRequestId()}.`,
        },
      });
    },
    injectServerError(target = {}) {
      return server.injectFault({
        ...matching(target),
        status: target.status ?? 502,
        headers: jsonType,
        body: target.body ?? { message: 'Server Error' },
      });
    },
    injectFault(fault) {
      const path = typeof fault.path === 'string' ? `${pathPrefix}${fault.path}` : fault.path;
      return server.injectFault({ ...fault, path });
    },
    clearFaults: () => server.clearFaults(),
  };
}
