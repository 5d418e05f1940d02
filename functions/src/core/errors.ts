/**
 * Every failure the core answers on purpose: a status, a stable code, a message that names
 * the input and the accepted form, and the field when one is to blame. Anything else is a bug
 * or a dependency failure and becomes a 500/503 without internals.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }

  toBody(): Record<string, unknown> {
    return {
      error: this.message,
      code: this.code,
      ...(this.field === undefined ? {} : { field: this.field }),
      ...this.extra,
    };
  }
}

export function badRequest(field: string, message: string): HttpProblem {
  return new HttpProblem(400, 'invalid_request', message, field);
}

export function notFound(message: string, field?: string): HttpProblem {
  return new HttpProblem(404, 'not_found', message, field);
}

export function conflict(code: string, message: string, field?: string, extra = {}): HttpProblem {
  return new HttpProblem(409, code, message, field, extra);
}

export function preconditionFailed(): HttpProblem {
  return new HttpProblem(
    412,
    'precondition_failed',
    'If-Match does not match the current ETag: read the resource again and retry with its ETag',
    'If-Match',
  );
}

/** Optimistic retries ran out: the caller may simply retry. */
export function busy(what: string): HttpProblem {
  return new HttpProblem(
    503,
    'contention',
    `${what} is being changed by many requests at once; retry`,
    undefined,
    {},
    { 'retry-after': '1' },
  );
}

/** A queued event that can never succeed (malformed, unknown type, unknown order). */
export class PoisonEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonEventError';
  }
}

/** A setting is missing or malformed: raised at cold start, naming the setting. */
export class SettingsError extends Error {
  constructor(
    readonly settings: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}

/**
 * RFC 9110 If-Match against the stored ETag: `*` matches any existing document, otherwise
 * one of the listed tags must equal it (weak prefixes ignored: the stores give strong tags).
 */
export function ifMatchHolds(ifMatch: string, etag: string | undefined): boolean {
  if (etag === undefined) return false;
  if (ifMatch.trim() === '*') return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifMatch.split(',').some((tag) => strip(tag) === strip(etag));
}
