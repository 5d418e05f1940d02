import { HttpProblem, PoisonEventError } from './errors.js';
import type { Ports } from './ports.js';

/** A port's backing service failed (unreachable, throttled, 5xx): the request may be retried. */
export class DependencyError extends Error {
  constructor(
    readonly dependency: keyof Ports,
    cause: unknown,
  ) {
    super(
      `${dependency} is unavailable: ${cause instanceof Error ? cause.message.slice(0, 200) : String(cause)}`,
      { cause },
    );
    this.name = 'DependencyError';
  }
}

/**
 * Wraps every port so that a failure of the service behind it surfaces as a DependencyError
 * naming the port: the HTTP layer answers 503 with Retry-After instead of a bare 500, and
 * logs say which dependency failed.
 */
export function guardPorts(ports: Ports): Ports {
  return {
    documents: guard('documents', ports.documents),
    events: guard('events', ports.events),
    notifier: guard('notifier', ports.notifier),
    ...(ports.replication ? { replication: guard('replication', ports.replication) } : {}),
  };
}

function guard<T extends object>(dependency: keyof Ports, port: T): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (error) {
          if (
            error instanceof HttpProblem ||
            error instanceof PoisonEventError ||
            error instanceof DependencyError
          ) {
            throw error;
          }
          throw new DependencyError(dependency, error);
        }
      };
    },
  });
}
