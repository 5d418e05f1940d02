/**
 * The fault table of a stand-in server (see server.ts for the Fault fields). Faults are
 * checked before routing, in the order they were injected; the first one whose method and path
 * match and that has times left is used, and counts the hit.
 */
import { compilePathPattern, methodMatches, type PathMatcher } from './paths.js';

export interface Fault {
  /** Method to match; default any. */
  method?: string;
  /** Route-style pattern ('/repos/:o/:r/issues/*') or a RegExp tested on the path. */
  path: string | RegExp;
  /** How many requests this fault applies to; default 1. Use Infinity for every request. */
  times?: number;
  status?: number;
  headers?: Record<string, string | number | string[]>;
  body?: unknown;
  delayMs?: number;
  /** Destroy the connection without a response (the client sees ECONNRESET / socket hang up). */
  drop?: boolean;
  /**
   * Let the request reach its route (a write commits), then destroy the connection instead of
   * sending the route's answer: the client sees ECONNRESET and cannot tell that the write
   * happened, and an SDK that retries sends it again.
   */
  dropAnswer?: boolean;
}

export interface InjectedFault {
  readonly fault: Fault;
  /** Requests this fault has handled so far. */
  readonly hits: number;
  readonly remaining: number;
  remove(): void;
}

interface FaultState {
  fault: Fault;
  matcher: PathMatcher;
  hits: number;
  remaining: number;
}

export interface FaultTable {
  inject(fault: Fault): InjectedFault;
  /** The fault for this request, if any; counts the hit. */
  take(method: string, path: string): Fault | undefined;
  clear(): void;
}

export function createFaultTable(): FaultTable {
  const faults: FaultState[] = [];
  return {
    inject(fault) {
      const times = fault.times ?? 1;
      if (!(times > 0)) {
        throw new Error(`injectFault: times must be a positive number, got ${times}`);
      }
      const state = { fault, matcher: compilePathPattern(fault.path), hits: 0, remaining: times };
      faults.push(state);
      return handleOf(state, () => {
        const index = faults.indexOf(state);
        if (index >= 0) faults.splice(index, 1);
      });
    },
    take(method, path) {
      const state = faults.find(
        (candidate) =>
          candidate.remaining > 0 &&
          methodMatches(candidate.fault.method, method) &&
          candidate.matcher(path) !== undefined,
      );
      if (!state) return undefined;
      state.remaining -= 1;
      state.hits += 1;
      return state.fault;
    },
    clear() {
      faults.length = 0;
    },
  };
}

function handleOf(state: FaultState, remove: () => void): InjectedFault {
  return {
    fault: state.fault,
    get hits() {
      return state.hits;
    },
    get remaining() {
      return state.remaining;
    },
    remove,
  };
}
