import type { AuthSettings } from '../../src/core/auth/auth-settings.js';

/** What the shared behavioural suite needs from a cell, whatever cloud adapters it runs on. */
export interface HarnessResponse {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies checked field by field
  readonly body: any;
}

export interface RequestOptions {
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  readonly body?: unknown;
  /** Send the body base64-encoded where the cloud's event shape allows it (API Gateway v2). */
  readonly base64?: boolean;
}

export interface CellHarness {
  readonly cloud: string;
  readonly cell: string;
  readonly peerCell: string;
  request(method: string, path: string, options?: RequestOptions): Promise<HarnessResponse>;
  /** Queues a raw event body, bypassing the publisher (poison events). */
  queueRawEvent(body: string): Promise<void>;
  /** Runs the cloud's trigger over everything queued, retries included, until nothing is left. */
  deliverOrderEvents(): Promise<void>;
  /** Raw bodies of the events in the dead-letter place. */
  deadLetters(): Promise<string[]>;
  /** Makes the service behind a port fail (5xx or unreachable) until the returned function runs. */
  injectOutage(dependency: 'documents' | 'events' | 'notifications'): Promise<() => void>;
  /**
   * The next write of a document whose key starts with `keyPrefix` commits in the store, then its
   * connection is reset before the answer arrives: the cloud SDK retries the write. `hits` says
   * whether the fault was used.
   */
  loseNextWriteAnswer(keyPrefix: string): Promise<{ readonly hits: number }>;
  /**
   * Every conditional write of a document whose key starts with `keyPrefix` takes `ms` longer in
   * the store (on AWS while S3 holds the key, so concurrent conditional writes on it meet 409
   * ConditionalRequestConflict), until the returned function runs.
   */
  slowWrites(keyPrefix: string, ms: number): Promise<() => void>;
  /** Customer notifications sent so far: customer id and order id. */
  notifications(): Promise<{ customerId: string; orderId: string }[]>;
  close(): Promise<void>;
}

export interface PeerEndpoint {
  readonly url: string;
  readonly timeoutMs: number;
}

/** Builds a cell that forwards to `peer` and trusts the tokens of `auth`'s issuer. */
export type HarnessFactory = (peer: PeerEndpoint, auth: AuthSettings) => Promise<CellHarness>;
