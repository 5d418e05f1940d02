import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { startAzuriteBlob, type AzuriteBlob } from '../../stand-ins/src/azurite/index.js';
import {
  startS3ConditionalProxy,
  type S3ConditionalProxy,
} from '../../stand-ins/src/s3-conditional/index.js';
import type { StandInServer } from '../../stand-ins/src/http/server.js';
import { S3DocumentStore } from '../src/aws/s3-document-store.js';
import { BlobDocumentStore } from '../src/azure/blob-document-store.js';
import type { DocumentStore } from '../src/core/ports.js';

/**
 * A conditional write whose answer was lost and that the cloud SDK sent again (its own retry
 * policy, not ours) is reported as done when it was the attempt that committed, and as lost
 * when another writer's document stood there: the two cases a 412 / 409 on the retry cannot
 * tell apart by itself. Real SDKs, loopback emulators, faults at the wire.
 */
interface StoreUnderTest {
  readonly store: DocumentStore;
  /** The server in front of the emulator, and the request path of a document key. */
  readonly wire: StandInServer;
  path(key: string): RegExp;
  /** The error answer the cloud gives when it is briefly unavailable (the SDK retries it). */
  readonly unavailable: { status: number; headers: Record<string, string>; body: string };
}

let fauxqs: FauxqsServer;
let s3Backend: S3ConditionalProxy;
let s3Proxy: S3ConditionalProxy;
let s3: S3Client;
let azurite: AzuriteBlob;
let blobProxy: S3ConditionalProxy;
const stores: Record<'S3' | 'Blob', StoreUnderTest> = {} as Record<'S3' | 'Blob', StoreUnderTest>;

beforeAll(async () => {
  [fauxqs, azurite] = await Promise.all([
    startFauxqs({ port: 0, logger: false }),
    startAzuriteBlob(),
  ]);
  fauxqs.createBucket('documents');
  // S3 behind the conditional proxy is a pass-through where a test holds a key's evaluation.
  s3Backend = await startS3ConditionalProxy({
    upstream: fauxqs.address,
    evaluateConditions: false,
  });
  s3Proxy = await startS3ConditionalProxy({ upstream: s3Backend.url });
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: s3Proxy.url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  stores.S3 = {
    store: new S3DocumentStore(s3, 'documents'),
    wire: s3Proxy.server,
    path: (key) => new RegExp(`^/documents/${key}\\.json$`),
    unavailable: {
      status: 503,
      headers: { 'content-type': 'application/xml' },
      body: '<Error><Code>ServiceUnavailable</Code><Message>injected</Message></Error>',
    },
  };

  const blobEndpoint = /BlobEndpoint=([^;]+)/.exec(azurite.connectionString)?.[1] as string;
  blobProxy = await startS3ConditionalProxy({
    upstream: new URL(blobEndpoint).origin,
    evaluateConditions: false,
  });
  const service = BlobServiceClient.fromConnectionString(
    azurite.connectionString.replace(new URL(blobEndpoint).origin, blobProxy.url),
    { retryOptions: { maxTries: 3, retryDelayInMs: 20 } },
  );
  const container = service.getContainerClient('documents');
  await container.createIfNotExists();
  stores.Blob = {
    store: new BlobDocumentStore(container),
    wire: blobProxy.server,
    path: (key) => new RegExp(`^/devstoreaccount1/documents/${key}\\.json$`),
    unavailable: {
      status: 503,
      headers: { 'content-type': 'application/xml', 'x-ms-error-code': 'ServerBusy' },
      body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>injected</Message></Error>',
    },
  };
});

afterAll(async () => {
  s3?.destroy();
  await Promise.all([s3Proxy?.close(), s3Backend?.close(), blobProxy?.close()]);
  await Promise.all([fauxqs?.stop(), azurite?.stop()]);
});

