import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { delay } from '../core/optimistic.js';
import type { DocumentStore, StoredDocument, WriteOutcome } from '../core/ports.js';
import { newWriteId, ownWrite, type StoredWrite } from '../core/write-id.js';

/**
 * DocumentStore on S3 conditional writes: create-if-absent is `If-None-Match: *`,
 * replace-if-match is `If-Match: <etag>`. S3 answers 412 PreconditionFailed when the
 * condition does not hold (someone else wrote first) and 409 ConditionalRequestConflict when
 * another conditional write on the key is in flight. A replace that meets 409 reports
 * `stale`: the caller's optimistic loop reads again and retries, which is the retry S3 asks
 * for, and the in-flight write has most likely changed the ETag anyway. A create that meets
 * 409 reads the key: when an object is there, the create lost ('exists'); when not, it is
 * retried here, since the key may still be free.
 *
 * The SDK retries a PutObject whose answer it did not get (connection reset, timeout, 500/503),
 * and S3 may have committed that attempt: the retry then meets 412 (or 409) from the writer's
 * own object. Reporting that as lost would make a claim holder wait for itself, an order
 * writer give back the stock of the order it just stored, and an optimistic update apply
 * twice. So every write carries a unique id in its metadata (`x-amz-meta-write-id`), and a
 * 412/409 after a retried attempt reads the object's metadata: when the id is this write's,
 * the write is reported as done, with the object's ETag.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly conflictRetries = 20,
  ) {}

  async get<T>(key: string): Promise<StoredDocument<T> | undefined> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: objectKey(key) }),
      );
      const text = (await result.Body?.transformToString('utf-8')) ?? '';
      if (!result.ETag) throw new Error(`S3 returned no ETag for ${objectKey(key)}`);
      return { value: JSON.parse(text) as T, etag: result.ETag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  createIfAbsent<T>(key: string, value: T): Promise<WriteOutcome> {
    return this.put(key, value, { IfNoneMatch: '*' }, 'exists');
  }

  replaceIfMatch<T>(key: string, value: T, etag: string): Promise<WriteOutcome> {
    return this.put(key, value, { IfMatch: etag }, 'stale');
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** Key names only: s3:ListBucket, which the functions already hold (404 for a missing key). */
  async count(prefix: string): Promise<number> {
    let total = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      total += page.KeyCount ?? page.Contents?.length ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return total;
  }

  private async put(
    key: string,
    value: unknown,
    condition: { IfNoneMatch: string } | { IfMatch: string },
    lost: 'exists' | 'stale',
  ): Promise<WriteOutcome> {
    const body = JSON.stringify(value);
    const writeId = newWriteId();
    let retried = false;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: objectKey(key),
            Body: body,
            ContentType: 'application/json',
            Metadata: { [writeIdMetadata]: writeId },
            ...condition,
          }),
        );
        if (!result.ETag) throw new Error(`S3 returned no ETag for ${objectKey(key)}`);
        return { ok: true, etag: result.ETag };
      } catch (error) {
        const status = statusOf(error);
        retried ||= attemptsOf(error) > 1;
        if (status === 412 || status === 409) {
          const outcome = await this.afterRefusal(key, writeId, status, lost, retried);
          if (outcome) return outcome;
          if (attempt < this.conflictRetries) {
            await delay(Math.random() * Math.min(100, 5 * 2 ** attempt));
            continue;
          }
        }
        // 404 NoSuchKey: If-Match on an object that is gone, so the ETag is stale too.
        if (status === 404) return { ok: false, reason: lost };
        throw error;
      }
    }
  }

  /**
   * What a 412 / 409 means for this write; undefined: send the create again. After a retried
   * attempt the stored object may be this write's own. A create that meets 409 (another
   * conditional write on the key in flight) reads whether an object is there already: then the
   * create lost, and retrying it only adds to the contention that caused the 409.
   */
  private async afterRefusal(
    key: string,
    writeId: string,
    status: number,
    lost: 'exists' | 'stale',
    retried: boolean,
  ): Promise<WriteOutcome | undefined> {
    const createInConflict = status === 409 && lost === 'exists';
    if (!retried && !createInConflict) return { ok: false, reason: lost };
    const stored = await this.head(key);
    const own = ownWrite(stored, writeId);
    if (own) return own;
    if (createInConflict && !stored) return undefined;
    return { ok: false, reason: lost };
  }

  /** The stored object's ETag and write id (S3 reads are strongly consistent), if there is one. */
  private async head(key: string): Promise<StoredWrite | undefined> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey(key) }),
      );
      if (!head.ETag) throw new Error(`S3 returned no ETag for ${objectKey(key)}`);
      const writeId = head.Metadata?.[writeIdMetadata];
      return writeId === undefined ? { etag: head.ETag } : { etag: head.ETag, writeId };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }
}

/** User metadata naming the write that stored an object (sent as `x-amz-meta-write-id`). */
const writeIdMetadata = 'write-id';

function objectKey(key: string): string {
  return `${key}.json`;
}

/** How many HTTP attempts the SDK made for the command that failed (its retries included). */
function attemptsOf(error: unknown): number {
  if (typeof error !== 'object' || error === null) return 1;
  return (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { $metadata?: { httpStatusCode?: number }; name?: string };
  if (candidate.name === 'NoSuchKey' || candidate.name === 'NotFound') return 404;
  return candidate.$metadata?.httpStatusCode;
}
