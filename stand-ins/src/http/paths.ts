/**
 * Route and fault path patterns for the stand-in servers: `:name` matches one non-empty
 * segment (percent-decoded into the params), a final `*` the rest (in `params['*']`); a RegExp
 * is tested on the path and its named groups become the params.
 */

export type PathMatcher = (path: string) => Record<string, string> | undefined;

/** Compiles a route pattern; exported for stand-ins that dispatch on paths themselves. */
export function compilePathPattern(pattern: string | RegExp): PathMatcher {
  if (pattern instanceof RegExp) {
    return (path) => {
      const match = pattern.exec(path);
      return match ? { ...match.groups } : undefined;
    };
  }
  const parts = splitPath(pattern);
  const wildcard = parts.at(-1) === '*';
  const fixed = wildcard ? parts.slice(0, -1) : parts;
  return (path) => {
    const segments = splitPath(path);
    if (wildcard ? segments.length < fixed.length : segments.length !== fixed.length) {
      return undefined;
    }
    const params = matchSegments(fixed, segments);
    if (params && wildcard) params['*'] = segments.slice(fixed.length).map(safeDecode).join('/');
    return params;
  };
}

export function methodMatches(expected: string | undefined, actual: string): boolean {
  return expected === undefined || expected === '*' || expected.toUpperCase() === actual;
}

function matchSegments(
  parts: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] as string;
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      params[part.slice(1)] = safeDecode(segment);
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
