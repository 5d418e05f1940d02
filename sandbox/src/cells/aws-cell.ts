import { SQSClient } from '@aws-sdk/client-sqs';
import type { FauxqsServer } from 'fauxqs';

import type { AwsCell } from '../../../functions/src/aws/cell.js';
import type { AwsCellConfig } from '../../../functions/src/aws/config.js';
import type { AuthSettings } from '../../../functions/src/core/auth/auth-settings.js';
import { ApiGatewayHost } from '../aws/api-gateway-host.js';
import type { S3ConditionalProxy } from '../../../stand-ins/src/s3-conditional/index.js';
import type { InjectedFault } from '../../../stand-ins/src/http/faults.js';
import { SqsEventSource } from '../aws/sqs-event-source.js';
import { loadFunctionsBuild } from './functions-build.js';
import { slowedBy, warmUp, type CellDeployOptions, type CellRunner } from './cell-runner.js';
import { LeaseTimer, SANDBOX_LEASES } from './lease-timer.js';

type AwsCellModule = typeof import('../../../functions/src/aws/cell.js');

const REGION = 'us-east-1';
export const AWS_ENTRY = 'functions/src/aws/cell.ts';
/** The AWS cell's documents bucket (in fauxqs). */
export const AWS_DOCUMENTS_BUCKET = 'multicloud-aws-documents';

/** The AWS resources the aws-cell Terraform module creates, here in fauxqs. */
export interface AwsCellResources {
  bucket: string;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  /** replica.changed events (ADR 23). */
  replicationQueueUrl: string;
  replicationQueueArn: string;
  topicArn: string;
}

export function createAwsResources(fauxqs: FauxqsServer): AwsCellResources {
  const bucket = AWS_DOCUMENTS_BUCKET;
  fauxqs.createBucket(bucket);
  const dlq = fauxqs.createQueue('multicloud-order-events-dlq', { region: REGION });
  const queue = fauxqs.createQueue('multicloud-order-events', {
    region: REGION,
    attributes: {
      // Short visibility so a failed record is retried within seconds in the sandbox.
      VisibilityTimeout: '5',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: 3 }),
    },
  });
  const replicationDlq = fauxqs.createQueue('multicloud-replication-dlq', { region: REGION });
  const replication = fauxqs.createQueue('multicloud-replication', {
    region: REGION,
    attributes: {
      // A record is retried every 2 s while the peer is down, for up to 1,000 receives (~30
      // minutes here); the aws-cell module sizes this for hours.
      VisibilityTimeout: '2',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: replicationDlq.queueArn,
        maxReceiveCount: 1000,
      }),
    },
  });
  const topic = fauxqs.createTopic('multicloud-notifications', { region: REGION });
  return {
    bucket,
    queueUrl: queue.queueUrl,
    queueArn: queue.queueArn,
    deadLetterQueueUrl: dlq.queueUrl,
    replicationQueueUrl: replication.queueUrl,
    replicationQueueArn: replication.queueArn,
    topicArn: topic.topicArn,
  };
}

/**
 * The AWS cell: the Lambda handlers of the current build behind the local API Gateway, and
 * the order-events handler fed by the SQS event source mapping. A deploy builds the functions
 * afresh, then moves the API's routes and the event source mapping to the new version.
 */
export class AwsCellRunner implements CellRunner {
  readonly cloud = 'aws' as const;
  readonly host = new ApiGatewayHost({ region: REGION });
  private readonly eventSource: SqsEventSource;
  private readonly replicationSource: SqsEventSource;
  private readonly sqs: SQSClient;
  private current: AwsCell | undefined;
  private readonly leaseTimer = new LeaseTimer('aws', () =>
    this.down ? undefined : this.current?.app.leases,
  );
  private retiring = new Set<NodeJS.Timeout>();
  /** While the cloud is down: every S3 request's connection is destroyed, no answer. */
  private storageOutage: InjectedFault | undefined;

