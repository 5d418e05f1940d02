/**
 * A local stand-in for AWS Secrets Manager's GetSecretValue (AWS JSON 1.1), enough for the AWS
 * cell's peer key (ADR 17). Drive it with the real @aws-sdk/client-secrets-manager
 * (`endpoint: standIn.url`, any static credentials).
 *
 *   const secrets = await startSecretsManagerStandIn({
 *     region: 'eu-west-1',
 *     secrets: [{ name: 'multicloud/peer-shared-key', secretString: '...' }],
 *   });
 *   secrets.arnOf('multicloud/peer-shared-key')   // arn:aws:secretsmanager:eu-west-1:…:secret:multicloud/peer-shared-key-AbCdEf
 *   secrets.reads                                 // SecretIds asked for, in order
 *   secrets.injectError('InternalServiceError')   // 500 once; 'AccessDeniedException' 400
 *   await secrets.close()
 *
 * Wire behaviour (as Secrets Manager,
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html and
 * .../CommonErrors.html): POST / with `X-Amz-Target: secretsmanager.GetSecretValue` and a
 * JSON body `{"SecretId": name or ARN}`; the answer carries ARN, Name, VersionId, SecretString,
 * VersionStages ["AWSCURRENT"] and CreatedDate (epoch seconds). The ARN ends in `-` and six
 * random characters, as Secrets Manager appends them. An unknown secret, or one without a
 * value yet, is 400 `ResourceNotFoundException`; an unknown target 400
 * `UnknownOperationException`; a request without an AWS Signature V4 `Authorization` header
 * 403 `MissingAuthenticationTokenException` (signatures are not verified).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  startStandInServer,
  json,
  type InjectedFault,
  type RecordedRequest,
  type StandInRequest,
  type StandInResponse,
} from '../http/server.js';

export interface SecretSeed {
  name: string;
  /** Unset: the secret exists without a value (create-secret without --secret-string). */
  secretString?: string;
}

export interface SecretsManagerStandInOptions {
  secrets: SecretSeed[];
  region?: string;
  accountId?: string;
}

export type SecretsManagerErrorCode =
  'AccessDeniedException' | 'InternalServiceError' | 'ThrottlingException';

export interface SecretsManagerStandIn {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The SecretId of every GetSecretValue request, oldest first. */
  readonly reads: string[];
  arnOf(name: string): string;
  injectError(code: SecretsManagerErrorCode, options?: { times?: number }): InjectedFault;
  close(): Promise<void>;
}

interface StoredSecret {
  arn: string;
  name: string;
  versionId: string;
  secretString?: string;
  createdDate: number;
}

const JSON_11 = { 'content-type': 'application/x-amz-json-1.1' };

const ERRORS: Record<SecretsManagerErrorCode, { status: number; message: string }> = {
  AccessDeniedException: {
    status: 400,
    message: 'User is not authorized to perform: secretsmanager:GetSecretValue',
  },
  InternalServiceError: { status: 500, message: 'An error occurred on the server side.' },
  ThrottlingException: { status: 400, message: 'Rate exceeded' },
};

function awsError(status: number, type: string, message: string): StandInResponse {
  return json(
    status,
    { __type: type, Message: message },
    { ...JSON_11, 'x-amzn-requestid': randomUUID() },
  );
}

/** Six characters as Secrets Manager appends them to a secret's ARN. */
function arnSuffix(): string {
  return randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
}

function storeSecrets(options: SecretsManagerStandInOptions): Map<string, StoredSecret> {
  const region = options.region ?? 'us-east-1';
  const account = options.accountId ?? '123456789012';
  const secrets = new Map<string, StoredSecret>();
  for (const seed of options.secrets) {
    secrets.set(seed.name, {
      arn: `arn:aws:secretsmanager:${region}:${account}:secret:${seed.name}-${arnSuffix()}`,
      name: seed.name,
      versionId: randomUUID(),
      ...(seed.secretString === undefined ? {} : { secretString: seed.secretString }),
      createdDate: Math.floor(Date.now() / 1000),
    });
  }
  return secrets;
}

function getSecretValue(
  request: StandInRequest,
  secrets: Map<string, StoredSecret>,
  reads: string[],
): StandInResponse {
  const { SecretId: secretId } = request.json<{ SecretId?: unknown }>();
  if (typeof secretId !== 'string' || secretId === '') {
    return awsError(400, 'InvalidParameterException', 'You must provide a SecretId.');
  }
  reads.push(secretId);
  const secret = [...secrets.values()].find((s) => s.arn === secretId || s.name === secretId);
  if (!secret) {
    return awsError(
      400,
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret.",
    );
  }
  if (secret.secretString === undefined) {
    return awsError(
      400,
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    );
  }
  return json(
    200,
    {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      SecretString: secret.secretString,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdDate,
    },
    JSON_11,
  );
}

export async function startSecretsManagerStandIn(
  options: SecretsManagerStandInOptions,
): Promise<SecretsManagerStandIn> {
  const secrets = storeSecrets(options);
  const reads: string[] = [];
  const server = await startStandInServer({
    name: 'secrets-manager',
    routes: [
      {
        method: 'POST',
        path: '/',
        handler: (request) => {
          if (!request.header('authorization')?.startsWith('AWS4-HMAC-SHA256 ')) {
            return awsError(
              403,
              'MissingAuthenticationTokenException',
              'Missing Authentication Token',
            );
          }
          const target = request.header('x-amz-target');
          if (target !== 'secretsmanager.GetSecretValue') {
            return awsError(400, 'UnknownOperationException', `Unknown operation ${target ?? ''}`);
          }
          return getSecretValue(request, secrets, reads);
        },
      },
    ],
  });
  return {
    url: server.url,
    requests: server.requests,
    reads,
    arnOf(name) {
      const secret = secrets.get(name);
      if (!secret) throw new Error(`secrets-manager stand-in: no secret named ${name}`);
      return secret.arn;
    },
    injectError(code, { times = 1 } = {}) {
      const { status, message } = ERRORS[code];
      const answer = awsError(status, code, message);
      return server.injectFault({ method: 'POST', path: '/', times, ...answer });
    },
    close: () => server.close(),
  };
}
