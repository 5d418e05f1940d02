import type { ContainerClient } from '@azure/storage-blob';
import type { DocumentStore, StoredDocument, WriteOutcome } from '../core/ports.js';

/**
 * DocumentStore on Blob Storage conditional writes: create-if-absent is Put Blob with
 * `If-None-Match: *` (409 BlobAlreadyExists or 412 when the blob exists), replace-if-match is
 * `If-Match: <etag>` (412 ConditionNotMet when stale, 404 when gone).
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

  private async put(
    key: string,
    value: unknown,
    conditions: { ifNoneMatch: string } | { ifMatch: string },
    lost: 'exists' | 'stale',
  ): Promise<WriteOutcome> {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    try {
      const result = await this.container
        .getBlockBlobClient(blobName(key))
        .upload(body, body.length, {
          conditions,
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
      if (!result.etag) throw new Error(`Blob returned no ETag for ${blobName(key)}`);
      return { ok: true, etag: result.etag };
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 409 || status === 404) return { ok: false, reason: lost };
      throw error;
    }
  }
}

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
