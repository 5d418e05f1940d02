import { authSettingsFrom, type AuthSettings } from '../core/auth/auth-settings.js';
import { SettingsError } from '../core/errors.js';
import { leasesOf, type LeaseSettings } from '../core/inventory-lease.js';
import { commonSettings, readSettings } from '../core/settings.js';
import { parseServiceBusConnection, type ServiceBusConnection } from './service-bus-auth.js';

/** Everything an Azure cell needs; the sandbox fills it directly, Functions from app settings. */
export interface AzureCellConfig {
  readonly cell: string;
  readonly peerCell: string;
  readonly peerUrl: string;
  readonly peerTimeoutMs: number;
  /** PEER_SHARED_KEY: base64, at least 32 bytes, the same on both cells (ADR 17). */
  readonly peerKey: string;
  /** PEER_REPLAY_WINDOW_MS; 60 s when unset. */
  readonly peerReplayWindowMs?: number;
  readonly version: string;
  readonly region: string;
  /** The OIDC issuer and audience of the bearer tokens (AUTH_* settings). */
  readonly auth: AuthSettings;
  /** INVENTORY_LEASE_* (ADR 25); unset, each cell sells only its own allocation. */
  readonly leases?: LeaseSettings;
  /**
   * Where the documents and dead letters are: a connection string (Azurite's well-known one
   * locally), or, in Azure, the account's blob endpoint reached with a managed identity (the
   * account has shared keys off). Exactly one.
   */
  readonly storageConnection?: string;
  readonly storageIdentity?: StorageIdentity;
  readonly documentsContainer: string;
  readonly deadLetterContainer: string;
  readonly orderEvents: ServiceBusConnection;
  readonly orderEventsHub: string;
  /** The consumer group the trigger reads with (Terraform creates one per cell); `$Default` when unset. */
  readonly orderEventsConsumerGroup?: string;
  /**
   * REPLICATION_HUB: the event hub for replica.changed events (ADR 23), in the namespace of
   * ORDER_EVENTS_CONNECTION; unset, the cell does not replicate.
   */
  readonly replicationHub?: string;
  /**
   * REPLICATION_CONNECTION: a SAS rule of the replication hub itself (Terraform gives each hub
   * its own send/listen rule); unset, the replication hub is reached with ORDER_EVENTS_CONNECTION.
   */
  readonly replicationConnection?: ServiceBusConnection;
  readonly notificationHub: ServiceBusConnection;
  readonly notificationHubName: string;
  /** Path prefix of the HTTP routes (host.json extensions.http.routePrefix); '' by default. */
  readonly routePrefix?: string;
}

/** The account's blob endpoint and the user-assigned identity that may use it (none: system-assigned). */
export interface StorageIdentity {
  readonly blobServiceUri: string;
  readonly clientId?: string;
}

/** The identity-based connection of the documents' account (`<name>__blobServiceUri`, `__clientId`). */
export const documentsStorageIdentity = 'DOCUMENTS_STORAGE';

/** The app setting the Event Hubs trigger binding reads its connection from. */
export const orderEventsConnectionSetting = 'ORDER_EVENTS_CONNECTION';
/** The app setting holding the hub name (the binding refers to it as %ORDER_EVENTS_HUB%). */
export const orderEventsHubSetting = 'ORDER_EVENTS_HUB';
/** The app setting naming the trigger's consumer group (the binding refers to it as %ORDER_EVENTS_CONSUMER_GROUP%). */
export const orderEventsConsumerGroupSetting = 'ORDER_EVENTS_CONSUMER_GROUP';
/** The app setting naming the replication hub (the binding refers to it as %REPLICATION_HUB%). */
export const replicationHubSetting = 'REPLICATION_HUB';
/** The app setting the replication trigger reads its connection from, when set. */
export const replicationConnectionSetting = 'REPLICATION_CONNECTION';

const containerName = {
  pattern: /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/,
  describe: 'a blob container name: 3-63 lower-case letters, digits and single hyphens',
};
const serviceBusConnection = {
  pattern: /Endpoint=(sb|https?):\/\/[^;]+;.*SharedAccessKeyName=[^;]+;.*SharedAccessKey=[^;]+/i,
  describe:
    'a connection string Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<rule>;SharedAccessKey=<key>',
};

