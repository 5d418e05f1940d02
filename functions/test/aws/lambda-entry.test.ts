import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { testAuthEnv } from '../support/auth.js';
import { awsSettingsEnv } from '../support/cell-env.js';
import { testPeerEnv } from '../support/peer-key.js';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { awsConfigFromEnv } from '../../src/aws/config.js';
import { coreRequestFromApiGateway } from '../../src/aws/lambda-http.js';
import { SettingsError } from '../../src/core/errors.js';
import { apiGatewayEvent } from '../support/api-gateway-events.js';
import { httpApiEventWithJwt, sqsEvent } from '../support/lambda-events.js';

const validEnv = { ...awsSettingsEnv, ...testPeerEnv };

describe('AWS settings', () => {
  it('reads a complete environment', () => {
    expect(awsConfigFromEnv(validEnv)).toEqual({
      cell: 'aws',
      peerCell: 'azure',
      peerUrl: 'https://azure.shop.example.com',
      peerTimeoutMs: 3000,
      peerKey: testPeerEnv.PEER_SHARED_KEY,
      peerReplayWindowMs: 60000,
      version: '1.0.0',
      region: 'eu-west-1',
      documentsBucket: 'shop-aws-documents',
      orderEventsQueueUrl: validEnv.ORDER_EVENTS_QUEUE_URL,
      notificationsTopicArn: validEnv.NOTIFICATIONS_TOPIC_ARN,
      auth: {
        issuer: testAuthEnv.AUTH_ISSUER,
        audience: testAuthEnv.AUTH_AUDIENCE,
        jwksUrl: testAuthEnv.AUTH_JWKS_URL,
        adminScope: 'inventory:admin',
        algorithms: ['RS256'],
        clockSkewSeconds: 60,
      },
    });
  });

  it('refuses an issuer over plain http off loopback and symmetric or unsigned algorithms', () => {
    const cases: [Record<string, string>, string][] = [
      [{ AUTH_ISSUER: 'http://login.shop.test/' }, 'AUTH_ISSUER'],
      [{ AUTH_JWKS_URL: 'http://10.0.0.1/jwks.json' }, 'AUTH_JWKS_URL'],
      [{ AUTH_ALGORITHMS: 'HS256' }, 'AUTH_ALGORITHMS'],
      [{ AUTH_ALGORITHMS: 'RS256,none' }, 'AUTH_ALGORITHMS'],
      [{ AUTH_CLOCK_SKEW_SECONDS: '3600' }, 'AUTH_CLOCK_SKEW_SECONDS'],
      [{ AUTH_AUDIENCE: '' }, 'AUTH_AUDIENCE'],
    ];
    for (const [override, setting] of cases) {
      let error: unknown;
      try {
        awsConfigFromEnv({ ...validEnv, ...override });
      } catch (caught) {
        error = caught;
      }
      expect({ setting, names: (error as SettingsError).settings }).toEqual({
        setting,
        names: [setting],
      });
    }
    const local = awsConfigFromEnv({
      ...validEnv,
      AUTH_ISSUER: 'http://127.0.0.1:4000',
      AUTH_JWKS_URL: 'http://127.0.0.1:4000/.well-known/jwks.json',
      AUTH_ALGORITHMS: 'RS256,ES256',
    });
    expect(local.auth).toMatchObject({
      issuer: 'http://127.0.0.1:4000',
      algorithms: ['RS256', 'ES256'],
    });
  });

  it('names every missing or malformed setting in one error', () => {
    const { DOCUMENTS_BUCKET: _bucket, APP_VERSION: _version, ...partial } = validEnv;
    let error: unknown;
    try {
      awsConfigFromEnv({ ...partial, PEER_URL: 'ftp://nope' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).settings).toEqual([
      'PEER_URL',
      'APP_VERSION',
      'DOCUMENTS_BUCKET',
    ]);
    expect((error as Error).message).toContain('DOCUMENTS_BUCKET is not set');
    expect((error as Error).message).toContain('PEER_URL is malformed');
  });
});

describe('Lambda entry points and event shapes', () => {
  let fauxqs: FauxqsServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    fauxqs = await startFauxqs({ port: 0, logger: false });
  });

  afterAll(async () => {
    process.env = saved;
    await fauxqs?.stop();
  });

  it('fails at cold start naming the missing setting', async () => {
    Object.assign(process.env, { ...validEnv, DOCUMENTS_BUCKET: '' });
    await expect(import('../../src/aws/lambda/http.js')).rejects.toThrow(
      /DOCUMENTS_BUCKET is not set/,
    );
  });

  it('the replication entry fails at cold start without REPLICATION_QUEUE_URL, its trigger', async () => {
    Object.assign(process.env, validEnv);
    delete process.env.REPLICATION_QUEUE_URL;
    await expect(import('../../src/aws/lambda/replication.js')).rejects.toThrow(
      /AWS replication function cannot start: REPLICATION_QUEUE_URL is not set \(the SQS queue URL for replica\.changed events/,
    );
  });

  it('the lease-renewal entry fails at cold start without INVENTORY_LEASE_MS (ADR 25)', async () => {
    Object.assign(process.env, validEnv);
    delete process.env.INVENTORY_LEASE_MS;
    await expect(import('../../src/aws/lambda/lease-renewal.js')).rejects.toThrow(
      /AWS lease renewal function cannot start: INVENTORY_LEASE_MS is not set \(how long an inventory lease lasts/,
    );
  });

  it('the order-events entry confirms the order of a good record and reports only the poison one in batchItemFailures', async () => {
    const queue = fauxqs.createQueue('order-events');
    const topic = fauxqs.createTopic('customer-notifications');
    fauxqs.createBucket('shop-aws-documents');
    Object.assign(process.env, {
      ...validEnv,
      AWS_REGION: 'us-east-1',
      ORDER_EVENTS_QUEUE_URL: queue.queueUrl,
      NOTIFICATIONS_TOPIC_ARN: topic.topicArn,
      AWS_ENDPOINT_URL_S3: fauxqs.address,
      AWS_ENDPOINT_URL_SQS: fauxqs.address,
      AWS_ENDPOINT_URL_SNS: fauxqs.address,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    const entry = await import('../../src/aws/lambda/order-events.js');
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: fauxqs.address,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const order = {
      id: 'aws-order-1',
      cell: 'aws',
      customerId: 'customer-17',
      items: [{ sku: 'MUG', quantity: 1, priceCents: 1200 }],
      totalCents: 1200,
      status: 'placed',
      fingerprint: 'f'.repeat(64),
      source: { kind: 'api' },
      eventPublished: true,
      processedEventIds: [],
      createdAt: '2026-04-21T15:08:21.000Z',
      updatedAt: '2026-04-21T15:08:21.000Z',
    };
    await s3.send(
      new PutObjectCommand({
        Bucket: 'shop-aws-documents',
        Key: 'orders/aws-order-1.json',
        Body: JSON.stringify(order),
        ContentType: 'application/json',
      }),
    );
    // The second record is not an order.placed event: it must be reported as a failed item
    // (SQS then redrives it to the DLQ), not throw the whole batch or hide the first.
    const event = sqsEvent([
      JSON.stringify({
        id: 'order.placed:aws-order-1',
        type: 'order.placed',
        occurredAt: order.createdAt,
        orderId: order.id,
        customerId: order.customerId,
        cell: 'aws',
      }),
      'Message Body',
    ]);
    const originalError = console.error;
    console.error = () => {};
    try {
      expect(await entry.handler(event)).toEqual({
        batchItemFailures: [{ itemIdentifier: 'message-2' }],
      });
      const stored = await s3.send(
        new GetObjectCommand({ Bucket: 'shop-aws-documents', Key: 'orders/aws-order-1.json' }),
      );
      expect(JSON.parse((await stored.Body?.transformToString()) ?? '')).toMatchObject({
        status: 'confirmed',
        processedEventIds: ['order.placed:aws-order-1'],
      });
    } finally {
      console.error = originalError;
    }
  });

  it('maps API Gateway v2 events: stage prefix, query, lower-cased headers, base64 body', () => {
    const event = apiGatewayEvent('PUT', '/carts/aws-1/items/MUG?x=1&y=2', {
      headers: { 'If-Match': '"e1"' },
      body: '{"quantity":2}',
      base64: true,
      stage: 'prod',
    });
    expect(event.rawPath).toBe('/prod/carts/aws-1/items/MUG');
    expect(event.body).toBe(Buffer.from('{"quantity":2}').toString('base64'));
    const request = coreRequestFromApiGateway(event);
    expect(request).toMatchObject({
      method: 'PUT',
      path: '/carts/aws-1/items/MUG',
      body: '{"quantity":2}',
      headers: { 'if-match': '"e1"', 'x-forwarded-proto': 'https' },
    });
    expect(request.query.get('y')).toBe('2');

    // Every optional part of the format: stage, JWT authorizer, cookies, repeated query keys.
    const jwt = httpApiEventWithJwt();
    const full = coreRequestFromApiGateway(jwt);
    expect(full).toMatchObject({
      method: 'POST',
      path: '/carts/aws-42/checkout',
      body: '{"paymentReference":"pay-7781"}',
      headers: { 'x-shop-client': 'web,beta', 'content-type': 'application/json' },
    });
    expect(full.query.getAll('expand')).toEqual(['items', 'totals']);
    expect(full.query.get('currency')).toBe('EUR');
  });
});
