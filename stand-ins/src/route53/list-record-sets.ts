/**
 * ListResourceRecordSets, as Route 53 pages it:
 *
 *   GET /2013-04-01/hostedzone/{id}/rrset?name=&type=&identifier=&maxitems=
 *
 * Record sets come in Route 53's order (names with labels reversed, then type, then set
 * identifier), starting at (name, type, identifier) when given; at most `maxitems` (default
 * and limit 300) per page, with IsTruncated and NextRecordName/Type/Identifier. `type` without
 * `name`, or `identifier` without `type`, is 400 InvalidInput.
 */
import type { StandInRequest, StandInResponse } from '../http/server.js';
import { compareRecordSets, normalizeName, type RecordSet } from './record-sets.js';
import type { Route53Store } from './store.js';
import { document, recordSetXml, requireSignature, route53Error, xml, zoneParam } from './wire.js';

interface ListQuery {
  start?: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>;
  maxItems: number;
}

export function listResourceRecordSets(
  store: Route53Store,
  request: StandInRequest,
): StandInResponse {
  requireSignature(request);
  const zone = zoneParam(store, request);
  const { start, maxItems } = readListQuery(request.query);
  const from = start
    ? zone.recordSets.filter((set) => compareRecordSets(set, start) >= 0)
    : zone.recordSets;
  const page = from.slice(0, maxItems);
  const next = from[maxItems];
  const body =
    `<ResourceRecordSets>${page.map(recordSetXml).join('')}</ResourceRecordSets>` +
    `<IsTruncated>${next ? 'true' : 'false'}</IsTruncated>` +
    (next ? nextRecordXml(next) : '') +
    `<MaxItems>${maxItems}</MaxItems>`;
  return xml(200, document('ListResourceRecordSetsResponse', body));
}

function readListQuery(query: URLSearchParams): ListQuery {
  const name = query.get('name');
  const type = query.get('type');
  const identifier = query.get('identifier');
  const maxItemsText = query.get('maxitems') ?? '300';
  const maxItems = Math.min(Number(maxItemsText), 300);
  if (!Number.isInteger(maxItems) || maxItems < 1) {
    throw invalidInput(`Invalid value for maxitems: ${maxItemsText}`);
  }
  if (type && !name) throw invalidInput('The input is not valid: type requires name');
  if (identifier && !type) {
    throw invalidInput('The input is not valid: identifier requires name and type');
  }
  if (!name) return { maxItems };
  return {
    start: {
      name: normalizeName(name),
      type: type?.toUpperCase() ?? '',
      setIdentifier: identifier ?? undefined,
    },
    maxItems,
  };
}

const invalidInput = (message: string) => route53Error(400, 'Sender', 'InvalidInput', message);

function nextRecordXml(next: RecordSet): string {
  return (
    `<NextRecordName>${next.name}</NextRecordName><NextRecordType>${next.type}</NextRecordType>` +
    (next.setIdentifier !== undefined
      ? `<NextRecordIdentifier>${next.setIdentifier}</NextRecordIdentifier>`
      : '')
  );
}
