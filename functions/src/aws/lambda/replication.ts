// Lambda entry point of the replication SQS event source mapping (ADR 23; FunctionResponseTypes:
// ReportBatchItemFailures): delivers each replica.changed document to the peer cell. The
// environment, REPLICATION_QUEUE_URL included, is validated at cold start.
import { createAwsCell } from '../cell.js';
import { awsConfigFromEnv } from '../config.js';

const cell = createAwsCell(awsConfigFromEnv(process.env));

export const handler = cell.replication;
