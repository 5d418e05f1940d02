// The Azure cell as a host (the Functions entry point, the local sandbox, tests) uses it.
export {
  createAzureCell,
  httpFunctionName,
  orderEventsFunctionName,
  type AzureCell,
  type AzureCellOptions,
  type AzureEventHubHandler,
  type AzureHttpHandler,
  type CapturedFunctions,
  type FunctionsRegistrar,
} from './cell.js';
export {
  azureConfigFromEnv,
  azureSettingsSchema,
  orderEventsConnectionSetting,
  orderEventsHubSetting,
  type AzureCellConfig,
} from './config.js';
export {
  invokeEventHubTrigger,
  type EventHubInvocation,
  type LocalHubEvent,
} from './local-event-hub-trigger.js';
export {
  parseServiceBusConnection,
  sasToken,
  type ServiceBusConnection,
} from './service-bus-auth.js';
export type { ParkedEvent } from './blob-dead-letters.js';
