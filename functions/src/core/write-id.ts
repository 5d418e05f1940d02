/**
 * The write-id read-back that the S3 and Blob document stores share. A cloud SDK sends a
 * conditional write again when it got no answer, and the store may have committed the first
 * attempt: the retry then meets 412/409 from the writer's own document. Each write carries a
 * unique id in the document's metadata; after such a refusal the store reads the document back,
 * and when it carries this write's id, the write is done (with the stored ETag).
 */
import { randomUUID } from 'node:crypto';
import type { WriteOutcome } from './ports.js';

/** A stored document's ETag and the id of the write that stored it, when it carries one. */
export interface StoredWrite {
  readonly etag: string;
  readonly writeId?: string;
}

/** A new id for one logical write: every attempt of that write sends the same one. */
export function newWriteId(): string {
  return randomUUID();
}

/** Done when the stored document is this write's own; undefined when it is not (or is gone). */
export function ownWrite(
  stored: StoredWrite | undefined,
  writeId: string,
): WriteOutcome | undefined {
  return stored?.writeId === writeId ? { ok: true, etag: stored.etag } : undefined;
}
