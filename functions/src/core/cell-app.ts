import type { AuthSettings } from './auth/auth-settings.js';
import { TokenVerifier, type TokenVerifierOptions } from './auth/token-verifier.js';
import { CartService } from './cart-service.js';
import { DependencyError, guardPorts } from './dependency-guard.js';
import { HttpProblem } from './errors.js';
import { checkHealth, LastSendOutcomes, recordSendOutcomes, type CellIdentity } from './health.js';
import { jsonResponse, type CoreRequest, type CoreResponse } from './http-types.js';
import { parseId } from './ids.js';
import type { LeaseSettings } from './inventory-lease.js';
import { InventoryService } from './inventory-service.js';
import { LeaseRenewer } from './lease-renewer.js';
import { OrderEventConsumer } from './order-events.js';
import { OrderService } from './order-service.js';
import { PeerAuthenticator } from './peer-auth.js';
import { forwardedFromHeader, PeerForwarder, type PeerSettings } from './peer-forwarder.js';
import { defaultPeerProbeTiming, PeerLinkMonitor, type PeerProbeTiming } from './peer-link.js';
import type { Ports } from './ports.js';
import {
  ReplicaPublisher,
  ReplicatingStore,
  ReplicationStatus,
  Replicator,
} from './replication.js';
import { replicaCountRoute, replicaRoutes } from './routes/replica-routes.js';
import { dispatch, type Route, type RouteHandler } from './router.js';
import { cartRoutes } from './routes/cart-routes.js';
import { inventoryRoutes } from './routes/inventory-routes.js';
import { leaseRoutes } from './routes/lease-routes.js';
import { orderRoutes } from './routes/order-routes.js';
import type { RouteContext } from './routes/route-context.js';

export interface CellAppOptions {
  readonly identity: CellIdentity;
  readonly peer: PeerSettings;
  readonly ports: Ports;
  /** The issuer and audience whose bearer tokens every route but GET /health needs. */
  readonly auth: AuthSettings;
  /** JWKS timing (tests shorten the cooldown to see a key rotation). */
  readonly jwks?: Pick<TokenVerifierOptions, 'jwksTimeoutMs' | 'jwksCooldownMs' | 'jwksMaxAgeMs'>;
  readonly now?: () => Date;
  readonly healthTimeoutMs?: number;
  /** How /health learns the peer link (ADR 26); the AWS adapter probes in the request. */
  readonly peerProbe?: Partial<PeerProbeTiming>;
  /** Inventory leases (ADR 25); undefined: off, each cell sells only its own allocation. */
  readonly leases?: LeaseSettings;
  /** Where unexpected errors are reported (never sent to the client). */
  readonly logError?: (message: string, error: unknown) => void;
  readonly fetch?: typeof fetch;
}

/** The whole workload of one cell, independent of any cloud. */
export interface CellApp {
  readonly identity: CellIdentity;
  handleHttp(request: CoreRequest): Promise<CoreResponse>;
  readonly orderEvents: OrderEventConsumer;
  readonly carts: CartService;
  readonly orders: OrderService;
  readonly inventory: InventoryService;
  /** The replication consumer and receiver; undefined when the cell has no replication queue. */
  readonly replication: Replicator | undefined;
  /** Renews this cell's inventory leases (a timer calls it); undefined when leases are off. */
  readonly leases: LeaseRenewer | undefined;
}

