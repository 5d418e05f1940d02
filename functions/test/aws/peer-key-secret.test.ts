// The AWS adapter reads the peer key (ADR 17) from Secrets Manager at cold start: the real SDK
// against the Secrets Manager stand-in on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  startSecretsManagerStandIn,
  type SecretsManagerStandIn,
} from '../../../stand-ins/src/secrets-manager/index.js';
import { awsConfigFromEnv } from '../../src/aws/config.js';
import { withPeerKeyFromSecret } from '../../src/aws/peer-key-secret.js';
import { SettingsError } from '../../src/core/errors.js';
import { awsSettingsEnv } from '../support/cell-env.js';
import { testPeerKey } from '../support/peer-key.js';
import { rejectionOf } from '../support/refusal.js';

const settingsError = (promise: Promise<unknown>) => rejectionOf(promise, SettingsError);

describe('AWS peer key from Secrets Manager (PEER_SHARED_KEY_SECRET_ARN)', () => {
  let secrets: SecretsManagerStandIn;
  const credentials = { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' };
  let options: { endpoint: string; credentials: typeof credentials };

  beforeAll(async () => {
    secrets = await startSecretsManagerStandIn({
      region: 'eu-west-1',
      secrets: [
        { name: 'multicloud/peer-shared-key', secretString: `${testPeerKey}\n` },
        { name: 'multicloud/not-yet-written' },
        { name: 'multicloud/other', secretString: testPeerKey },
        { name: 'multicloud/flaky', secretString: testPeerKey },
      ],
    });
    options = { endpoint: secrets.url, credentials };
  });
  afterAll(() => secrets.close());

  it('fills PEER_SHARED_KEY from the secret once per process, and the cell config reads it', async () => {
    const arn = secrets.arnOf('multicloud/peer-shared-key');
    const env = { ...awsSettingsEnv, PEER_SHARED_KEY_SECRET_ARN: arn };
    const before = secrets.reads.length;
    const [first, second] = await Promise.all([
      withPeerKeyFromSecret(env, options),
      withPeerKeyFromSecret(env, options),
    ]);
    const third = await withPeerKeyFromSecret(env, options);
    expect(secrets.reads.slice(before)).toEqual([arn]);
    for (const filled of [first, second, third]) expect(filled.PEER_SHARED_KEY).toBe(testPeerKey);
    expect(awsConfigFromEnv(first).peerKey).toBe(testPeerKey);
    // The deployed environment never carried the key.
    expect(JSON.stringify(env)).not.toContain(testPeerKey);
  });

  it('leaves the sandbox and test environment (PEER_SHARED_KEY set, no ARN) as it is, with no request', async () => {
    const env = { ...awsSettingsEnv, PEER_SHARED_KEY: testPeerKey };
    const before = secrets.requests.length;
    expect(await withPeerKeyFromSecret(env, options)).toBe(env);
    expect(secrets.requests.length).toBe(before);
  });

  it('names PEER_SHARED_KEY_SECRET_ARN when the secret is missing or has no value, never the key', async () => {
    const missing = secrets
      .arnOf('multicloud/peer-shared-key')
      .replace('peer-shared-key', 'peer-shared-kex');
    const notFound = await settingsError(
      withPeerKeyFromSecret({ ...awsSettingsEnv, PEER_SHARED_KEY_SECRET_ARN: missing }, options),
    );
    expect(notFound.settings).toEqual(['PEER_SHARED_KEY_SECRET_ARN']);
    expect(notFound.message).toContain('ResourceNotFoundException');
    expect(notFound.message).toContain('aws secretsmanager create-secret');
    const empty = await settingsError(
      withPeerKeyFromSecret(
        {
          ...awsSettingsEnv,
          PEER_SHARED_KEY_SECRET_ARN: secrets.arnOf('multicloud/not-yet-written'),
        },
        options,
      ),
    );
    expect(empty.message).toContain('staging label: AWSCURRENT');
    secrets.injectError('AccessDeniedException');
    const denied = await settingsError(
      withPeerKeyFromSecret(
        { ...awsSettingsEnv, PEER_SHARED_KEY_SECRET_ARN: secrets.arnOf('multicloud/other') },
        options,
      ),
    );
    expect(denied.message).toContain('AccessDeniedException');
    for (const error of [notFound, empty, denied]) expect(error.message).not.toContain(testPeerKey);
  });

  it('does not cache a failed read: the next cold start asks again', async () => {
    const arn = secrets.arnOf('multicloud/flaky');
    const env = { ...awsSettingsEnv, PEER_SHARED_KEY_SECRET_ARN: arn };
    secrets.injectError('InternalServiceError', { times: 3 });
    await settingsError(withPeerKeyFromSecret(env, options));
    expect((await withPeerKeyFromSecret(env, options)).PEER_SHARED_KEY).toBe(testPeerKey);
  });

  it('refuses a malformed ARN, or both settings, before any request', async () => {
    const before = secrets.requests.length;
    const malformed = await settingsError(
      withPeerKeyFromSecret(
        { ...awsSettingsEnv, PEER_SHARED_KEY_SECRET_ARN: 'multicloud/peer-shared-key' },
        options,
      ),
    );
    expect(malformed.message).toContain(
      'PEER_SHARED_KEY_SECRET_ARN must be a Secrets Manager secret ARN',
    );
    const both = await settingsError(
      withPeerKeyFromSecret(
        {
          ...awsSettingsEnv,
          PEER_SHARED_KEY: testPeerKey,
          PEER_SHARED_KEY_SECRET_ARN: secrets.arnOf('multicloud/other'),
        },
        options,
      ),
    );
    expect(both.settings).toEqual(['PEER_SHARED_KEY', 'PEER_SHARED_KEY_SECRET_ARN']);
    expect(both.message).not.toContain(testPeerKey);
    expect(secrets.requests.length).toBe(before);
  });
});
