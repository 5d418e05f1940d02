import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HttpProblem, SettingsError } from './errors.js';
import type { CoreRequest } from './http-types.js';
import type { DocumentStore } from './ports.js';

/**
 * Calls between cells carry an HMAC-SHA256 signature (ADR 17): over the sending and receiving
 * cell, method, path, query, a timestamp, a single-use nonce and the body's SHA-256, with a key
 * both cells read from their own secret store (Secrets Manager, Key Vault). A receiver accepts
 * the peer headers only with a valid signature, inside the replay window, and a nonce it has
 * not seen: anything else is a 401 before any route runs.
 */
export const peerHeaders = {
  /** The sending cell; kept from wave 1, now only believed when signed. */
  from: 'x-forwarded-from-cell',
  timestamp: 'x-peer-timestamp',
  nonce: 'x-peer-nonce',
  signature: 'x-peer-signature',
} as const;

/** The smallest key accepted: 32 bytes, HMAC-SHA256's block-size guidance (RFC 2104 §3). */
const minimumKeyBytes = 32;
const nonceForm = /^[A-Za-z0-9_-]{22,64}$/;
const signatureForm = /^v1=([0-9a-f]{64})$/;
const timestampForm = /^[0-9]{10,13}$/;

export interface PeerAuthSettings {
  /** The shared key, decoded. */
  readonly key: Buffer;
  /** How far a timestamp may lie from this cell's clock, either way; 60 s by default. */
  readonly windowMs: number;
}

/** Decodes PEER_SHARED_KEY (base64 or base64url, at least 32 bytes); names the setting when bad. */
export function peerKeyFrom(value: string, setting = 'PEER_SHARED_KEY'): Buffer {
  const trimmed = value.trim();
  const key = Buffer.from(trimmed, /[-_]/.test(trimmed) ? 'base64url' : 'base64');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) || key.length < minimumKeyBytes) {
    throw new SettingsError(
      [setting],
      `${setting} must be a base64 key of at least ${minimumKeyBytes} bytes (e.g. openssl rand -base64 48), the same on both cells`,
    );
  }
  return key;
}

interface Signed {
  readonly fromCell: string;
  readonly toCell: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly timestamp: string;
  readonly nonce: string;
  readonly body: string | undefined;
}

function canonical(signed: Signed): string {
  const bodyHash = createHash('sha256')
    .update(signed.body ?? '')
    .digest('hex');
  return [
    'multicloud-peer-v1',
    signed.fromCell,
    signed.toCell,
    signed.method.toUpperCase(),
    signed.path,
    signed.query,
    signed.timestamp,
    signed.nonce,
    bodyHash,
  ].join('\n');
}

function mac(key: Buffer, signed: Signed): Buffer {
  return createHmac('sha256', key).update(canonical(signed)).digest();
}

/** The headers that sign one request from `fromCell` to `toCell`. */
export function signPeerRequest(
  settings: PeerAuthSettings,
  request: { fromCell: string; toCell: string; method: string; path: string; query: string },
  body: string | undefined,
  now: Date,
): Record<string, string> {
  const timestamp = String(now.getTime());
  const nonce = randomBytes(18).toString('base64url');
  const signature = mac(settings.key, { ...request, timestamp, nonce, body }).toString('hex');
  return {
    [peerHeaders.from]: request.fromCell,
    [peerHeaders.timestamp]: timestamp,
    [peerHeaders.nonce]: nonce,
    [peerHeaders.signature]: `v1=${signature}`,
  };
}

function rejected(reason: string): HttpProblem {
  return new HttpProblem(
    401,
    'peer_auth_failed',
    `the cell-to-cell headers (${peerHeaders.from}, ${peerHeaders.signature}) were rejected: ${reason}; only the peer cell may send them`,
    peerHeaders.signature,
  );
}

/**
 * Verifies a request's peer headers. `undefined` when it carries none (an ordinary caller);
 * the sending cell when they are valid; a 401 otherwise. The nonce is recorded in the cell's
 * own store with create-if-absent, so a replay is refused by every instance of the cell.
 */
export class PeerAuthenticator {
  constructor(
    private readonly settings: PeerAuthSettings,
    private readonly cell: string,
    private readonly peerCell: string,
    private readonly documents: DocumentStore,
    private readonly now: () => Date,
  ) {}

  async verify(request: CoreRequest): Promise<string | undefined> {
    const headers = request.headers;
    const present = Object.values(peerHeaders).filter((name) => headers[name] !== undefined);
    if (present.length === 0) return undefined;
    const fromCell = headers[peerHeaders.from];
    const timestamp = headers[peerHeaders.timestamp] ?? '';
    const nonce = headers[peerHeaders.nonce] ?? '';
    const signature = signatureForm.exec(headers[peerHeaders.signature] ?? '')?.[1];
    if (fromCell !== this.peerCell) throw rejected(`they do not name cell ${this.peerCell}`);
    if (!signature || !timestampForm.test(timestamp) || !nonceForm.test(nonce)) {
      throw rejected('the signature, timestamp or nonce is missing or malformed');
    }
    const expected = mac(this.settings.key, {
      fromCell,
      toCell: this.cell,
      method: request.method,
      path: request.path,
      query: request.query.toString(),
      timestamp,
      nonce,
      body: request.body,
    });
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw rejected('the signature does not match the request');
    }
    const skew = Math.abs(this.now().getTime() - Number(timestamp));
    if (skew > this.settings.windowMs) {
      throw rejected(
        `the timestamp is ${skew} ms away, outside the ${this.settings.windowMs} ms window`,
      );
    }
    await this.spend(fromCell, nonce, timestamp);
    return fromCell;
  }

  private async spend(fromCell: string, nonce: string, timestamp: string): Promise<void> {
    const outcome = await this.documents.createIfAbsent(`peer-nonces/${fromCell}/${nonce}`, {
      timestamp: Number(timestamp),
      seenAt: this.now().toISOString(),
    });
    if (!outcome.ok) throw rejected('this request was already received once (replay)');
  }
}

/** The peer settings of a cell's config, the key decoded (a bad key names PEER_SHARED_KEY). */
export function peerSettingsOf(config: {
  readonly peerCell: string;
  readonly peerUrl: string;
  readonly peerTimeoutMs: number;
  readonly peerKey: string;
  readonly peerReplayWindowMs?: number;
}) {
  return {
    cell: config.peerCell,
    url: config.peerUrl,
    timeoutMs: config.peerTimeoutMs,
    auth: { key: peerKeyFrom(config.peerKey), windowMs: config.peerReplayWindowMs ?? 60_000 },
  };
}
