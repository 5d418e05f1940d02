import { connect, createServer, type Server, type Socket } from 'node:net';

import { LOOPBACK } from '../listen.js';

/**
 * Makes a listening server answer as an unreachable cloud does: while cut, every open
 * connection is reset and every new one is reset as it arrives, so a client sees
 * ECONNRESET / "fetch failed", never an HTTP answer (an outage is not a 503 from a healthy
 * load balancer). The port stays bound, so the cell comes back on the same URL.
 */
export class Reachability {
  private readonly sockets = new Set<Socket>();
  private isCut = false;

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      if (this.isCut) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get cut(): boolean {
    return this.isCut;
  }

  /** Resets every open connection and refuses new ones until `restore()`. */
  cutOff(): void {
    this.isCut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.isCut = false;
  }
}

/**
 * A TCP hop in front of a storage endpoint (Azure's Azurite), so an outage can cut a cell's
 * storage too: while cut, connections through it are reset like those to the cell. AWS's S3
 * proxy drops its own connections instead (an injected fault): the extra hop on every S3 call
 * made AWS /health answer 503 under load on a busy machine.
 */
export interface TcpLink {
  /** `http://127.0.0.1:<port>`: the endpoint to give the cell instead of the target's. */
  readonly url: string;
  readonly port: number;
  readonly reachability: Reachability;
  close(): Promise<void>;
}

export function startTcpLink(targetPort: number): Promise<TcpLink> {
  const reachability = new Reachability();
  const server = createServer((client) => {
    const upstream = connect(targetPort, LOOPBACK);
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  reachability.attach(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://${LOOPBACK}:${port}`,
        port,
        reachability,
        close: () =>
          new Promise<void>((done) => {
            reachability.cutOff();
            server.close(() => done());
          }),
      });
    });
  });
}
