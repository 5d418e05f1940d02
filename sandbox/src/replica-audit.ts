/**
 * Reads both cells' stores directly (S3 in fauxqs, Blob in Azurite), the way an operator
 * audits replication: for each cart or order, does every cell hold it, and the same document?
 * Used by the outage test and `npm run rehearse -- --outage`. Compares the documents' JSON
 * with sorted keys (ETags differ between clouds by nature).
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';

import type { Cloud } from '../../actions/shared/src/clouds.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../stand-ins/src/azurite/index.js';
import { AWS_DOCUMENTS_BUCKET } from './cells/aws-cell.js';
import { AZURE_DOCUMENTS_CONTAINER } from './cells/azure-cell.js';

export interface ConvergenceReport {
  /** Documents held by both cells, identical. */
  readonly same: number;
  /** Keys whose two copies differ. */
  readonly differing: string[];
  /** Keys a cell lacks, and which cell. */
  readonly missing: { readonly key: string; readonly in: Cloud }[];
}

/** Both adapters store a document `carts/<id>` as the object or blob `carts/<id>.json`. */
function objectName(key: string): string {
  return `${key}.json`;
}

function keyOf(name: string): string {
  return name.replace(/\.json$/, '');
}

function canonical(value: unknown): string {
  const sort = (item: unknown): unknown =>
    Array.isArray(item)
      ? item.map(sort)
      : item && typeof item === 'object'
        ? Object.fromEntries(
            Object.keys(item)
              .sort()
              .map((key) => [key, sort((item as Record<string, unknown>)[key])]),
          )
        : item;
  return JSON.stringify(sort(value));
}

/** A 404 from either SDK: Azure's RestError has statusCode, S3's errors $metadata (NoSuchKey). */
function isNotFound(error: unknown): boolean {
  const { statusCode, $metadata, name } = error as {
    statusCode?: number;
    $metadata?: { httpStatusCode?: number };
    name?: string;
  };
  return statusCode === 404 || $metadata?.httpStatusCode === 404 || name === 'NoSuchKey';
}

export class CellStores {
  private readonly s3: S3Client;
  private readonly blobs: ContainerClient;

  /** `urls`: the sandbox's (its `fauxqs:` and `azurite:` lines). */
  constructor(urls: Record<string, string | undefined>) {
    if (!urls.fauxqs || !urls.azurite) {
      throw new Error('the sandbox state names no fauxqs or azurite URL');
    }
    this.s3 = new S3Client({
      endpoint: urls.fauxqs,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    const connection =
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};` +
      `AccountKey=${AZURITE_KEY};BlobEndpoint=${urls.azurite};`;
    this.blobs =
      BlobServiceClient.fromConnectionString(connection).getContainerClient(
        AZURE_DOCUMENTS_CONTAINER,
      );
  }

  /** The document at `key` in one cell's store, parsed, or undefined when absent. */
  async get(cloud: Cloud, key: string): Promise<unknown> {
    try {
      if (cloud === 'aws') {
        const object = await this.s3.send(
          new GetObjectCommand({ Bucket: AWS_DOCUMENTS_BUCKET, Key: objectName(key) }),
        );
        return JSON.parse((await object.Body?.transformToString()) ?? 'null');
      }
      return await this.readAzureDocument(key);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Azurite can answer a read that races an overwrite of the same blob (replication still
   * delivering) with a torn body, which is not JSON; the audit reads again rather than fail the
   * rehearsal on it. Three torn reads in a row are an error naming the key.
   */
  private async readAzureDocument(key: string): Promise<unknown> {
    for (let attempt = 1; ; attempt += 1) {
      const buffer = await this.blobs.getBlobClient(objectName(key)).downloadToBuffer();
      try {
        return JSON.parse(buffer.toString('utf8'));
      } catch (error) {
        if (attempt === 3) {
          throw new Error(`azure ${key}: not JSON after ${attempt} reads`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /** Every key under `prefix` (e.g. `orders/`) in one cell's store. */
  async list(cloud: Cloud, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    if (cloud === 'azure') {
      for await (const blob of this.blobs.listBlobsFlat({ prefix })) keys.push(keyOf(blob.name));
      return keys;
    }
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: AWS_DOCUMENTS_BUCKET,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(keyOf(object.Key));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** Compares both cells' copies of each key. */
  async compare(keys: readonly string[]): Promise<ConvergenceReport> {
    let same = 0;
    const differing: string[] = [];
    const missing: ConvergenceReport['missing'] = [];
    for (const key of keys) {
      const [aws, azure] = await Promise.all([this.get('aws', key), this.get('azure', key)]);
      if (aws === undefined || azure === undefined) {
        missing.push({ key, in: aws === undefined ? 'aws' : 'azure' });
      } else if (canonical(aws) === canonical(azure)) same++;
      else differing.push(key);
    }
    return { same, differing, missing };
  }

  destroy(): void {
    this.s3.destroy();
  }
}
