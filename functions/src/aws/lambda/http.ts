// Lambda entry point of the HTTP API. The environment is validated at cold start: a missing
// setting fails the init phase with its name, before any request is accepted.
import { createAwsCell } from '../cell.js';
import { awsConfigFromEnv } from '../config.js';
import { withPeerKeyFromSecret } from '../peer-key-secret.js';

// The peer key is read from Secrets Manager first (PEER_SHARED_KEY_SECRET_ARN, ADR 17).
const cell = createAwsCell(awsConfigFromEnv(await withPeerKeyFromSecret(process.env)));

export const handler = cell.http;
