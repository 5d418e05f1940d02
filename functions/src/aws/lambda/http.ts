// Lambda entry point of the HTTP API. The environment is validated at cold start: a missing
// setting fails the init phase with its name, before any request is accepted.
import { createAwsCell } from '../cell.js';
import { awsConfigFromEnv } from '../config.js';

const cell = createAwsCell(awsConfigFromEnv(process.env));

export const handler = cell.http;
