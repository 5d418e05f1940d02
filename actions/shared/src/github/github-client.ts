/**
 * Octokit for the actions: base URL from GITHUB_API_URL (GitHub Enterprise Server works),
 * retries on 5xx and network errors, and waits out primary and secondary rate limits.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** Default: GITHUB_API_URL, else https://api.github.com. */
  apiUrl?: string;
  /** Where rate-limit notices go (core.warning in the actions). */
  warn?: (message: string) => void;
  /** Retries after a rate limit before giving up. */
  rateLimitRetries?: number;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const warn = options.warn ?? (() => undefined);
  const limit = options.rateLimitRetries ?? 3;
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      request: { method: string; url: string },
      _octokit: unknown,
      retryCount: number,
    ) => {
      if (retryCount < limit) {
        warn(
          `GitHub ${kind} rate limit on ${request.method} ${request.url}: retrying after ${retryAfter} s.`,
        );
        return true;
      }
      warn(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}: giving up after ${limit} retries.`,
      );
      return false;
    };
  return getOctokit(
    options.token,
    {
      baseUrl: (
        options.apiUrl ??
        process.env['GITHUB_API_URL'] ??
        'https://api.github.com'
      ).replace(/\/+$/, ''),
      throttle: {
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
      },
      retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 451] },
    },
    retry,
    throttling,
  );
}

interface ErrorWithStatus {
  status?: number;
  message?: string;
}

/**
 * A 403 that is not a rate limit: the token may not write here. A pull request from a fork
 * gets a read-only GITHUB_TOKEN, so posting a comment fails this way.
 */
export function isReadOnlyTokenError(error: unknown): boolean {
  const candidate = error as ErrorWithStatus | null;
  if (!candidate || candidate.status !== 403) return false;
  return !/rate limit/i.test(candidate.message ?? '');
}

/** A short, secret-free description of a GitHub API error for logs. */
export function describeGitHubError(error: unknown): string {
  const candidate = error as ErrorWithStatus | null;
  if (candidate && typeof candidate.status === 'number') {
    return `GitHub API answered ${candidate.status}: ${(candidate.message ?? '').split('\n')[0]}`;
  }
  return error instanceof Error ? error.message : String(error);
}
