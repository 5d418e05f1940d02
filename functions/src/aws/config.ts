import { authSettingsFrom, type AuthSettings } from '../core/auth/auth-settings.js';
import { leasesOf, type LeaseSettings } from '../core/inventory-lease.js';
import { commonSettings, readSettings } from '../core/settings.js';

/** Everything an AWS cell needs; the sandbox fills it directly, Lambda from its environment. */
export interface AwsCellConfig {
  readonly cell: string;
  readonly peerCell: string;
  readonly peerUrl: string;
  readonly peerTimeoutMs: number;
  /** PEER_SHARED_KEY: base64, at least 32 bytes, the same on both cells (ADR 17). */
  readonly peerKey: string;
  /** PEER_REPLAY_WINDOW_MS; 60 s when unset. */
  readonly peerReplayWindowMs?: number;
  readonly version: string;
  readonly region: string;
  /** The OIDC issuer and audience of the bearer tokens (AUTH_* settings). */
  readonly auth: AuthSettings;
  /** INVENTORY_LEASE_* (ADR 25); unset, each cell sells only its own allocation. */
  readonly leases?: LeaseSettings;
  readonly documentsBucket: string;
  readonly orderEventsQueueUrl: string;
  /** REPLICATION_QUEUE_URL: replica.changed events (ADR 23); unset, the cell does not replicate. */
  readonly replicationQueueUrl?: string;
  readonly notificationsTopicArn: string;
  /** Emulator endpoints (fauxqs, the S3 conditional-write stand-in); unset in AWS. */
  readonly endpoints?: { readonly s3?: string; readonly sqs?: string; readonly sns?: string };
  /** Static credentials for emulators; unset in AWS (the Lambda role is used). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const optionalUrl = {
  required: false,
  pattern: /^https?:\/\/\S+$/,
  describe: 'an http(s) URL',
} as const;

export const awsSettingsSchema = {
  ...commonSettings,
  AWS_REGION: {
    pattern: /^[a-z]{2}(-[a-z]+)+-\d$/,
    describe: 'the AWS region, e.g. eu-west-1 (Lambda sets it)',
  },
  DOCUMENTS_BUCKET: {
    pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    describe: 'the S3 bucket holding carts, orders and inventory',
  },
  ORDER_EVENTS_QUEUE_URL: {
    pattern: /^https?:\/\/\S+\/\d+\/[\w-]+(\.fifo)?$/,
    describe:
      'the SQS queue URL for order.placed events, https://sqs.<region>.amazonaws.com/<account>/<name>',
  },
  REPLICATION_QUEUE_URL: {
    required: false,
    pattern: /^https?:\/\/\S+\/\d+\/[\w-]+(\.fifo)?$/,
    describe:
      'the SQS queue URL for replica.changed events (ADR 23), https://sqs.<region>.amazonaws.com/<account>/<name>',
  },
  NOTIFICATIONS_TOPIC_ARN: {
    pattern: /^arn:aws[\w-]*:sns:[\w-]+:\d+:[\w-]+(\.fifo)?$/,
    describe: 'the SNS topic ARN for customer notifications, arn:aws:sns:<region>:<account>:<name>',
  },
  PEER_SHARED_KEY_SECRET_ARN: {
    required: false,
    pattern: /^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/,
    describe:
      'the Secrets Manager secret ARN PEER_SHARED_KEY is read from at cold start (peer-key-secret.ts, ADR 17)',
  },
  AWS_ENDPOINT_URL_S3: optionalUrl,
  AWS_ENDPOINT_URL_SQS: optionalUrl,
  AWS_ENDPOINT_URL_SNS: optionalUrl,
} as const;

/** Reads and validates the Lambda environment; throws SettingsError naming every bad setting. */
export function awsConfigFromEnv(env: Readonly<Record<string, string | undefined>>): AwsCellConfig {
  const settings = readSettings(awsSettingsSchema, env, 'AWS cell');
  const endpoints = {
    ...(settings.AWS_ENDPOINT_URL_S3 ? { s3: settings.AWS_ENDPOINT_URL_S3 } : {}),
    ...(settings.AWS_ENDPOINT_URL_SQS ? { sqs: settings.AWS_ENDPOINT_URL_SQS } : {}),
    ...(settings.AWS_ENDPOINT_URL_SNS ? { sns: settings.AWS_ENDPOINT_URL_SNS } : {}),
  };
  return {
    cell: settings.CELL_NAME,
    peerCell: settings.PEER_CELL_NAME,
    peerUrl: settings.PEER_URL,
    peerTimeoutMs: Number(settings.PEER_TIMEOUT_MS),
    peerKey: settings.PEER_SHARED_KEY,
    peerReplayWindowMs: Number(settings.PEER_REPLAY_WINDOW_MS),
    version: settings.APP_VERSION,
    auth: authSettingsFrom(settings),
    ...leasesOf(settings, 'AWS cell'),
    region: settings.AWS_REGION,
    documentsBucket: settings.DOCUMENTS_BUCKET,
    orderEventsQueueUrl: settings.ORDER_EVENTS_QUEUE_URL,
    ...(settings.REPLICATION_QUEUE_URL
      ? { replicationQueueUrl: settings.REPLICATION_QUEUE_URL }
      : {}),
    notificationsTopicArn: settings.NOTIFICATIONS_TOPIC_ARN,
    ...(Object.keys(endpoints).length > 0 ? { endpoints } : {}),
  };
}

/**
 * The replication function's own requirement: its trigger is the replication queue, so
 * REPLICATION_QUEUE_URL, optional for the cell's other functions, must be set there. Checked at
 * cold start before anything is read, rather than failing every batch after deployment.
 */
export function requireReplicationQueue(env: Readonly<Record<string, string | undefined>>): void {
  const { REPLICATION_QUEUE_URL: spec } = awsSettingsSchema;
  readSettings(
    { REPLICATION_QUEUE_URL: { ...spec, required: true } },
    env,
    'AWS replication function',
  );
}

/** The lease-renewal function's own requirement: it exists only to renew, so leases must be on. */
export function requireLeases(env: Readonly<Record<string, string | undefined>>): void {
  const { INVENTORY_LEASE_MS: spec } = awsSettingsSchema;
  readSettings(
    { INVENTORY_LEASE_MS: { ...spec, required: true } },
    env,
    'AWS lease renewal function',
  );
}
