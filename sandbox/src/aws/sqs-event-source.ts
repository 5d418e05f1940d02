import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';

import { lambdaContext, type LambdaHandler } from './lambda-context.js';

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    {
      stringValue?: string;
      binaryValue?: string;
      stringListValues: string[];
      binaryListValues: string[];
      dataType: string;
    }
  >;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEventSourceOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  functionName: string;
  /** Lambda's default batch size for SQS is 10. */
  batchSize?: number;
  /** Long-poll wait; short so that stopping the sandbox is quick. */
  waitTimeSeconds?: number;
}

/** Turns received messages into the records of an SQS event, as Lambda shapes them. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SqsRecord {
  const messageAttributes: SqsRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {}) as [
    string,
    MessageAttributeValue,
  ][]) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((v) =>
        Buffer.from(v).toString('base64'),
      ),
      dataType: value.DataType ?? 'String',
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: { ...(message.Attributes ?? {}) } as Record<string, string>,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes
      ? { md5OfMessageAttributes: message.MD5OfMessageAttributes }
      : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Lambda's SQS event source mapping: long-polls the queue, invokes the handler with a batch,
 * and deletes the messages that succeeded. With ReportBatchItemFailures, the ids in
 * `batchItemFailures` stay on the queue (they come back after the visibility timeout and end
 * in the DLQ after maxReceiveCount); a thrown error leaves the whole batch.
 */
export class SqsEventSource {
  private running = false;
  private loop: Promise<void> | undefined;
  private handler: LambdaHandler | undefined;
  private version = '$LATEST';
  private readonly abort = new AbortController();
  invocations = 0;
  failedRecords = 0;

  constructor(private readonly options: SqsEventSourceOptions) {}

  /** Points the mapping at a new function version (the next batch goes to it). */
  setHandler(handler: LambdaHandler | undefined, version: string): void {
    this.handler = handler;
    this.version = version;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.poll();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async poll(): Promise<void> {
    const { client, queueUrl } = this.options;
    while (this.running) {
      if (!this.handler) {
        await sleep(100);
        continue;
      }
      let messages: Message[];
      try {
        const received = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: this.options.batchSize ?? 10,
            WaitTimeSeconds: this.options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (!this.running) return;
        console.error(`aws cell: SQS receive failed: ${(error as Error).message}`);
        await sleep(500);
        continue;
      }
      if (messages.length === 0) continue;
      await this.invoke(messages);
    }
  }

  private async invoke(messages: Message[]): Promise<void> {
    const { queueArn, region, functionName, client, queueUrl } = this.options;
    const handler = this.handler;
    if (!handler) return;
    const event = { Records: messages.map((m) => toSqsRecord(m, queueArn, region)) };
    this.invocations++;
    let failed = new Set<string>();
    try {
      const result = (await handler(
        event as never,
        lambdaContext(functionName, this.version, region),
      )) as { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      console.error(`aws cell: ${functionName} failed on a batch: ${(error as Error).message}`);
      failed = new Set(event.Records.map((r) => r.messageId));
    }
    this.failedRecords += failed.size;
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (done.length === 0) return;
    try {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    } catch (error) {
      if (this.running) console.error(`aws cell: SQS delete failed: ${(error as Error).message}`);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
