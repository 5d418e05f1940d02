// Lambda entry point of the order-events SQS event source mapping (FunctionResponseTypes:
// ReportBatchItemFailures). The environment is validated at cold start.
import { createAwsCell } from '../cell.js';
import { awsConfigFromEnv } from '../config.js';

const cell = createAwsCell(awsConfigFromEnv(process.env));

export const handler = cell.orderEvents;
