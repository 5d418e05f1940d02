/**
 * Lambda events written for this project against AWS's documented shapes and typed by
 * @types/aws-lambda, so the AWS adapter's tests need nothing beside the repository:
 * - API Gateway HTTP API, payload format 2.0:
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 *   (header names lower-cased, repeated values comma-joined, cookies moved out of the headers
 *   into `cookies`, `rawPath` prefixed by the stage unless it is `$default`);
 * - SQS: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (a batch of `Records`,
 *   attribute values as strings, `eventSource: "aws:sqs"`).
 * lambda-event-shapes.test.ts checks them key by key against real events beside the checkout.
 */
import { createHash } from 'node:crypto';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';

const ACCOUNT = '111122223333';
const API_ID = 'r4nd0m1d2x';
const REGION = 'eu-west-1';
const DOMAIN = `${API_ID}.execute-api.${REGION}.amazonaws.com`;

/** "21/Apr/2026:15:08:21 +0000", the format of requestContext.time. */
function requestTime(date: Date): string {
  const [, day, month, year, time] = /^\w{3}, (\d\d) (\w{3}) (\d{4}) (\S+) GMT$/.exec(
    date.toUTCString(),
  ) as RegExpExecArray;
  return `${day}/${month}/${year}:${time} +0000`;
}

/**
 * `GET /` on the `$default` route and stage, no authorizer, no body: the event an HTTP API
 * gives a Lambda integration for `curl https://<api>.execute-api.<region>.amazonaws.com/`.
 */
export function httpApiEvent(): APIGatewayProxyEventV2 {
  const epoch = Date.UTC(2026, 3, 21, 15, 8, 21, 67);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      accept: '*/*',
      'content-length': '0',
      host: DOMAIN,
      'user-agent': 'curl/8.5.0',
      'x-amzn-trace-id': 'Root=1-6805c2e5-3f1a9c0b7d2e4a6b8c0d1e2f',
      'x-forwarded-for': '198.51.100.23',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      domainName: DOMAIN,
      domainPrefix: API_ID,
      http: {
        method: 'GET',
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.23',
        userAgent: 'curl/8.5.0',
      },
      requestId: 'JqZ4nhb8joEEPxw=',
      routeKey: '$default',
      stage: '$default',
      time: requestTime(new Date(epoch)),
      timeEpoch: epoch,
    },
    isBase64Encoded: false,
  };
}

/**
 * `POST /prod/carts/aws-42/checkout?expand=items&expand=totals&currency=EUR` on a `prod` stage
 * behind a JWT authorizer, with cookies and a JSON body: every optional part of the format.
 */
export function httpApiEventWithJwt(): APIGatewayProxyEventV2WithJWTAuthorizer {
  const base = httpApiEvent();
  const body = JSON.stringify({ paymentReference: 'pay-7781' });
  return {
    ...base,
    routeKey: 'POST /carts/{id}/checkout',
    rawPath: '/prod/carts/aws-42/checkout',
    rawQueryString: 'expand=items&expand=totals&currency=EUR',
    cookies: ['session=4f9c2a', 'theme=dark'],
    headers: {
      ...base.headers,
      authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl',
      'content-length': String(Buffer.byteLength(body)),
      'content-type': 'application/json',
      'x-shop-client': 'web,beta',
    },
    queryStringParameters: { expand: 'items,totals', currency: 'EUR' },
    pathParameters: { id: 'aws-42' },
    stageVariables: { cell: 'aws' },
    body,
    requestContext: {
      ...base.requestContext,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: {
          claims: { iss: 'https://auth.shop.example.com/', sub: 'customer-17', exp: '1776784101' },
          scopes: ['cart:write'],
        },
      },
      http: { ...base.requestContext.http, method: 'POST', path: '/prod/carts/aws-42/checkout' },
      routeKey: 'POST /carts/{id}/checkout',
      stage: 'prod',
    },
  };
}

/** One SQS message as the event source mapping delivers it. */
export function sqsRecord(body: string, messageId: string): SQSRecord {
  const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:shop-aws-order-events`;
  return {
    messageId,
    receiptHandle: `AQEB${createHash('sha256').update(messageId).digest('base64')}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1776784101067',
      SenderId: 'AROAEXAMPLEROLEID:shop-aws-cart',
      ApproximateFirstReceiveTimestamp: '1776784101112',
    },
    messageAttributes: {
      eventType: {
        stringValue: 'order.placed',
        stringListValues: [],
        binaryListValues: [],
        dataType: 'String',
      },
    },
    md5OfBody: createHash('md5').update(body).digest('hex'),
    // The right shape, not SQS's attribute encoding: nothing on the Lambda side checks it.
    md5OfMessageAttributes: createHash('md5').update('eventType:order.placed').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
}

/** A batch of messages, ids `message-1`, `message-2`, ... in order. */
export function sqsEvent(bodies: readonly string[]): SQSEvent {
  return { Records: bodies.map((body, i) => sqsRecord(body, `message-${i + 1}`)) };
}