export function createCellApp(options: CellAppOptions): CellApp {
  const { identity } = options;
  const cell = identity.cell;
  const now = options.now ?? (() => new Date());
  const lastSends = new LastSendOutcomes(now);
  const ports = guardPorts(recordSendOutcomes(options.ports, lastSends));
  const logError = options.logError ?? logToConsole;
  const services = cellServices(options, ports, now, logError);
  const { forwarder, replication, leases, carts, orders, inventory } = services;
  const context: RouteContext = {
    cell,
    peerCell: options.peer.cell,
    carts,
    orders,
    inventory,
    forwarder,
    homed: homedRoutes(cell, options.peer.cell, forwarder, replication),
  };
  const routes: Route[] = [
    healthRoute(options, ports, lastSends, services),
    ...cartRoutes(context),
    ...orderRoutes(context),
    ...inventoryRoutes(context),
    ...leaseRoutes(options.peer.cell, inventory),
    ...(replication ? replicaRoutes(cell, options.peer.cell, replication) : []),
    replicaCountRoute(cell, options.peer.cell, ports.documents, now),
  ];
  const handleHttp = httpHandler(cell, routes, {
    peerAuth: new PeerAuthenticator(
      options.peer.auth,
      cell,
      options.peer.cell,
      ports.documents,
      now,
    ),
    verifier: new TokenVerifier(options.auth, {
      ...options.jwks,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      now,
    }),
    logError,
  });
  const { orderEvents } = services;
  return { identity, handleHttp, orderEvents, carts, orders, inventory, replication, leases };
}

function logToConsole(message: string, error: unknown): void {
  if (error === undefined) console.error(message);
  else console.error(message, error);
}

interface CellServices {
  readonly forwarder: PeerForwarder;
  readonly peerLink: PeerLinkMonitor;
  readonly replication: Replicator | undefined;
  readonly inventory: InventoryService;
  readonly leases: LeaseRenewer | undefined;
  readonly orders: OrderService;
  readonly carts: CartService;
  readonly orderEvents: OrderEventConsumer;
}

/** The cell's services over its guarded ports, with carts and orders replicated when it can. */
function cellServices(
  options: CellAppOptions,
  ports: Ports,
  now: () => Date,
  logError: (message: string, error: unknown) => void,
): CellServices {
  const cell = options.identity.cell;
  const forwarder = new PeerForwarder(cell, options.peer, options.fetch, now);
  const peerLink = new PeerLinkMonitor(
    forwarder,
    { ...defaultPeerProbeTiming, ...options.peerProbe },
    now,
  );
  const replicationStatus = new ReplicationStatus(now);
  const publisher = ports.replication
    ? new ReplicaPublisher(ports.replication, cell, replicationStatus, now, logError)
    : undefined;
  const replication = publisher
    ? new Replicator(ports.documents, publisher, forwarder, replicationStatus)
    : undefined;
  // Carts and orders written through this store reach the peer (ADR 23).
  const documents = publisher ? new ReplicatingStore(ports.documents, publisher) : ports.documents;
  const inventory = new InventoryService(ports.documents, cell, now, options.leases);
  const leases = options.leases
    ? new LeaseRenewer(inventory, forwarder, options.leases, now)
    : undefined;
  const orders = new OrderService(documents, ports.events, inventory, cell, now);
  return {
    forwarder,
    peerLink,
    replication,
    inventory,
    leases,
    orders,
    carts: new CartService(documents, orders, cell, now),
    orderEvents: new OrderEventConsumer(documents, ports.notifier, cell, now),
  };
}

/** GET /health: this cell's own checks, the peer link's last probe (ADR 26), replication, leases. */
function healthRoute(
  options: CellAppOptions,
  ports: Ports,
  lastSends: LastSendOutcomes,
  { peerLink, replication, leases }: CellServices,
): Route {
  const timeoutMs = options.healthTimeoutMs ?? 2000;
  return {
    method: 'GET',
    pattern: /^\/health$/,
    access: 'public',
    handler: async (request) => {
      // The peer's own probe (signed, verified before any route) is answered without probing back.
      const fromPeer = request.headers[forwardedFromHeader] !== undefined;
      const [report, peer] = await Promise.all([
        checkHealth(options.identity, ports, lastSends, timeoutMs),
        fromPeer ? undefined : peerLink.report(),
      ]);
      return jsonResponse(report.status === 'ok' ? 200 : 503, {
        ...report,
        ...(peer ? { peer } : {}),
        ...(replication ? { replication: replication.status.report() } : {}),
        ...(leases ? { leases: leases.status } : {}),
      });
    },
  };
}

