// The peer key (ADR 17) of a deployed AWS cell lives in Secrets Manager, never in Terraform or
// the Lambda environment: Terraform gives the Lambda the secret's ARN
// (PEER_SHARED_KEY_SECRET_ARN) and this reads it once per cold start, before the cell is built.
// The local sandbox and the tests set PEER_SHARED_KEY directly and never reach Secrets Manager.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SettingsError } from '../core/errors.js';
import { awsSettingsSchema } from './config.js';

type Env = Readonly<Record<string, string | undefined>>;

const SECRET_ARN = awsSettingsSchema.PEER_SHARED_KEY_SECRET_ARN.pattern;

/** How the key is fetched: the real client in Lambda, an endpoint and credentials in tests. */
export interface PeerKeySecretOptions {
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** One fetch per ARN and process: every entry point of a bundle shares the cold start's read. */
const fetched = new Map<string, Promise<string>>();

/**
 * The environment with PEER_SHARED_KEY filled in from the secret PEER_SHARED_KEY_SECRET_ARN
 * names; unchanged when only PEER_SHARED_KEY is set (sandbox, tests). Throws SettingsError
 * naming the setting when the ARN is malformed, both are set, or the secret cannot be read;
 * the message never holds the value.
 */
export async function withPeerKeyFromSecret(
  env: Env,
  options: PeerKeySecretOptions = {},
): Promise<Env> {
  const arn = env.PEER_SHARED_KEY_SECRET_ARN;
  if (arn === undefined || arn === '') return env;
  if (env.PEER_SHARED_KEY !== undefined && env.PEER_SHARED_KEY !== '') {
    throw new SettingsError(
      ['PEER_SHARED_KEY', 'PEER_SHARED_KEY_SECRET_ARN'],
      'AWS cell: set PEER_SHARED_KEY_SECRET_ARN (deployed) or PEER_SHARED_KEY (sandbox), not both',
    );
  }
  if (!SECRET_ARN.test(arn)) {
    throw new SettingsError(
      ['PEER_SHARED_KEY_SECRET_ARN'],
      `AWS cell: PEER_SHARED_KEY_SECRET_ARN must be a Secrets Manager secret ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>; got ${JSON.stringify(arn)}`,
    );
  }
  let key = fetched.get(arn);
  if (!key) {
    key = fetchSecretString(arn, env.AWS_REGION, options);
    fetched.set(arn, key);
    // A failed read is not cached: the next cold start (or a retry) asks again.
    key.catch(() => fetched.delete(arn));
  }
  return { ...env, PEER_SHARED_KEY: await key };
}

async function fetchSecretString(
  arn: string,
  region: string | undefined,
  options: PeerKeySecretOptions,
): Promise<string> {
  const client = new SecretsManagerClient({
    ...(region ? { region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 3,
  });
  try {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (typeof answer.SecretString !== 'string' || answer.SecretString === '') {
      throw new SettingsError(
        ['PEER_SHARED_KEY_SECRET_ARN'],
        `AWS cell: the secret ${arn} holds no SecretString; write the key as text (docs/deploying.md)`,
      );
    }
    return answer.SecretString.trim();
  } catch (error) {
    if (error instanceof SettingsError) throw error;
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new SettingsError(
      ['PEER_SHARED_KEY_SECRET_ARN'],
      `AWS cell: cannot read the peer key from PEER_SHARED_KEY_SECRET_ARN ${arn}: ${name}: ${message}` +
        (name === 'ResourceNotFoundException'
          ? ' (create it with aws secretsmanager create-secret, docs/deploying.md)'
          : ''),
    );
  } finally {
    client.destroy();
  }
}
