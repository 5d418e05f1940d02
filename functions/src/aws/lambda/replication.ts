// Lambda entry point of the replication SQS event source mapping (ADR 23; FunctionResponseTypes:
// ReportBatchItemFailures): delivers each replica.changed document to the peer cell. The
// environment, REPLICATION_QUEUE_URL included, is validated at cold start.
import { createAwsCell } from '../cell.js';
import { awsConfigFromEnv, requireReplicationQueue } from '../config.js';
import { withPeerKeyFromSecret } from '../peer-key-secret.js';

requireReplicationQueue(process.env);
// The peer key is read from Secrets Manager first (PEER_SHARED_KEY_SECRET_ARN, ADR 17).
const cell = createAwsCell(awsConfigFromEnv(await withPeerKeyFromSecret(process.env)));

export const handler = cell.replication;
