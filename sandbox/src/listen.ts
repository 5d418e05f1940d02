import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { SandboxError } from './errors.js';

/** Loopback only: the sandbox never listens on a public interface. */
export const LOOPBACK = '127.0.0.1';

/**
 * Listens on 127.0.0.1:port (0 = any free port) and resolves to the port in use. A busy port
 * becomes one SandboxError that names the port, what wanted it and how to pick another.
 */
export function listen(server: Server, port: number, what: string, hint = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new SandboxError(
            `port ${port} is busy: the ${what} cannot listen on ${LOOPBACK}:${port}` +
              (hint ? ` (choose another with ${hint})` : ''),
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new SandboxError(
            `port ${port} is not allowed for the ${what}${hint ? ` (choose another with ${hint})` : ''}`,
          ),
        );
      } else {
        reject(error);
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, LOOPBACK);
  });
}

/** Closes a server and every connection it holds (keep-alive sockets would keep it open). */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Reads a whole request body (the adapters need it in one piece, as the clouds deliver it). */
export async function readBody(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
