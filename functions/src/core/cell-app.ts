import type { AuthSettings } from './auth/auth-settings.js';
import { TokenVerifier, type TokenVerifierOptions } from './auth/token-verifier.js';
import { CartService } from './cart-service.js';
import { DependencyError, guardPorts } from './dependency-guard.js';
import { HttpProblem } from './errors.js';
import { checkHealth, LastSendOutcomes, recordSendOutcomes, type CellIdentity } from './health.js';
import { jsonResponse, type CoreRequest, type CoreResponse } from './http-types.js';
import { parseId } from './ids.js';
import { InventoryService } from './inventory-service.js';
import { OrderEventConsumer } from './order-events.js';
import { OrderService } from './order-service.js';
import { PeerAuthenticator } from './peer-auth.js';
import { forwardedFromHeader, PeerForwarder, type PeerSettings } from './peer-forwarder.js';
import { probePeerLink } from './peer-link.js';
import type { Ports } from './ports.js';
import { dispatch, type Route, type RouteHandler } from './router.js';
import { cartRoutes } from './routes/cart-routes.js';
import { inventoryRoutes } from './routes/inventory-routes.js';
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
}

/**
 * A hung peer must not make this cell's own /health slow: Route 53 counts a check as failed
 * unless the endpoint answers within 2 s of connecting
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html),
 * and the sandbox's monitor waits 2 s too.
 */
const peerProbeTimeoutMs = 750;

export function createCellApp(options: CellAppOptions): CellApp {
  const { identity } = options;
  const now = options.now ?? (() => new Date());
  const lastSends = new LastSendOutcomes(now);
  const ports = guardPorts(recordSendOutcomes(options.ports, lastSends));
  const cell = identity.cell;
  const inventory = new InventoryService(ports.documents, cell, now);
  const orders = new OrderService(ports.documents, ports.events, inventory, cell, now);
  const carts = new CartService(ports.documents, orders, cell, now);
  const orderEvents = new OrderEventConsumer(ports.documents, ports.notifier, cell, now);
  const forwarder = new PeerForwarder(cell, options.peer, options.fetch, now);
  const peerAuth = new PeerAuthenticator(
    options.peer.auth,
    cell,
    options.peer.cell,
    ports.documents,
    now,
  );
  const verifier = new TokenVerifier(options.auth, {
    ...options.jwks,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    now,
  });
  const logError =
    options.logError ??
    ((message, error) =>
      error === undefined ? console.error(message) : console.error(message, error));

  const homed =
    (field: string, handler: RouteHandler): RouteHandler =>
    async (request, params, caller) => {
      const parsed = parseId(params[field] as string, field, [cell, options.peer.cell]);
      return parsed.cell === cell ? handler(request, params, caller) : forwarder.forward(request);
    };
  const context: RouteContext = {
    cell,
    peerCell: options.peer.cell,
    carts,
    orders,
    inventory,
    forwarder,
    homed,
  };
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/health$/,
      access: 'public',
      handler: async (request) => {
        const timeoutMs = options.healthTimeoutMs ?? 2000;
        // The peer's own probe (signed, verified above) is answered without probing back.
        const fromPeer = request.headers[forwardedFromHeader] !== undefined;
        const [report, peer] = await Promise.all([
          checkHealth(identity, ports, lastSends, timeoutMs),
          fromPeer ? undefined : probePeerLink(forwarder, peerProbeTimeoutMs),
        ]);
        return jsonResponse(
          report.status === 'ok' ? 200 : 503,
          peer ? { ...report, peer } : report,
        );
      },
    },
    ...cartRoutes(context),
    ...orderRoutes(context),
    ...inventoryRoutes(context),
  ];

  async function handleHttp(request: CoreRequest): Promise<CoreResponse> {
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
        return jsonResponse(
          503,
          {
            error: `a service this cell depends on (${error.dependency}) is unavailable; retry`,
            code: 'dependency_unavailable',
            dependency: error.dependency,
          },
          { ...cellHeader, 'retry-after': '1' },
        );
      }
      logError(`cell ${cell}: ${request.method} ${request.path} failed`, error);
      return jsonResponse(500, { error: 'internal error', code: 'internal' }, cellHeader);
    }
  }

  return { identity, handleHttp, orderEvents, carts, orders, inventory };
}
