import { testAuthEnv } from './auth.js';

/**
 * A deployed AWS cell's settings for tests that only read them (nothing is reached), without the
 * peer key: a test adds PEER_SHARED_KEY (testPeerEnv) or PEER_SHARED_KEY_SECRET_ARN itself.
 */
export const awsSettingsEnv = {
  CELL_NAME: 'aws',
  PEER_CELL_NAME: 'azure',
  PEER_URL: 'https://azure.shop.example.com',
  APP_VERSION: '1.0.0',
  AWS_REGION: 'eu-west-1',
  DOCUMENTS_BUCKET: 'shop-aws-documents',
  ORDER_EVENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/order-events',
  NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:customer-notifications',
  ...testAuthEnv,
} as const;

/** A Service Bus namespace connection string for settings-only tests (nothing connects). */
const serviceBusConnection =
  'Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=Yg==';

/**
 * An Azure cell's settings for tests that only read them, without the peer key and without the
 * documents' account (a connection string or an endpoint and identity: the test picks one).
 */
export const azureSettingsEnv = {
  CELL_NAME: 'azure',
  PEER_CELL_NAME: 'aws',
  PEER_URL: 'https://aws.example.com',
  APP_VERSION: '1.0.0',
  REGION_NAME: 'westeurope',
  ORDER_EVENTS_CONNECTION: serviceBusConnection,
  ORDER_EVENTS_HUB: 'order-events',
  NOTIFICATION_HUB_CONNECTION: serviceBusConnection,
  NOTIFICATION_HUB_NAME: 'customers',
  ...testAuthEnv,
} as const;
