import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { orderingKeyOf, type CellEvent, type EventQueue } from '../core/ports.js';

/** order.placed events on SQS; a FIFO queue gets the ordering key as MessageGroupId. */
export class SqsEventQueue implements EventQueue {
  private readonly fifo: boolean;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {
    this.fifo = queueUrl.endsWith('.fifo');
  }

  async publish(event: CellEvent, options: { orderingKey?: string } = {}): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(event),
        MessageAttributes: {
          eventType: { DataType: 'String', StringValue: event.type },
          eventId: { DataType: 'String', StringValue: event.id },
        },
        ...(this.fifo
          ? {
              MessageGroupId: options.orderingKey ?? orderingKeyOf(event),
              MessageDeduplicationId: dedupeId(event.id),
            }
          : {}),
      }),
    );
  }

  async check(): Promise<void> {
    await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['QueueArn'] }),
    );
  }
}

/** SQS deduplication ids allow 128 characters of [A-Za-z0-9!-/:-@[-`{-~]. */
function dedupeId(eventId: string): string {
  return eventId.replace(/[^\x21-\x7e]/g, '_').slice(0, 128);
}