describe.each(['S3', 'Blob'] as const)(
  '%s document store, when the SDK retries a write',
  (name) => {
    let serial = 0;
    const uniqueKey = (what: string) => `retries/${what}-${Date.now()}-${(serial += 1)}`;

    it('reports a create whose answer was lost as done, with an ETag that replaces it', async () => {
      const { store, wire, path } = stores[name];
      const key = uniqueKey('create');
      const lost = wire.injectFault({ method: 'PUT', path: path(key), dropAnswer: true });
      const outcome = await store.createIfAbsent(key, { owner: 'me' });
      expect(lost.hits).toBe(1);
      expect(outcome.ok).toBe(true);
      const stored = await store.get<{ owner: string }>(key);
      expect(stored?.value).toEqual({ owner: 'me' });
      if (!outcome.ok) return;
      expect(outcome.etag).toBe(stored?.etag);
      expect((await store.replaceIfMatch(key, { owner: 'me', n: 2 }, outcome.etag)).ok).toBe(true);
    });

    it('reports a replace whose answer was lost as done, once', async () => {
      const { store, wire, path } = stores[name];
      const key = uniqueKey('replace');
      const created = await store.createIfAbsent(key, { n: 1 });
      if (!created.ok) throw new Error('setup: create failed');
      const lost = wire.injectFault({ method: 'PUT', path: path(key), dropAnswer: true });
      const outcome = await store.replaceIfMatch(key, { n: 2 }, created.etag);
      expect(lost.hits).toBe(1);
      expect(outcome.ok).toBe(true);
      expect((await store.get<{ n: number }>(key))?.value).toEqual({ n: 2 });
      // The first ETag is spent: a second writer holding it still loses.
      expect(await store.replaceIfMatch(key, { n: 3 }, created.etag)).toEqual({
        ok: false,
        reason: 'stale',
      });
    });

    it("still reports a lost race after a retry: the document that stands is another writer's", async () => {
      const { store, wire, path, unavailable } = stores[name];
      const key = uniqueKey('race');
      expect((await store.createIfAbsent(key, { owner: 'first' })).ok).toBe(true);
      // The second writer's first attempt is refused unwritten (503); its retry meets 412/409.
      const busy = wire.injectFault({ method: 'PUT', path: path(key), ...unavailable });
      expect(await store.createIfAbsent(key, { owner: 'second' })).toEqual({
        ok: false,
        reason: 'exists',
      });
      expect(busy.hits).toBe(1);
      expect((await store.get<{ owner: string }>(key))?.value).toEqual({ owner: 'first' });
    });
  },
);

describe('S3 document store, when a create meets 409 ConditionalRequestConflict', () => {
  /** Holds every conditional write on `key` for `ms` while S3 evaluates it (the key is busy). */
  function holdKey(key: string, ms: number) {
    return s3Backend.server.injectFault({
      method: 'HEAD',
      path: new RegExp(`^/documents/${key}\\.json$`),
      times: Infinity,
      delayMs: ms,
    });
  }

  it('reports exists once the other write has stored the object, however few retries it has left', async () => {
    const key = `conflicts/taken-${Date.now()}`;
    const hold = holdKey(key, 150);
    const conflictsBefore = s3Proxy.stats.conflicts;
    const first = stores.S3.store.createIfAbsent(key, { owner: 'first' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Two retries of 409 would run out long before the first write lets go of the key.
    const second = await new S3DocumentStore(s3, 'documents', 2).createIfAbsent(key, {
      owner: 'second',
    });
    hold.remove();
    expect((await first).ok).toBe(true);
    expect(second).toEqual({ ok: false, reason: 'exists' });
    expect(s3Proxy.stats.conflicts - conflictsBefore).toBeGreaterThanOrEqual(1);
    expect((await stores.S3.store.get<{ owner: string }>(key))?.value).toEqual({ owner: 'first' });
  });

  it('creates the object when the write in flight stored nothing', async () => {
    const key = `conflicts/free-${Date.now()}`;
    const hold = holdKey(key, 150);
    // A replace of an object that does not exist holds the key, then fails (404 NoSuchKey).
    const conflictsBefore = s3Proxy.stats.conflicts;
    const failing = stores.S3.store.replaceIfMatch(key, { owner: 'nobody' }, '"no-such-etag"');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const created = stores.S3.store.createIfAbsent(key, { owner: 'second' });
    expect(await failing).toEqual({ ok: false, reason: 'stale' });
    hold.remove();
    expect((await created).ok).toBe(true);
    expect(s3Proxy.stats.conflicts - conflictsBefore).toBeGreaterThanOrEqual(1);
    expect((await stores.S3.store.get<{ owner: string }>(key))?.value).toEqual({
      owner: 'second',
    });
  });
});
