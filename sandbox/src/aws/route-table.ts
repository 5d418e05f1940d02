/**
 * API Gateway HTTP API route selection: `METHOD /path/{param}` and greedy `{proxy+}` keys,
 * `ANY` for every method, `$default` when nothing else matches. The most specific route wins
 * (literal segments over parameters over greedy), as API Gateway documents.
 */
export interface RouteMatch<T> {
  routeKey: string;
  target: T;
  pathParameters: Record<string, string>;
}

interface CompiledRoute<T> {
  routeKey: string;
  method: string;
  segments: string[];
  target: T;
}

function specificity(segments: string[]): number[] {
  return segments.map((s) => (s.endsWith('+}') ? 0 : s.startsWith('{') ? 1 : 2));
}

export class RouteTable<T> {
  private readonly routes: CompiledRoute<T>[] = [];
  private fallback: T | undefined;

  constructor(entries: Iterable<[routeKey: string, target: T]>) {
    for (const [routeKey, target] of entries) this.add(routeKey, target);
  }

  private add(routeKey: string, target: T): void {
    if (routeKey === '$default') {
      this.fallback = target;
      return;
    }
    const match = /^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/\S*)$/.exec(routeKey);
    const [, method, path] = match ?? [];
    if (!method || path === undefined) {
      throw new Error(
        `route key "${routeKey}" is not of the form "METHOD /path" (or "$default"), as API Gateway requires`,
      );
    }
    this.routes.push({
      routeKey,
      method,
      segments: path.split('/').filter(Boolean),
      target,
    });
    // Most specific first: compare segment by segment, then longer paths first.
    this.routes.sort((a, b) => {
      const sa = specificity(a.segments);
      const sb = specificity(b.segments);
      for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
        const diff = (sb[i] ?? 0) - (sa[i] ?? 0);
        if (diff !== 0) return diff;
      }
      if (sa.length !== sb.length) return sb.length - sa.length;
      return a.method === 'ANY' ? 1 : b.method === 'ANY' ? -1 : 0;
    });
  }

  match(method: string, path: string): RouteMatch<T> | undefined {
    const parts = path.split('/').filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== 'ANY' && route.method !== method) continue;
      const pathParameters = matchSegments(route.segments, parts);
      if (pathParameters) return { routeKey: route.routeKey, target: route.target, pathParameters };
    }
    if (this.fallback !== undefined) {
      return { routeKey: '$default', target: this.fallback, pathParameters: {} };
    }
    return undefined;
  }
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [i, segment] of template.entries()) {
    if (segment.startsWith('{') && segment.endsWith('+}')) {
      if (i >= parts.length) return undefined;
      params[segment.slice(1, -2)] = parts.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.startsWith('{') && segment.endsWith('}')) {
      params[segment.slice(1, -1)] = decodeURIComponent(part);
    } else if (segment !== part) {
      return undefined;
    }
  }
  return template.length === parts.length ? params : undefined;
}
