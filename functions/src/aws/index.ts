// The AWS cell as a host (Lambda entry points, the local sandbox, tests) uses it.
export {
  createAwsCell,
  type AwsCell,
  type AwsCellOptions,
  type LambdaHttpHandler,
  type LambdaSqsHandler,
} from './cell.js';
export { awsConfigFromEnv, awsSettingsSchema, type AwsCellConfig } from './config.js';
export { coreRequestFromApiGateway, apiGatewayResult } from './lambda-http.js';
export {
  drainSqs,
  pollSqsOnce,
  sqsRecord,
  type SqsPollOptions,
  type SqsPollResult,
} from './local-sqs-trigger.js';
