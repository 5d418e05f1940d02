import { peerSettingsOf } from '../core/peer-auth.js';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { createCellApp, type CellApp } from '../core/cell-app.js';
import type { LeaseRenewalStatus } from '../core/lease-renewer.js';
import type { PeerProbeTiming } from '../core/peer-link.js';
import { consumeBatch, type EventHandler } from '../core/order-events.js';
import type { AwsCellConfig } from './config.js';
import { apiGatewayResult, coreRequestFromApiGateway } from './lambda-http.js';
import { S3DocumentStore } from './s3-document-store.js';
import { SnsNotifier } from './sns-notifier.js';
import { SqsEventQueue } from './sqs-event-queue.js';

export type LambdaHttpHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;
export type LambdaSqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface AwsCell {
  readonly config: AwsCellConfig;
  readonly app: CellApp;
  /** The Lambda handler behind the HTTP API (`$default` route, payload format 2.0). */
  readonly http: LambdaHttpHandler;
  /** The Lambda handler of the order-events SQS event source mapping (ReportBatchItemFailures). */
  readonly orderEvents: LambdaSqsHandler;
  /** The Lambda handler of the replication queue's event source mapping (ADR 23). */
  readonly replication: LambdaSqsHandler;
  /** The Lambda handler of the EventBridge schedule that renews the inventory leases (ADR 25). */
  readonly leaseRenewal: () => Promise<LeaseRenewalStatus>;
  readonly clients: { readonly s3: S3Client; readonly sqs: SQSClient; readonly sns: SNSClient };
  /** Closes the SDK clients' sockets (tests, sandbox). */
  destroy(): void;
}

export interface AwsCellOptions {
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  readonly log?: (message: string, detail?: unknown) => void;
  /** Peer probe timing (tests shorten refreshMs); the probe always runs in the request here. */
  readonly peerProbe?: Partial<Omit<PeerProbeTiming, 'inRequest'>>;
}

/** Builds one AWS cell from its config: the sandbox and the Lambda entry points both use this. */
export function createAwsCell(config: AwsCellConfig, options: AwsCellOptions = {}): AwsCell {
  const common = {
    region: config.region,
    ...(config.credentials ? { credentials: config.credentials } : {}),
  };
  const s3 = new S3Client({
    ...common,
    ...(config.endpoints?.s3 ? { endpoint: config.endpoints.s3, forcePathStyle: true } : {}),
    // Whole-body checksums only when S3 requires them: the bodies are small JSON documents.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const sqs = new SQSClient({
    ...common,
    ...(config.endpoints?.sqs ? { endpoint: config.endpoints.sqs } : {}),
  });
  const sns = new SNSClient({
    ...common,
    ...(config.endpoints?.sns ? { endpoint: config.endpoints.sns } : {}),
  });
  const log = options.log ?? ((message, detail) => console.error(message, detail ?? ''));
  const app = createCellApp({
    identity: { cell: config.cell, cloud: 'aws', region: config.region, version: config.version },
    peer: peerSettingsOf(config),
    auth: config.auth,
    ...(config.leases ? { leases: config.leases } : {}),
    ports: {
      documents: new S3DocumentStore(s3, config.documentsBucket),
      events: new SqsEventQueue(sqs, config.orderEventsQueueUrl),
      notifier: new SnsNotifier(sns, config.notificationsTopicArn),
      ...(config.replicationQueueUrl
        ? { replication: new SqsEventQueue(sqs, config.replicationQueueUrl) }
        : {}),
    },
    ...(options.now ? { now: options.now } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // Lambda freezes the process after the response: a probe left running would stop
    // mid-flight and time out on the next invocation, so it runs inside the request (ADR 26).
    peerProbe: { ...options.peerProbe, inRequest: true },
    logError: log,
  });

  const http: LambdaHttpHandler = async (event) =>
    apiGatewayResult(await app.handleHttp(coreRequestFromApiGateway(event)));

  // Failed records go back to the queue (batchItemFailures); the queue's redrive policy moves
  // a record that keeps failing to the dead-letter queue after maxReceiveCount receives.
  const sqsHandler =
    (consumer: EventHandler | undefined, what: string): LambdaSqsHandler =>
    async (event) => {
      if (!consumer) throw new Error(`${what}: this cell has no REPLICATION_QUEUE_URL`);
      // A FIFO queue's order holds only if nothing after a failed record is processed.
      const fifo = event.Records.some((record) => record.eventSourceARN.endsWith('.fifo'));
      const failures = await consumeBatch(
        consumer,
        event.Records.map((record) => ({ itemId: record.messageId, body: record.body })),
        { ordered: fifo },
      );
      for (const failure of failures) {
        log(
          `${what} ${failure.itemId} failed${failure.poison ? ' (poison)' : ''}: ${failure.error.message}`,
        );
      }
      return {
        batchItemFailures: failures.map((failure) => ({ itemIdentifier: failure.itemId })),
      };
    };
  const orderEvents = sqsHandler(app.orderEvents, 'order event');
  // The replication queue's redrive allows many receives: a record waits out a peer outage.
  const replication = sqsHandler(app.replication, 'replica.changed event');

  return {
    config,
    app,
    http,
    orderEvents,
    replication,
    leaseRenewal: async () => {
      if (!app.leases) throw new Error('lease renewal: this cell has no INVENTORY_LEASE_MS');
      const status = await app.leases.renew();
      // Logged, not thrown: the next scheduled run is the retry; the lease runs out on its own.
      if (status.status !== 'renewed') log(`inventory lease renewal: ${status.error}`);
      return status;
    },
    clients: { s3, sqs, sns },
    destroy() {
      s3.destroy();
      sqs.destroy();
      sns.destroy();
    },
  };
}
