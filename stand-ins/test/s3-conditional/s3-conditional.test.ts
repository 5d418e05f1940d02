import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { json, startStandInServer } from '../../src/http/server.js';
import {
  startS3ConditionalProxy,
  type S3ConditionalProxy,
} from '../../src/s3-conditional/index.js';

// fauxqs 1.9.2 stores objects but ignores If-None-Match / If-Match on PutObject (checked: its
// putObject action never reads them). These tests show the proxy adds S3's documented answers
// on top of fauxqs and leaves everything else to fauxqs.
describe('S3 conditional-write stand-in in front of fauxqs', () => {
  let fauxqs: FauxqsServer;
  let proxy: S3ConditionalProxy;
  let s3: S3Client;
  let direct: S3Client;

  beforeAll(async () => {
    fauxqs = await startFauxqs({ port: 0, logger: false });
    fauxqs.createBucket('docs');
    proxy = await startS3ConditionalProxy({ upstream: fauxqs.address });
    const common = {
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    };
    s3 = new S3Client({ ...common, endpoint: proxy.url });
    direct = new S3Client({ ...common, endpoint: fauxqs.address });
  });

  afterAll(async () => {
    s3?.destroy();
    direct?.destroy();
    await proxy?.close();
    await fauxqs?.stop();
  });

  const put = (client: S3Client, key: string, body: string, condition: object = {}) =>
    client.send(new PutObjectCommand({ Bucket: 'docs', Key: key, Body: body, ...condition }));

  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      const e = error as { name: string; $metadata: { httpStatusCode: number } };
      return { name: e.name, status: e.$metadata.httpStatusCode };
    }
    throw new Error('expected the request to fail');
  };

  it('shows why it exists: fauxqs alone overwrites despite If-None-Match: *', async () => {
    await put(direct, 'plain', 'one');
    await put(direct, 'plain', 'two', { IfNoneMatch: '*' });
    const read = await direct.send(new GetObjectCommand({ Bucket: 'docs', Key: 'plain' }));
    expect(await read.Body?.transformToString()).toBe('two');
  });

  it('If-None-Match: * creates once, then answers 412 PreconditionFailed', async () => {
    const created = await put(s3, 'create-once', 'first', { IfNoneMatch: '*' });
    expect(created.ETag).toMatch(/^"/);
    expect(await failure(put(s3, 'create-once', 'second', { IfNoneMatch: '*' }))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    });
    const read = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'create-once' }));
    expect(await read.Body?.transformToString()).toBe('first');
    expect(read.ETag).toBe(created.ETag);
  });

  it('If-Match replaces only the current ETag; a stale one is 412, a missing key 404', async () => {
    const first = await put(s3, 'replace', 'v1', { IfNoneMatch: '*' });
    const second = await put(s3, 'replace', 'v2', { IfMatch: first.ETag });
    expect(second.ETag).not.toBe(first.ETag);
    expect(await failure(put(s3, 'replace', 'v3', { IfMatch: first.ETag }))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect(await failure(put(s3, 'never-written', 'v1', { IfMatch: '"abc"' }))).toEqual({
      name: 'NoSuchKey',
      status: 404,
    });
    const read = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'replace' }));
    expect(await read.Body?.transformToString()).toBe('v2');
  });

  it('of 20 concurrent creates of one key exactly one wins', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) =>
        put(s3, 'race', `writer-${index}`, { IfNoneMatch: '*' }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') {
        expect([409, 412]).toContain(
          (result.reason as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode,
        );
      }
    }
  });

  it('with evaluateConditions false is a plain pass-through (HEAD keeps its length) for fault injection', async () => {
    const plain = await startS3ConditionalProxy({
      upstream: fauxqs.address,
      evaluateConditions: false,
    });
    const client = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      forcePathStyle: true,
      endpoint: plain.url,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      maxAttempts: 1,
    });
    try {
      await put(client, 'plain-pass', 'one', { IfNoneMatch: '*' });
      await put(client, 'plain-pass', 'second', { IfNoneMatch: '*' });
      const head = await client.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'plain-pass' }));
      expect(head.ContentLength).toBe(6);
      const fault = plain.server.injectFault({
        path: /./,
        status: 503,
        times: Infinity,
        body: '<Error><Code>SlowDown</Code></Error>',
      });
      expect((await failure(put(client, 'plain-pass', 'x'))).status).toBe(503);
      expect(fault.hits).toBe(1);
      expect(plain.stats).toEqual({ passed: 0, preconditionFailed: 0, conflicts: 0, noSuchKey: 0 });
    } finally {
      client.destroy();
      await plain.close();
    }
  });

  it('answers 409 ConditionalRequestConflict while another conditional write on the key is in flight', async () => {
    // A slow upstream keeps the first write in flight long enough to overlap the second.
    const upstream = await startStandInServer({
      name: 'slow-s3',
      routes: [
        { method: 'HEAD', path: '/docs/*', handler: () => ({ status: 404 }) },
        { method: 'PUT', path: '/docs/*', handler: () => json(200, {}, { etag: '"new"' }) },
      ],
    });
    upstream.injectFault({ method: 'HEAD', path: '/docs/*', delayMs: 400 });
    const slowProxy = await startS3ConditionalProxy({ upstream: upstream.url });
    const client = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      forcePathStyle: true,
      endpoint: slowProxy.url,
      maxAttempts: 1,
    });
    try {
      const first = put(client, 'busy', 'a', { IfNoneMatch: '*' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await failure(put(client, 'busy', 'b', { IfNoneMatch: '*' }))).toEqual({
        name: 'ConditionalRequestConflict',
        status: 409,
      });
      expect((await first).ETag).toBe('"new"');
      expect(slowProxy.stats.conflicts).toBe(1);
    } finally {
      client.destroy();
      await slowProxy.close();
      await upstream.close();
    }
  });
});
