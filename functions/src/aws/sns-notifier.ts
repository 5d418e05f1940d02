import { GetTopicAttributesCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { CustomerNotification, Notifier } from '../core/ports.js';

/**
 * Customer notifications on an SNS topic; subscribers (mobile push, email, SMS) filter on the
 * `customerId` attribute. FIFO topics deduplicate by the event id.
 */
export class SnsNotifier implements Notifier {
  private readonly fifo: boolean;

  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {
    this.fifo = topicArn.endsWith('.fifo');
  }

  async notify(notification: CustomerNotification): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: notification.title,
        Message: JSON.stringify({
          title: notification.title,
          body: notification.body,
          orderId: notification.orderId,
          dedupeId: notification.dedupeId,
        }),
        MessageAttributes: {
          customerId: { DataType: 'String', StringValue: notification.customerId },
          dedupeId: { DataType: 'String', StringValue: notification.dedupeId },
        },
        ...(this.fifo
          ? {
              MessageGroupId: notification.customerId,
              MessageDeduplicationId: notification.dedupeId.slice(0, 128),
            }
          : {}),
      }),
    );
  }

  async check(): Promise<void> {
    await this.client.send(new GetTopicAttributesCommand({ TopicArn: this.topicArn }));
  }
}
