/**
 * Long-running operations, as ARM runs an origin update: the PATCH is answered 202 with an
 * `Azure-AsyncOperation` URL, and the change is in force only when the operation ends
 * (`operationDelayMs` later). Until then the origin's provisioningState is Updating.
 *
 *   GET /subscriptions/{s}/resourcegroups/{rg}/providers/Microsoft.Cdn/operationresults/{id}
 *       -> InProgress (with Retry-After), then Succeeded, or Failed with the error that
 *          `failNextOperation` set for it
 *
 * Operations settle lazily: every request and every read helper first applies the ones whose
 * time has come (`settleOperations`), so no timer outlives the stand-in.
 */
import { randomUUID } from 'node:crypto';
import { json, type StandInResponse } from '../http/server.js';
import { armHeaders, resourceNotFound, retryAfter, type PathMatch } from './arm.js';
import { resourceGroupId, type FrontDoorStore } from './store.js';

export interface AsyncOperation {
  id: string;
  startedAt: Date;
  doneAt: number;
  /** Puts the change in force (or marks it failed) when the operation ends. */
  settle: (failure: AsyncOperation['failure']) => void;
  failure?: { code: string; message: string };
  settled: boolean;
}

/** Starts an operation that ends after the store's delay, with the store's next failure if any. */
export function startOperation(
  store: FrontDoorStore,
  settle: AsyncOperation['settle'],
): AsyncOperation {
  const operation: AsyncOperation = {
    id: randomUUID(),
    startedAt: new Date(),
    doneAt: Date.now() + store.operationDelayMs,
    failure: store.nextFailure,
    settled: false,
    settle,
  };
  store.nextFailure = undefined;
  store.operations.set(operation.id, operation);
  return operation;
}

/** Applies every operation whose time has come. */
export function settleOperations(store: FrontDoorStore): void {
  const now = Date.now();
  for (const operation of store.operations.values()) {
    if (!operation.settled && now >= operation.doneAt) {
      operation.settled = true;
      operation.settle(operation.failure);
    }
  }
}

/** The URL a client polls for this operation (Azure-AsyncOperation). */
export function operationUrl(
  store: FrontDoorStore,
  operation: AsyncOperation,
  apiVersion: string,
): string {
  return `${store.baseUrl}${operationPath(store, operation)}?api-version=${apiVersion}`;
}

function operationPath(store: FrontDoorStore, operation: AsyncOperation): string {
  return `${resourceGroupId(store.scope)}/providers/Microsoft.Cdn/operationresults/${operation.id}`;
}

export function operationStatus(store: FrontDoorStore, match: PathMatch): StandInResponse {
  const found = store.operations.get(match.operation ?? '');
  if (!found) throw resourceNotFound(store.scope, 'operationresults', match.operation ?? '');
  const done = found.settled;
  return json(
    200,
    {
      id: operationPath(store, found),
      name: found.id,
      status: done ? (found.failure ? 'Failed' : 'Succeeded') : 'InProgress',
      startTime: found.startedAt.toISOString(),
      ...(done ? { endTime: new Date(found.doneAt).toISOString() } : {}),
      ...(done && found.failure ? { error: found.failure } : {}),
    },
    { ...armHeaders(), ...(done ? {} : { 'retry-after': retryAfter(found.doneAt) }) },
  );
}
