/** The cloud-neutral HTTP shapes the adapters translate to and from. */

export interface CoreRequest {
  readonly method: string;
  /** URL path, percent-encoded as received, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names lower-cased (API Gateway v2 and Azure both give them so). */
  readonly headers: Readonly<Record<string, string>>;
  /** UTF-8 body text; undefined when the request has none. */
  readonly body?: string;
}

export interface CoreResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** JSON text, or '' for no body. */
  readonly body: string;
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): CoreResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}