export const azureSettingsSchema = {
  ...commonSettings,
  REGION_NAME: {
    pattern: /^[A-Za-z0-9 -]{2,40}$/,
    describe: 'the Azure region, e.g. westeurope (App Service sets it)',
  },
  // The documents' account: a connection string, or (Azure, shared keys off) its blob endpoint
  // and a managed identity, named as the Functions host names identity-based connections.
  DOCUMENTS_STORAGE_CONNECTION: {
    required: false,
    pattern: /(AccountName=|BlobEndpoint=|UseDevelopmentStorage=true)/,
    describe:
      'the storage account connection string for carts, orders, inventory and dead letters (local emulators; in Azure set DOCUMENTS_STORAGE__blobServiceUri instead)',
  },
  [`${documentsStorageIdentity}__blobServiceUri`]: {
    required: false,
    pattern: /^https:\/\/[a-z0-9]{3,24}\.blob\.[\w.-]+\/?$/,
    describe:
      "the documents' storage account blob endpoint, https://<account>.blob.core.windows.net, reached with the Function App's managed identity",
  },
  [`${documentsStorageIdentity}__clientId`]: {
    required: false,
    pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    describe: 'the client ID of the user-assigned identity that may use the documents account',
  },
  DOCUMENTS_CONTAINER: { ...containerName, default: 'documents' },
  DEAD_LETTER_CONTAINER: { ...containerName, default: 'order-events-dead-letters' },
  [orderEventsConnectionSetting]: serviceBusConnection,
  [orderEventsHubSetting]: {
    pattern: /^[A-Za-z0-9][\w.-]{0,255}$/,
    describe: 'the event hub carrying order.placed events',
  },
  [orderEventsConsumerGroupSetting]: {
    default: '$Default',
    pattern: /^(\$Default|[A-Za-z0-9][\w.-]{0,49})$/,
    describe:
      'the Event Hubs consumer group of the order.placed trigger, e.g. order-events-consumer',
  },
  [replicationHubSetting]: {
    required: false,
    pattern: /^[A-Za-z0-9][\w.-]{0,255}$/,
    describe: 'the event hub carrying replica.changed events (ADR 23)',
  },
  [replicationConnectionSetting]: {
    ...serviceBusConnection,
    required: false,
    describe: `${serviceBusConnection.describe} with Send and Listen on the replication hub (unset: ORDER_EVENTS_CONNECTION)`,
  },
  NOTIFICATION_HUB_CONNECTION: serviceBusConnection,
  NOTIFICATION_HUB_NAME: {
    pattern: /^[A-Za-z0-9][\w.-]{0,259}$/,
    describe: 'the notification hub for customer push',
  },
  HTTP_ROUTE_PREFIX: {
    required: false,
    pattern: /^[\w-]*(\/[\w-]+)*$/,
    describe: 'host.json routePrefix when it is not empty, e.g. api',
  },
} as const;

/** Reads and validates the Functions app settings; throws SettingsError naming every bad one. */
export function azureConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): AzureCellConfig {
  const settings = readSettings(azureSettingsSchema, env, 'Azure cell');
  return {
    cell: settings.CELL_NAME,
    peerCell: settings.PEER_CELL_NAME,
    peerUrl: settings.PEER_URL,
    peerTimeoutMs: Number(settings.PEER_TIMEOUT_MS),
    peerKey: settings.PEER_SHARED_KEY,
    peerReplayWindowMs: Number(settings.PEER_REPLAY_WINDOW_MS),
    version: settings.APP_VERSION,
    auth: authSettingsFrom(settings),
    ...leasesOf(settings, 'Azure cell'),
    region: settings.REGION_NAME,
    ...documentsStorage(settings),
    documentsContainer: settings.DOCUMENTS_CONTAINER,
    deadLetterContainer: settings.DEAD_LETTER_CONTAINER,
    orderEvents: parseServiceBusConnection(
      settings[orderEventsConnectionSetting],
      orderEventsConnectionSetting,
    ),
    orderEventsHub: settings[orderEventsHubSetting],
    orderEventsConsumerGroup: settings[orderEventsConsumerGroupSetting],
    ...(settings[replicationHubSetting] ? { replicationHub: settings[replicationHubSetting] } : {}),
    ...(settings[replicationConnectionSetting]
      ? {
          replicationConnection: parseServiceBusConnection(
            settings[replicationConnectionSetting],
            replicationConnectionSetting,
          ),
        }
      : {}),
    notificationHub: parseServiceBusConnection(
      settings.NOTIFICATION_HUB_CONNECTION,
      'NOTIFICATION_HUB_CONNECTION',
    ),
    notificationHubName: settings.NOTIFICATION_HUB_NAME,
    ...(settings.HTTP_ROUTE_PREFIX ? { routePrefix: settings.HTTP_ROUTE_PREFIX } : {}),
  };
}

/** Exactly one way to the documents' account: its connection string or its endpoint and identity. */
function documentsStorage(
  settings: Readonly<Record<string, string | undefined>>,
): Pick<AzureCellConfig, 'storageConnection' | 'storageIdentity'> {
  const connection = settings.DOCUMENTS_STORAGE_CONNECTION;
  const uri = settings[`${documentsStorageIdentity}__blobServiceUri`];
  const clientId = settings[`${documentsStorageIdentity}__clientId`];
  if ((connection === undefined) === (uri === undefined)) {
    const names = ['DOCUMENTS_STORAGE_CONNECTION', `${documentsStorageIdentity}__blobServiceUri`];
    throw new SettingsError(
      names,
      `Azure cell cannot start: set exactly one of ${names.join(' or ')} (the connection string of a local emulator, or the blob endpoint of the account the Function App's identity may use)`,
    );
  }
  return connection !== undefined
    ? { storageConnection: connection }
    : { storageIdentity: { blobServiceUri: uri as string, ...(clientId ? { clientId } : {}) } };
}
