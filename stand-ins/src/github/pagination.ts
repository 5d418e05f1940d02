/**
 * GitHub's list pagination: `per_page` (default 30, at most 100) and `page` (from 1), and a
 * `Link` header with prev/next/last/first when the list is longer than one page. The links
 * keep every other query parameter and the API's path prefix, as GitHub Enterprise's do.
 */
import { json, type StandInRequest, type StandInResponse } from '../http/server.js';
import type { GitHubStore } from './store.js';

/** One page of a list, rendered, with GitHub's page/per_page handling and Link header. */
export function listPage<T>(
  store: GitHubStore,
  request: StandInRequest,
  items: T[],
  render: (item: T) => unknown,
): StandInResponse {
  const perPage = positiveInteger(request.query.get('per_page'), 30, 100);
  const page = positiveInteger(request.query.get('page'), 1, Infinity);
  const body = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (items.length > perPage) {
    headers.link = linkHeader(store, request, page, Math.max(1, Math.ceil(items.length / perPage)));
  }
  return json(200, body.map(render), headers);
}

function positiveInteger(text: string | null, fallback: number, max: number): number {
  const value = Number.parseInt(text ?? '', 10);
  return Number.isFinite(value) && value > 0 ? Math.min(value, max) : fallback;
}

function linkHeader(
  store: GitHubStore,
  request: StandInRequest,
  page: number,
  lastPage: number,
): string {
  const origin = store.urls.api.slice(0, store.urls.api.length - store.pathPrefix.length);
  const link = (target: number) => {
    const query = new URLSearchParams(request.query);
    query.set('page', String(target));
    return `<${origin}${request.path}?${query.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
  if (page < lastPage) links.push(`${link(page + 1)}; rel="next"`, `${link(lastPage)}; rel="last"`);
  if (page > 1) links.push(`${link(1)}; rel="first"`);
  return links.join(', ');
}