/** Wraps a route on a cart or order id: served here when homed here, else by the peer (ADR 23). */
function homedRoutes(
  cell: string,
  peerCell: string,
  forwarder: PeerForwarder,
  replication: Replicator | undefined,
): RouteContext['homed'] {
  return (field: string, handler: RouteHandler, policy: ReplicaPolicy = 'read'): RouteHandler =>
    async (request, params, caller) => {
      const parsed = parseId(params[field] as string, field, [cell, peerCell]);
      if (parsed.cell === cell) return handler(request, params, caller);
      return forwardOrServeReplica(
        () => forwarder.forward(request),
        replication ? () => handler(request, params, caller) : undefined,
        policy,
        peerCell,
      );
    };
}

/** Every request: the peer headers checked, the route dispatched, each failure one answer. */
function httpHandler(
  cell: string,
  routes: readonly Route[],
  guards: {
    readonly peerAuth: PeerAuthenticator;
    readonly verifier: TokenVerifier;
    readonly logError: (message: string, error: unknown) => void;
  },
): (request: CoreRequest) => Promise<CoreResponse> {
  const { peerAuth, verifier, logError } = guards;
  return async (request) => {
    const cellHeader = { 'x-cell': cell };
    try {
      // Before any route: the peer headers count only when signed by the peer (ADR 17).
      await peerAuth.verify(request);
      const response = await dispatch(routes, request, verifier);
      return { ...response, headers: { ...cellHeader, ...response.headers } };
    } catch (error) {
      if (error instanceof HttpProblem) {
        return jsonResponse(error.status, error.toBody(), { ...cellHeader, ...error.headers });
      }
      if (error instanceof DependencyError) {
        logError(`cell ${cell}: ${request.method} ${request.path}: ${error.message}`, undefined);
        return dependencyUnavailable(error, cellHeader);
      }
      logError(`cell ${cell}: ${request.method} ${request.path} failed`, error);
      return jsonResponse(500, { error: 'internal error', code: 'internal' }, cellHeader);
    }
  };
}

/** 503 with Retry-After: a store, queue or notification service did not answer. */
function dependencyUnavailable(error: DependencyError, headers: Record<string, string>) {
  return jsonResponse(
    503,
    {
      error: `a service this cell depends on (${error.dependency}) is unavailable; retry`,
      code: 'dependency_unavailable',
      dependency: error.dependency,
    },
    { ...headers, 'retry-after': '1' },
  );
}

/**
 * How a request for the peer's cart or order is served while the peer cannot be reached
 * (ADR 23): `read` and `edit` from this cell's replica when the peer is unreachable or timed
 * out (an edit sets a line, so doing it twice is harmless, and merges on recovery);
 * `checkout` only when it is unreachable, since a timed-out checkout may have placed the order
 * there.
 */
export type ReplicaPolicy = 'read' | 'edit' | 'checkout';

async function forwardOrServeReplica(
  forward: () => Promise<CoreResponse>,
  serveHere: (() => Promise<CoreResponse>) | undefined,
  policy: ReplicaPolicy,
  peerCell: string,
): Promise<CoreResponse> {
  try {
    return await forward();
  } catch (error) {
    const unreachable = error instanceof HttpProblem && error.code === 'peer_unreachable';
    const timedOut = error instanceof HttpProblem && error.code === 'peer_timeout';
    if (!serveHere || !(unreachable || (timedOut && policy !== 'checkout'))) throw error;
    try {
      const response = await serveHere();
      return { ...response, headers: { ...response.headers, 'x-served-from-replica': peerCell } };
    } catch (local) {
      // No copy here (not replicated before the outage): the peer's answer stands.
      if (local instanceof HttpProblem && local.status === 404) throw error;
      throw local;
    }
  }
}
