import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { LambdaSqsHandler } from './cell.js';

/**
 * What the Lambda SQS event source mapping does, for local hosts (tests, the sandbox):
 * receive a batch, hand it to the handler as a Lambda SQS event, delete the records that
 * succeeded, and make the failed ones visible again so they are received again. After the
 * queue's maxReceiveCount the queue itself (its RedrivePolicy) moves them to the DLQ, as in AWS.
 */
export interface SqsPollOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly handler: LambdaSqsHandler;
  readonly batchSize?: number;
  readonly waitTimeSeconds?: number;
}

export interface SqsPollResult {
  readonly received: number;
  readonly failed: number;
}

export async function pollSqsOnce(options: SqsPollOptions): Promise<SqsPollResult> {
  const { sqs, queueUrl } = options;
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.batchSize ?? 10,
      WaitTimeSeconds: options.waitTimeSeconds ?? 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const messages = received.Messages ?? [];
  if (messages.length === 0) return { received: 0, failed: 0 };
  const event: SQSEvent = {
    Records: messages.map((message) => sqsRecord(message, options.queueArn, options.region)),
  };
  let failedIds: Set<string>;
  try {
    const response = await options.handler(event);
    failedIds = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  } catch {
    // A handler that throws fails the whole batch, as in Lambda.
    failedIds = new Set(messages.map((message) => message.MessageId as string));
  }
  const succeeded = messages.filter((message) => !failedIds.has(message.MessageId as string));
  const failed = messages.filter((message) => failedIds.has(message.MessageId as string));
  if (succeeded.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: succeeded.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle as string,
        })),
      }),
    );
  }
  if (failed.length > 0) {
    // Lambda waits out the visibility timeout; locally the retry is immediate.
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: failed.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle as string,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return { received: messages.length, failed: failed.length };
}

/** Polls until the queue gives nothing for one receive. */
export async function drainSqs(options: SqsPollOptions, maxRounds = 100): Promise<SqsPollResult> {
  let receivedTotal = 0;
  let failedTotal = 0;
  for (let round = 0; round < maxRounds; round += 1) {
    const result = await pollSqsOnce(options);
    if (result.received === 0) break;
    receivedTotal += result.received;
    failedTotal += result.failed;
  }
  return { received: receivedTotal, failed: failedTotal };
}

/** A received SQS message in the shape Lambda delivers it (camel-cased attribute keys). */
export function sqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      stringListValues: [],
      binaryListValues: [],
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
    };
  }
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId as string,
    receiptHandle: message.ReceiptHandle as string,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp:
        attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
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
