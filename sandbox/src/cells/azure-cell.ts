import type { AzureCell } from '../../../functions/src/azure/cell.js';
import type { AzureCellConfig } from '../../../functions/src/azure/config.js';
import type { AuthSettings } from '../../../functions/src/core/auth/auth-settings.js';
import { parseServiceBusConnection } from '../../../functions/src/azure/service-bus-auth.js';
import {
  startEventHubsStandIn,
  type EventHubsStandIn,
} from '../../../stand-ins/src/event-hubs/index.js';
import {
  startNotificationHubsStandIn,
  type NotificationHubsStandIn,
} from '../../../stand-ins/src/notification-hubs/index.js';
import { EventHubDispatcher, type EventHubFunction } from '../azure/event-hub-dispatcher.js';
import { FunctionsHost, type HttpFunction } from '../azure/functions-host.js';
import type { AzuriteBlob } from '../../../stand-ins/src/azurite/index.js';
import { startTcpLink, type TcpLink } from '../outage/reachability.js';
import { slowedBy, warmUp, type CellDeployOptions, type CellRunner } from './cell-runner.js';
import { LeaseTimer, SANDBOX_LEASES } from './lease-timer.js';
import { loadFunctionsBuild } from './functions-build.js';

type AzureCellModule = typeof import('../../../functions/src/azure/cell.js');

export const AZURE_ENTRY = 'functions/src/azure/cell.ts';
const ORDER_EVENTS_HUB = 'order-events';
/** replica.changed events (ADR 23), in the same namespace. */
const REPLICATION_HUB = 'replication';
const NOTIFICATION_HUB = 'customers';
/** The Azure cell's documents container (in Azurite). */
export const AZURE_DOCUMENTS_CONTAINER = 'documents';

/**
 * The Azure cell: the Functions v4 registrations of the current build (captured as the
 * Functions host receives them) behind the local HTTP host, and the Event Hubs trigger fed by
 * the Event Hubs stand-in. Blob storage is Azurite; push goes to the Notification Hubs
 * stand-in. A deploy builds the functions afresh and swaps both triggers to the new version.
 */
export class AzureCellRunner implements CellRunner {
  readonly cloud = 'azure' as const;
  readonly host = new FunctionsHost({ routePrefix: '' });
  /** One trigger per function: orderPlaced over order-events, replicate over replication. */
  private readonly dispatchers: Record<string, EventHubDispatcher>;
  private current: AzureCell | undefined;
  private readonly leaseTimer = new LeaseTimer('azure', () =>
    this.down ? undefined : this.current?.app.leases,
  );
  private eventHubFunctions: EventHubFunction[] = [];

  private constructor(
    private readonly azurite: AzuriteBlob,
    /** Blob goes through a link an outage cuts. */
    private readonly storage: TcpLink,
    readonly eventHubs: EventHubsStandIn,
    readonly notificationHubs: NotificationHubsStandIn,
    /** The issuer whose tokens the cell requires (the sandbox's). */
    private readonly auth: AuthSettings,
    private readonly peerUrl: () => string,
    /** The key both sandbox cells sign their calls with (one per sandbox run). */
    private readonly peerKey: string,
  ) {
    const settings = {
      ORDER_EVENTS_HUB: ORDER_EVENTS_HUB,
      REPLICATION_HUB: REPLICATION_HUB,
      ORDER_EVENTS_CONNECTION: eventHubs.connectionString,
    };
    const namespace = new URL(eventHubs.url).host;
    this.dispatchers = {
      orderPlaced: new EventHubDispatcher(eventHubs, settings, namespace),
      replicate: new EventHubDispatcher(eventHubs, settings, namespace),
    };
  }

  /** Starts the cell's own services (Event Hubs and Notification Hubs stand-ins). */
  static async create(
    azurite: AzuriteBlob,
    auth: AuthSettings,
    peerUrl: () => string,
    peerKey: string,
  ): Promise<AzureCellRunner> {
    const storage = await startTcpLink(azurite.port);
    const eventHubs = await startEventHubsStandIn({
      hubs: {
        [ORDER_EVENTS_HUB]: { partitionCount: 2 },
        [REPLICATION_HUB]: { partitionCount: 2 },
      },
    });
    try {
      const notificationHubs = await startNotificationHubsStandIn({ hubs: [NOTIFICATION_HUB] });
      return new AzureCellRunner(
        azurite,
        storage,
        eventHubs,
        notificationHubs,
        auth,
        peerUrl,
        peerKey,
      );
    } catch (error) {
      await eventHubs.close();
      await storage.close();
      throw error;
    }
  }