  constructor(
    private readonly fauxqsUrl: string,
    /** S3 goes through the conditional-write proxy in front of fauxqs (an outage drops its connections). */
    private readonly s3: S3ConditionalProxy,
    private readonly resources: AwsCellResources,
    /** The issuer whose tokens the cell requires (the sandbox's). */
    private readonly auth: AuthSettings,
    private readonly peerUrl: () => string,
    /** The key both sandbox cells sign their calls with (one per sandbox run). */
    private readonly peerKey: string,
  ) {
    this.sqs = new SQSClient({
      endpoint: fauxqsUrl,
      region: REGION,
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    this.eventSource = new SqsEventSource({
      client: this.sqs,
      queueUrl: resources.queueUrl,
      queueArn: resources.queueArn,
      region: REGION,
      functionName: 'multicloud-order-events',
    });
    this.replicationSource = new SqsEventSource({
      client: this.sqs,
      queueUrl: resources.replicationQueueUrl,
      queueArn: resources.replicationQueueArn,
      region: REGION,
      functionName: 'multicloud-replication',
    });
  }

  get url(): string {
    return this.host.url;
  }

  get version(): string | undefined {
    return this.host.version;
  }

  config(version: string, options: CellDeployOptions): AwsCellConfig {
    return {
      cell: 'aws',
      peerCell: 'azure',
      peerUrl: this.peerUrl(),
      // Everything shares one machine here: a busy laptop or CI runner stalls a forwarded
      // request more than a cloud would, so the peer gets longer than a deployed cell's 3 s.
      peerTimeoutMs: 8000,
      peerKey: this.peerKey,
      leases: SANDBOX_LEASES,
      version,
      region: REGION,
      auth: this.auth,
      // A broken release is modelled as a bad setting: a bucket that does not exist, so the
      // health check (and every request that touches storage) fails, as a real one would.
      documentsBucket: options.breakHealth
        ? 'multicloud-aws-documents-missing'
        : this.resources.bucket,
      orderEventsQueueUrl: this.resources.queueUrl,
      replicationQueueUrl: this.resources.replicationQueueUrl,
      notificationsTopicArn: this.resources.topicArn,
      endpoints: { s3: this.s3.url, sqs: this.fauxqsUrl, sns: this.fauxqsUrl },
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    };
  }

  async deploy(version: string, options: CellDeployOptions = {}): Promise<void> {
    const build = await loadFunctionsBuild<AwsCellModule>(AWS_ENTRY, `aws-${version}`);
    const cell = build.createAwsCell(this.config(version, options), {
      log: (message) => console.error(`aws cell: ${message}`),
    });
    await warmUp(cell);
    if (options.downtimeMs && this.current) {
      // A restart, not a slot swap: the cell answers 503 until the new build is up.
      this.host.undeploy();
      this.setTriggers(undefined, version);
      await new Promise((resolve) => setTimeout(resolve, options.downtimeMs));
    }
    this.host.deploy(version, [
      {
        routeKey: '$default',
        functionName: 'multicloud-http',
        handler: slowedBy(cell.http, options.latencyMs) as never,
      },
    ]);
    if (!this.down) this.setTriggers(cell, version);
    this.eventSource.start();
    this.replicationSource.start();
    const previous = this.current;
    this.current = cell;
    this.leaseTimer.start();
    if (previous) {
      // Requests that started on the old build finish on it; then its SDK sockets close.
      const timer = setTimeout(() => {
        this.retiring.delete(timer);
        previous.destroy();
      }, 10_000);
      this.retiring.add(timer);
    }
  }

  get down(): boolean {
    return this.host.reachability.cut;
  }

  setOutage(down: boolean): void {
    if (down) {
      this.host.reachability.cutOff();
      this.storageOutage ??= this.s3.server.injectFault({
        path: /.*/,
        drop: true,
        times: Infinity,
      });
      // The event source mappings stop invoking: records wait on the queues.
      this.setTriggers(undefined, this.version ?? '$LATEST');
      return;
    }
    this.storageOutage?.remove();
    this.storageOutage = undefined;
    this.host.reachability.restore();
    this.setTriggers(this.current, this.version ?? '$LATEST');
  }

  /** Points both event source mappings at a build's handlers, or stops them. */
  private setTriggers(cell: AwsCell | undefined, version: string): void {
    this.eventSource.setHandler(cell?.orderEvents as never, version);
    this.replicationSource.setHandler(cell?.replication as never, version);
  }

  renewLeases(): Promise<void> {
    return this.leaseTimer.renewNow();
  }

  async stop(): Promise<void> {
    await this.leaseTimer.stop();
    await this.eventSource.stop();
    await this.replicationSource.stop();
    await this.host.close();
    for (const timer of this.retiring) clearTimeout(timer);
    this.current?.destroy();
    this.sqs.destroy();
  }
}
