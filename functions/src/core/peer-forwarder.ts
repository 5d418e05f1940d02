import { HttpProblem } from './errors.js';
import type { CoreRequest, CoreResponse } from './http-types.js';
import { peerHeaders, signPeerRequest, type PeerAuthSettings } from './peer-auth.js';

export interface PeerSettings {
  readonly cell: string;
  /** Public base URL of the peer cell, e.g. https://azure.shop.example.com */
  readonly url: string;
  readonly timeoutMs: number;
  /** The key both cells sign their calls with, and the replay window (ADR 17). */
  readonly auth: PeerAuthSettings;
}

/**
 * Header a forwarded request carries, so a peer never forwards it back (no loops). The cell
 * believes it only once PeerAuthenticator has checked the request's signature.
 */
export const forwardedFromHeader = peerHeaders.from;

/**
 * `authorization` travels on: the peer's edge (JWT authorizer, validate-jwt) and core check the
 * caller's token again, and serve only that caller's carts and orders.
 */
const forwardedRequestHeaders = [
  'authorization',
  'content-type',
  'if-match',
  'idempotency-key',
  'accept',
];
const returnedResponseHeaders = [
  'content-type',
  'etag',
  'location',
  'retry-after',
  'www-authenticate',
  'x-cell',
];

/**
 * Sends a request for the peer cell's cart or order to that cell over its public URL, with
 * a timeout: 504 when it does not answer in time, 502 when it cannot be reached.
 */
export class PeerForwarder {
  constructor(
    private readonly fromCell: string,
    private readonly peer: PeerSettings,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get peerCell(): string {
    return this.peer.cell;
  }

  /** `timeoutMs`: a shorter wait than the peer's default (GET /health's link probe). */
  async forward(request: CoreRequest, timeoutMs = this.peer.timeoutMs): Promise<CoreResponse> {
    if (request.headers[forwardedFromHeader] !== undefined) {
      throw new HttpProblem(
        508,
        'forwarding_loop',
        `cell ${this.fromCell} received a forwarded request for cell ${this.peer.cell}: check PEER_URL on both cells`,
      );
    }
    const query = request.query.toString();
    const url = `${this.peer.url.replace(/\/+$/, '')}${request.path}${query ? `?${query}` : ''}`;
    const body = request.body === undefined || request.method === 'GET' ? undefined : request.body;
    const headers = signPeerRequest(
      this.peer.auth,
      {
        fromCell: this.fromCell,
        toCell: this.peer.cell,
        method: request.method,
        path: request.path,
        query,
      },
      body,
      this.now(),
    );
    for (const name of forwardedRequestHeaders) {
      const value = request.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
    } catch (error) {
      throw this.failure(error, timeoutMs);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw this.failure(error, timeoutMs);
    }
    const returned: Record<string, string> = {};
    for (const name of returnedResponseHeaders) {
      const value = response.headers.get(name);
      if (value !== null) returned[name] = value;
    }
    returned['x-forwarded-to-cell'] = this.peer.cell;
    return { status: response.status, headers: returned, body: text };
  }

  private failure(error: unknown, timeoutMs: number): HttpProblem {
    // Not `instanceof`: the DOMException of an aborted fetch may come from another realm.
    const names = [nameOf(error), nameOf((error as { cause?: unknown } | undefined)?.cause)];
    if (names.includes('TimeoutError') || names.includes('AbortError')) {
      return new HttpProblem(
        504,
        'peer_timeout',
        `cell ${this.peer.cell} did not answer within ${timeoutMs} ms`,
        undefined,
        { peerCell: this.peer.cell },
      );
    }
    return new HttpProblem(
      502,
      'peer_unreachable',
      `cell ${this.peer.cell} could not be reached to serve this request`,
      undefined,
      { peerCell: this.peer.cell },
    );
  }
}

function nameOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'name' in value
    ? String((value as { name: unknown }).name)
    : undefined;
}
