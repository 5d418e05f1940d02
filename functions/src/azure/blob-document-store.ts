import type { ContainerClient } from '@azure/storage-blob';
import type { DocumentStore, StoredDocument, WriteOutcome } from '../core/ports.js';
import { newWriteId, ownWrite, type StoredWrite } from '../core/write-id.js';

/**
 * DocumentStore on Blob Storage conditional writes: create-if-absent is Put Blob with
 * `If-None-Match: *` (409 BlobAlreadyExists or 412 when the blob exists), replace-if-match is
 * `If-Match: <etag>` (412 ConditionNotMet when stale, 404 when gone).
 *
 * The SDK's retry policy sends a Put Blob again when it got no answer (connection reset,
 * timeout, 500/503), and Blob Storage may have committed the first attempt: the retry then
 * meets 409/412 from the writer's own blob, which must not be reported as lost (see
 * S3DocumentStore). Every write carries a unique id in its metadata (`x-ms-meta-writeid`); the
 * SDK does not say whether it retried, so every 409/412 reads the blob's properties, and when
 * the id is this write's, the write is reported as done with the blob's ETag.
 * https://learn.microsoft.com/rest/api/storageservices/specifying-conditional-headers-for-blob-service-operations
 * https://learn.microsoft.com/azure/storage/blobs/storage-retry-policy
 */
export class BlobDocumentStore implements DocumentStore {
  constructor(private readonly container: ContainerClient) {}

  async get<T>(key: string): Promise<StoredDocument<T> | undefined> {
    try {
      // One request for body and ETag: pairing a body with a later ETag would let a stale
      // read pass the If-Match check.
      const response = await this.container.getBlockBlobClient(blobName(key)).download();
      if (!response.etag) throw new Error(`Blob returned no ETag for ${blobName(key)}`);
      const text = await streamToText(response.readableStreamBody);
      return { value: JSON.parse(text) as T, etag: response.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  createIfAbsent<T>(key: string, value: T): Promise<WriteOutcome> {
    return this.put(key, value, { ifNoneMatch: '*' }, 'exists');
  }

  replaceIfMatch<T>(key: string, value: T, etag: string): Promise<WriteOutcome> {
    return this.put(key, value, { ifMatch: etag }, 'stale');
  }

  async check(): Promise<void> {
    await this.container.getProperties();
  }

  async count(prefix: string): Promise<number> {
    let total = 0;
    for await (const page of this.container.listBlobsFlat({ prefix }).byPage({ maxPageSize: 5000 }))
      total += page.segment.blobItems.length;
    return total;
  }

  private async put(
    key: string,
    value: unknown,
    conditions: { ifNoneMatch: string } | { ifMatch: string },
    lost: 'exists' | 'stale',
  ): Promise<WriteOutcome> {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    const writeId = newWriteId();
    try {
      const result = await this.container
        .getBlockBlobClient(blobName(key))
        .upload(body, body.length, {
          conditions,
          metadata: { [writeIdMetadata]: writeId },
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
      if (!result.etag) throw new Error(`Blob returned no ETag for ${blobName(key)}`);
      return { ok: true, etag: result.etag };
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 409) {
        const own = ownWrite(await this.stored(key), writeId);
        if (own) return own;
      }
      if (status === 412 || status === 409 || status === 404) return { ok: false, reason: lost };
      throw error;
    }
  }

  /** The stored blob's ETag and write id (Blob reads are strongly consistent), if there is one. */
  private async stored(key: string): Promise<StoredWrite | undefined> {
    try {
      const properties = await this.container.getBlockBlobClient(blobName(key)).getProperties();
      if (!properties.etag) return undefined;
      const writeId = properties.metadata?.[writeIdMetadata];
      return writeId === undefined ? { etag: properties.etag } : { etag: properties.etag, writeId };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }
}

/** Blob metadata naming the write that stored a blob (a C# identifier, as Blob requires). */
const writeIdMetadata = 'writeid';

function blobName(key: string): string {
  return `${key}.json`;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error
    ? Number((error as { statusCode: unknown }).statusCode)
    : undefined;
}

async function streamToText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}
