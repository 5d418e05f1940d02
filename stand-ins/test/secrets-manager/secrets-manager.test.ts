import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import {
  startSecretsManagerStandIn,
  type SecretsManagerStandIn,
} from '../../src/secrets-manager/index.js';

const credentials = { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' };

function client(url: string, maxAttempts = 1): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint: url, region: 'eu-west-1', credentials, maxAttempts });
}

async function failure(promise: Promise<unknown>): Promise<SecretsManagerServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as SecretsManagerServiceException;
  }
  throw new Error('expected the request to fail');
}

describe('Secrets Manager stand-in, driven by @aws-sdk/client-secrets-manager', () => {
  let secrets: SecretsManagerStandIn;
  let sdk: SecretsManagerClient;

  beforeAll(async () => {
    secrets = await startSecretsManagerStandIn({
      region: 'eu-west-1',
      secrets: [{ name: 'multicloud/peer-shared-key', secretString: 'the-key' }, { name: 'empty' }],
    });
    sdk = client(secrets.url);
  });
  afterAll(async () => {
    sdk.destroy();
    await secrets.close();
  });

  it('answers GetSecretValue by ARN and by name, over JSON 1.1 on loopback', async () => {
    const arn = secrets.arnOf('multicloud/peer-shared-key');
    expect(arn).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:multicloud\/peer-shared-key-[A-Za-z0-9]{6}$/,
    );
    const byArn = await sdk.send(new GetSecretValueCommand({ SecretId: arn }));
    expect(byArn).toMatchObject({
      ARN: arn,
      Name: 'multicloud/peer-shared-key',
      SecretString: 'the-key',
      VersionStages: ['AWSCURRENT'],
    });
    expect(byArn.CreatedDate).toBeInstanceOf(Date);
    const byName = await sdk.send(
      new GetSecretValueCommand({ SecretId: 'multicloud/peer-shared-key' }),
    );
    expect(byName.ARN).toBe(arn);
    const request = secrets.requests.at(-1);
    expect(secrets.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(request?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(request?.body ?? '{}')).toEqual({ SecretId: 'multicloud/peer-shared-key' });
  });

  it('is 400 ResourceNotFoundException for an unknown secret or one without a value', async () => {
    const unknown = await failure(sdk.send(new GetSecretValueCommand({ SecretId: 'nope' })));
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expect(unknown.$metadata.httpStatusCode).toBe(400);
    expect(unknown.message).toBe("Secrets Manager can't find the specified secret.");
    const empty = await failure(sdk.send(new GetSecretValueCommand({ SecretId: 'empty' })));
    expect(empty).toBeInstanceOf(ResourceNotFoundException);
    expect(empty.message).toContain('staging label: AWSCURRENT');
  });

  it('refuses unsigned requests and unknown operations', async () => {
    const unsigned = await fetch(secrets.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      body: JSON.stringify({ SecretId: 'multicloud/peer-shared-key' }),
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    const other = await fetch(secrets.url, {
      method: 'POST',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDSTANDIN/20260101/eu-west-1/secretsmanager/aws4_request',
        'x-amz-target': 'secretsmanager.ListSecrets',
      },
      body: '{}',
    });
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('injects errors with their codes; the SDK retries a 500', async () => {
    secrets.injectError('AccessDeniedException');
    const denied = await failure(
      sdk.send(new GetSecretValueCommand({ SecretId: 'multicloud/peer-shared-key' })),
    );
    expect([denied.name, denied.$metadata.httpStatusCode]).toEqual(['AccessDeniedException', 400]);
    secrets.injectError('InternalServiceError');
    const retrying = client(secrets.url, 2);
    const answer = await retrying.send(
      new GetSecretValueCommand({ SecretId: 'multicloud/peer-shared-key' }),
    );
    retrying.destroy();
    expect(answer.SecretString).toBe('the-key');
    expect(secrets.requests.slice(-2).map((request) => request.status)).toEqual([500, 200]);
  });
});
