// Lambda entry point of the EventBridge schedule that renews the cell's inventory leases with
// its peer (ADR 25). The environment is validated at cold start, INVENTORY_LEASE_MS included.
import { createAwsCell } from '../cell.js';
import { awsConfigFromEnv, requireLeases } from '../config.js';
import { withPeerKeyFromSecret } from '../peer-key-secret.js';

requireLeases(process.env);
// The peer key is read from Secrets Manager first (PEER_SHARED_KEY_SECRET_ARN, ADR 17).
const cell = createAwsCell(awsConfigFromEnv(await withPeerKeyFromSecret(process.env)));

export const handler = cell.leaseRenewal;
