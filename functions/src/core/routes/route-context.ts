import type { CartService } from '../cart-service.js';
import type { InventoryService } from '../inventory-service.js';
import type { OrderService } from '../order-service.js';
import type { PeerForwarder } from '../peer-forwarder.js';
import type { RouteHandler } from '../router.js';
import type { ReplicaPolicy } from '../cell-app.js';

/** What the route modules share: the services of this cell and the way to its peer. */
export interface RouteContext {
  readonly cell: string;
  readonly peerCell: string;
  readonly carts: CartService;
  readonly orders: OrderService;
  readonly inventory: InventoryService;
  readonly forwarder: PeerForwarder;
  /** Serves the id named by `field` here when it is this cell's, forwards it to the peer otherwise. */
  homed(field: string, handler: RouteHandler, policy?: ReplicaPolicy): RouteHandler;
}