  get url(): string {
    return this.host.url;
  }

  get version(): string | undefined {
    return this.host.version;
  }

  listen(port: number, hint: string): Promise<number> {
    return this.host.listen(port, hint);
  }

  config(version: string, options: CellDeployOptions): AzureCellConfig {
    return {
      cell: 'azure',
      peerCell: 'aws',
      peerUrl: this.peerUrl(),
      peerTimeoutMs: 8000, // see the AWS cell
      peerKey: this.peerKey,
      leases: SANDBOX_LEASES,
      version,
      region: 'westeurope',
      auth: this.auth,
      storageConnection: this.azurite.connectionString.replace(
        `:${this.azurite.port}/`,
        `:${this.storage.port}/`,
      ),
      // A broken release is modelled as a bad setting: a container that does not exist, so
      // the health check (and every request that touches storage) fails, as a real one would.
      documentsContainer: options.breakHealth ? 'documents-missing' : AZURE_DOCUMENTS_CONTAINER,
      deadLetterContainer: 'order-events-dead-letters',
      orderEvents: parseServiceBusConnection(
        this.eventHubs.connectionString,
        'ORDER_EVENTS_CONNECTION',
      ),
      orderEventsHub: ORDER_EVENTS_HUB,
      replicationHub: REPLICATION_HUB,
      notificationHub: parseServiceBusConnection(
        this.notificationHubs.connectionString,
        'NOTIFICATION_HUB_CONNECTION',
      ),
      notificationHubName: NOTIFICATION_HUB,
    };
  }

  async deploy(version: string, options: CellDeployOptions = {}): Promise<void> {
    const build = await loadFunctionsBuild<AzureCellModule>(AZURE_ENTRY, `azure-${version}`);
    const cell = build.createAzureCell(this.config(version, options), { retryDelayMs: 50 });
    // The storage account's containers exist from the first deploy (Terraform creates them);
    // a broken release points at one that does not.
    if (!options.breakHealth) await cell.ensureContainers();
    await warmUp(cell);
    const captured = cell.capture();
    const http: HttpFunction[] = Object.entries(captured.http).map(([name, registration]) => ({
      name,
      route: registration.route ?? name,
      ...(registration.methods ? { methods: registration.methods } : {}),
      handler: slowedBy(registration.handler, options.latencyMs),
    }));
    const eventHubFunctions = Object.entries(captured.eventHub).map(
      ([name, registration]): EventHubFunction => ({
        name,
        eventHubName: registration.eventHubName,
        cardinality: registration.cardinality ?? 'one',
        ...(registration.consumerGroup ? { consumerGroup: registration.consumerGroup } : {}),
        ...(registration.retry ? { retry: registration.retry as EventHubFunction['retry'] } : {}),
        handler: registration.handler as EventHubFunction['handler'],
      }),
    );
    if (options.downtimeMs && this.current) {
      // A restart, not a slot swap: the host answers 503 until the new build is up.
      this.host.undeploy();
      this.setTriggers(false);
      await new Promise((resolve) => setTimeout(resolve, options.downtimeMs));
    }
    this.host.deploy(version, http);
    this.eventHubFunctions = eventHubFunctions;
    if (!this.down) this.setTriggers(true);
    for (const dispatcher of Object.values(this.dispatchers)) dispatcher.start();
    this.current = cell;
    this.leaseTimer.start();
  }

  /** Points each trigger at the current build's function, or stops it (events wait in the hub). */
  private setTriggers(on: boolean): void {
    for (const [name, dispatcher] of Object.entries(this.dispatchers)) {
      dispatcher.setFunction(
        on ? this.eventHubFunctions.find((fn) => fn.name === name) : undefined,
      );
    }
  }

  get down(): boolean {
    return this.host.reachability.cut;
  }

  setOutage(down: boolean): void {
    if (down) {
      this.host.reachability.cutOff();
      this.storage.reachability.cutOff();
      // The triggers stop: events wait in the hubs.
      this.setTriggers(false);
      return;
    }
    this.storage.reachability.restore();
    this.host.reachability.restore();
    this.setTriggers(true);
  }

  renewLeases(): Promise<void> {
    return this.leaseTimer.renewNow();
  }

  async stop(): Promise<void> {
    await this.leaseTimer.stop();
    for (const dispatcher of Object.values(this.dispatchers)) await dispatcher.stop();
    await this.host.close();
    await this.eventHubs.close();
    await this.notificationHubs.close();
    await this.storage.close();
  }
}
