import { testPeerKey, testPeerProbeRefreshMs } from '../support/peer-key.js';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import {
  startS3ConditionalProxy,
  type S3ConditionalProxy,
} from '../../../stand-ins/src/s3-conditional/index.js';
import { createAwsCell } from '../../src/aws/cell.js';
import { drainSqs } from '../../src/aws/local-sqs-trigger.js';
import type { AuthSettings } from '../../src/core/auth/auth-settings.js';
import { describeCellBehaviour } from '../behaviour/cell-behaviour.js';
import type { CellHarness, PeerEndpoint } from '../behaviour/harness.js';
import { apiGatewayEvent } from '../support/api-gateway-events.js';
import { SendMessageCommand } from '@aws-sdk/client-sqs';

/**
 * The behavioural suite on the AWS adapter set, against emulators on loopback:
 * - fauxqs (in-process): SQS (order events, with a RedrivePolicy to a DLQ), SNS (customer
 *   notifications, subscribed by an inbox queue the test reads) and S3 object storage;
 * - fauxqs does not implement S3 conditional writes (If-None-Match / If-Match on PutObject are
 *   ignored), so S3 traffic goes through stand-ins/src/s3-conditional, a proxy in front of
 *   fauxqs that answers them as S3 documents (412 PreconditionFailed, 409
 *   ConditionalRequestConflict, 404 NoSuchKey) and passes everything else through.
 * Requests are API Gateway v2 events (support/lambda-events.ts) given to the Lambda
 * handler; events are Lambda SQS batches, with batchItemFailures honoured.
 */

async function startAwsCellHarness(peer: PeerEndpoint, auth: AuthSettings): Promise<CellHarness> {
  const fauxqs: FauxqsServer = await startFauxqs({ port: 0, logger: false });
  // The S3 backend: a pass-through in front of fauxqs where a test makes the store slow. The
  // conditional proxy's HEAD goes through it while the proxy holds the key, as S3 holds it
  // while it evaluates a conditional write.
  const backend = await startS3ConditionalProxy({
    upstream: fauxqs.address,
    evaluateConditions: false,
  });
  const proxy: S3ConditionalProxy = await startS3ConditionalProxy({ upstream: backend.url });
  // SQS and SNS through plain pass-through proxies too: somewhere to inject their outages.
  const sqsProxy = await startS3ConditionalProxy({
    upstream: fauxqs.address,
    evaluateConditions: false,
  });
  const snsProxy = await startS3ConditionalProxy({
    upstream: fauxqs.address,
    evaluateConditions: false,
  });
  const dlq = fauxqs.createQueue('order-events-dlq');
  const queue = fauxqs.createQueue('order-events', {
    attributes: {
      VisibilityTimeout: '30',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: 3 }),
    },
  });
  const { topicArn } = fauxqs.createTopic('customer-notifications');
  fauxqs.createQueue('notifications-inbox');
  fauxqs.subscribe({ topic: 'customer-notifications', queue: 'notifications-inbox' });
  fauxqs.createBucket('aws-cell-documents');

  const cell = createAwsCell(
    {
      cell: 'aws',
      peerCell: 'azure',
      peerUrl: peer.url,
      peerTimeoutMs: peer.timeoutMs,
      peerKey: testPeerKey,
      version: '1.2.3-test',
      auth,
      region: 'us-east-1',
      documentsBucket: 'aws-cell-documents',
      orderEventsQueueUrl: queue.queueUrl,
      notificationsTopicArn: topicArn,
      endpoints: { s3: proxy.url, sqs: sqsProxy.url, sns: snsProxy.url },
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    },
    { log: () => {}, peerProbe: { refreshMs: testPeerProbeRefreshMs } },
  );

  return {
    cloud: 'aws',
    cell: 'aws',
    peerCell: 'azure',
    async request(method, path, options = {}) {
      const body =
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body);
      const result = await cell.http(
        apiGatewayEvent(method, path, {
          ...(options.headers ? { headers: options.headers } : {}),
          ...(body === undefined ? {} : { body }),
          base64: options.base64 === true,
        }),
      );
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.headers ?? {}))
        headers[name.toLowerCase()] = String(value);
      return {
        status: result.statusCode ?? 200,
        headers,
        body: result.body ? JSON.parse(result.body) : undefined,
      };
    },
    async queueRawEvent(body) {
      await cell.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body }),
      );
    },
    async deliverOrderEvents() {
      await drainSqs({
        sqs: cell.clients.sqs,
        queueUrl: queue.queueUrl,
        queueArn: queue.queueArn,
        region: 'us-east-1',
        handler: cell.orderEvents,
      });
    },
    async deadLetters() {
      return (fauxqs.inspectQueue('order-events-dlq')?.messages.ready ?? []).map(
        (message) => message.body,
      );
    },
    async injectOutage(dependency) {
      const fault =
        dependency === 'documents'
          ? proxy.server.injectFault({
              path: /./,
              times: Infinity,
              status: 503,
              headers: { 'content-type': 'application/xml' },
              body: '<Error><Code>ServiceUnavailable</Code><Message>injected outage</Message></Error>',
            })
          : dependency === 'events'
            ? sqsProxy.server.injectFault({
                path: /./,
                times: Infinity,
                status: 503,
                headers: { 'content-type': 'application/x-amz-json-1.0' },
                body: '{"__type":"ServiceUnavailable","message":"injected outage"}',
              })
            : snsProxy.server.injectFault({
                path: /./,
                times: Infinity,
                status: 503,
                headers: { 'content-type': 'text/xml' },
                body: '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>injected outage</Message></Error></ErrorResponse>',
              });
      return () => fault.remove();
    },
    async loseNextWriteAnswer(keyPrefix) {
      return proxy.server.injectFault({
        method: 'PUT',
        path: new RegExp(`^/aws-cell-documents/${keyPrefix}`),
        dropAnswer: true,
      });
    },
    async slowWrites(keyPrefix, ms) {
      const fault = backend.server.injectFault({
        method: 'HEAD',
        path: new RegExp(`^/aws-cell-documents/${keyPrefix}`),
        times: Infinity,
        delayMs: ms,
      });
      return () => fault.remove();
    },
    async notifications() {
      return (fauxqs.inspectQueue('notifications-inbox')?.messages.ready ?? []).map((message) => {
        const envelope = JSON.parse(message.body) as {
          Message: string;
          MessageAttributes: Record<string, { Value: string }>;
        };
        return {
          customerId: envelope.MessageAttributes.customerId?.Value as string,
          orderId: (JSON.parse(envelope.Message) as { orderId: string }).orderId,
        };
      });
    },
    async close() {
      cell.destroy();
      await snsProxy.close();
      await sqsProxy.close();
      await proxy.close();
      await backend.close();
      await fauxqs.stop();
    },
  };
}

describeCellBehaviour(
  'AWS cell (Lambda handlers, S3/SQS/SNS on fauxqs + S3 conditional-write stand-in)',
  startAwsCellHarness,
);
