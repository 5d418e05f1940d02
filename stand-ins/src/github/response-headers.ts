/**
 * The headers GitHub puts on every REST response, injected faults included: the primary rate
 * limit (x-ratelimit-*: 5,000 an hour per token, counted down per Authorization header), the
 * media type and API version, and a request id (x-github-request-id).
 */
import { randomUUID } from 'node:crypto';
import type { Handler, StandInRequest } from '../http/server.js';
import type { GitHubStore } from './store.js';

const HOURLY_LIMIT = 5000;

/** Adds GitHub's per-response headers to every answer of the handler. */
export function withGitHubHeaders(store: GitHubStore, handler: Handler): Handler {
  return async (request) => {
    const response = await handler(request);
    return { ...response, headers: { ...gitHubHeaders(store, request), ...response.headers } };
  };
}

/** A request id as GitHub prints them (also in the secondary rate limit message). */
export function gitHubRequestId(): string {
  return randomUUID().toUpperCase().slice(0, 23);
}

function gitHubHeaders(store: GitHubStore, request: StandInRequest): Record<string, string> {
  const key = request.header('authorization') ?? 'anonymous';
  const remaining = Math.max(0, (store.rateRemaining.get(key) ?? HOURLY_LIMIT) - 1);
  store.rateRemaining.set(key, remaining);
  return {
    'x-ratelimit-limit': String(HOURLY_LIMIT),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-used': String(HOURLY_LIMIT - remaining),
    'x-ratelimit-resource': 'core',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-request-id': gitHubRequestId(),
  };
}
