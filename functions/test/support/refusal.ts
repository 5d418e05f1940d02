import { HttpProblem } from '../../src/core/errors.js';

/**
 * The error of `type` a promise rejects with; fails the test when it resolves or rejects with
 * anything else.
 */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a rejection with ${type.name}`);
}

/** The HttpProblem a promise rejects with; fails the test when it resolves or throws anything else. */
export function refusal(promise: Promise<unknown>): Promise<HttpProblem> {
  return rejectionOf(promise, HttpProblem);
}
