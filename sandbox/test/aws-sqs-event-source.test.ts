import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FauxqsServer } from 'fauxqs';

import { SqsEventSource, type SqsRecord } from '../src/aws/sqs-event-source.js';
import { startFauxqsServer } from '../src/emulators/fauxqs.js';

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('SQS event source mapping against fauxqs', () => {
  let fauxqs: FauxqsServer;
  let client: SQSClient;
  let source: SqsEventSource;
  let queueUrl: string;

  beforeAll(async () => {
    fauxqs = await startFauxqsServer(0, '--fauxqs-port');
    const dlq = fauxqs.createQueue('orders-dlq');
    const queue = fauxqs.createQueue('orders', {
      attributes: {
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: 2 }),
      },
    });
    queueUrl = queue.queueUrl;
    client = new SQSClient({
      endpoint: `http://127.0.0.1:${fauxqs.port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    source = new SqsEventSource({
      client,
      queueUrl,
      queueArn: queue.queueArn,
      region: 'us-east-1',
      functionName: 'order-events',
      waitTimeSeconds: 1,
    });
  });

  afterAll(async () => {
    await source.stop();
    client.destroy();
    await fauxqs.stop();
  });

  it('delivers batches shaped like Lambda SQS events, deletes successes and leaves batchItemFailures for the DLQ', async () => {
    const received: SqsRecord[] = [];
    source.setHandler(
      (async (event: { Records: SqsRecord[] }) => {
        received.push(...event.Records);
        return {
          batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      }) as never,
      '1',
    );
    for (const body of ['one', 'poison', 'two']) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
        }),
      );
    }
    source.start();
    await until(() => (fauxqs.inspectQueue('orders-dlq')?.messages.ready.length ?? 0) === 1);
    const good = received.filter((r) => r.body !== 'poison');
    expect(new Set(good.map((r) => r.body))).toEqual(new Set(['one', 'two']));
    expect(good).toHaveLength(2);
    // The poison message came twice (maxReceiveCount 2), then moved to the DLQ.
    expect(received.filter((r) => r.body === 'poison')).toHaveLength(2);
    const record = received[0];
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      awsRegion: 'us-east-1',
      messageAttributes: { kind: { stringValue: 'test', dataType: 'String' } },
    });
    expect(record?.eventSourceARN).toMatch(/^arn:aws:sqs:/);
    expect(record?.attributes.ApproximateReceiveCount).toBeDefined();
    const queue = fauxqs.inspectQueue('orders');
    expect(
      queue &&
        queue.messages.ready.length +
          queue.messages.inflight.length +
          queue.messages.delayed.length,
    ).toBe(0);
    expect(fauxqs.inspectQueue('orders-dlq')?.messages.ready[0]?.body).toBe('poison');
  });
});
