/**
 * Change batches, as Route 53 runs them:
 *
 *   POST /2013-04-01/hostedzone/{id}/rrset    ChangeResourceRecordSets: the batch is validated
 *        against a working copy of the zone and applied all or nothing (record-sets.ts); the
 *        answer is always PENDING
 *   GET  /2013-04-01/change/{id}              GetChange: PENDING until `insyncDelayMs` has
 *        passed, then INSYNC; an unknown id is 404 NoSuchChange
 *
 * Every accepted batch is logged (`changes`) and told to `onChange` listeners.
 */
import { randomBytes } from 'node:crypto';
import type { StandInRequest, StandInResponse } from '../http/server.js';
import { Route53ValidationError, applyChangeBatch } from './record-sets.js';
import type { AcceptedChangeBatch, Route53Store, Zone } from './store.js';
import {
  changeInfoXml,
  document,
  parseChangeBatch,
  requireSignature,
  route53Error,
  xml,
  zoneParam,
} from './wire.js';

export function changeResourceRecordSets(
  store: Route53Store,
  request: StandInRequest,
): StandInResponse {
  requireSignature(request);
  const zone = zoneParam(store, request);
  const batch = acceptBatch(store, zone, request.text());
  return xml(
    200,
    document(
      'ChangeResourceRecordSetsResponse',
      changeInfoXml({
        id: batch.id,
        // Route 53 always answers PENDING; GetChange reports INSYNC once the delay has passed.
        status: 'PENDING',
        submittedAt: batch.submittedAt,
        comment: batch.comment,
      }),
    ),
  );
}

export function getChange(store: Route53Store, request: StandInRequest): StandInResponse {
  requireSignature(request);
  const id = (request.params.id ?? '').replace(/^\/?change\//, '');
  const change = store.changes.get(id);
  if (!change) {
    throw route53Error(
      404,
      'Sender',
      'NoSuchChange',
      `A change with the specified change ID does not exist.`,
    );
  }
  return xml(
    200,
    document(
      'GetChangeResponse',
      changeInfoXml({
        id,
        status: Date.now() >= change.insyncAt ? 'INSYNC' : 'PENDING',
        submittedAt: change.info.submittedAt,
        comment: change.info.comment,
      }),
    ),
  );
}

/** Parses, validates and applies a batch, then logs it; a refused batch is 400 with its code. */
function acceptBatch(store: Route53Store, zone: Zone, body: string): AcceptedChangeBatch {
  try {
    const { comment, changes } = parseChangeBatch(body);
    zone.recordSets = applyChangeBatch(zone.name, zone.recordSets, changes);
    const info = { id: changeId(), zoneId: zone.id, comment, changes, submittedAt: new Date() };
    store.changes.set(info.id, { info, insyncAt: Date.now() + store.insyncDelayMs });
    store.accepted.push(info);
    for (const listener of store.listeners) listener(info);
    return info;
  } catch (error) {
    if (error instanceof Route53ValidationError) {
      throw route53Error(400, 'Sender', error.code, error.message);
    }
    throw error;
  }
}

/** A change id as Route 53 makes them: C and 13 upper-case letters or digits. */
function changeId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return `C${[...randomBytes(13)].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}
