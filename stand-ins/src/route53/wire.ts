/**
 * Route 53's REST-XML wire format (API version 2013-04-01): the operations' paths, parsing a
 * ChangeResourceRecordSetsRequest body, writing ListResourceRecordSets, ChangeInfo and
 * ErrorResponse documents in the element order of the service model, and the XML answers
 * (x-amzn-requestid on each). Requests without an AWS Signature V4 `Authorization` header are
 * refused with 403 MissingAuthenticationTokenException (signatures are not verified).
 */
import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { HttpError, type StandInRequest, type StandInResponse } from '../http/server.js';
import {
  Route53ValidationError,
  normalizeName,
  type Change,
  type ChangeAction,
  type RecordSet,
} from './record-sets.js';
import type { Route53Store, Zone } from './store.js';

export const NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/';

export type Route53Operation = 'ChangeResourceRecordSets' | 'ListResourceRecordSets' | 'GetChange';

export const OPERATION_ROUTES: Record<Route53Operation, { method: string; path: string }> = {
  ChangeResourceRecordSets: { method: 'POST', path: '/2013-04-01/hostedzone/:id/rrset' },
  ListResourceRecordSets: { method: 'GET', path: '/2013-04-01/hostedzone/:id/rrset' },
  GetChange: { method: 'GET', path: '/2013-04-01/change/:id' },
};

export function xmlHeaders(): Record<string, string> {
  return { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() };
}

export function xml(status: number, body: string): StandInResponse {
  return { status, headers: xmlHeaders(), body };
}

/** A Route 53 ErrorResponse: throw it from a handler. */
export function route53Error(
  status: number,
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
): HttpError {
  return new HttpError(status, errorXml(type, code, message, randomUUID()), xmlHeaders());
}

export function requireSignature(request: StandInRequest): void {
  const authorization = request.header('authorization') ?? '';
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ')) {
    throw route53Error(
      403,
      'Sender',
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
    );
  }
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'Change' || name === 'ResourceRecord',
});

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function document(root: string, inner: string): string {
  return `<?xml version="1.0"?>\n<${root} xmlns="${NAMESPACE}">${inner}</${root}>`;
}

export function recordSetXml(set: RecordSet): string {
  const records = set.resourceRecords
    ? `<ResourceRecords>${set.resourceRecords
        .map((value) => `<ResourceRecord>${element('Value', value)}</ResourceRecord>`)
        .join('')}</ResourceRecords>`
    : '';
  const alias = set.aliasTarget
    ? `<AliasTarget>${element('HostedZoneId', set.aliasTarget.hostedZoneId)}${element(
        'DNSName',
        set.aliasTarget.dnsName,
      )}${element('EvaluateTargetHealth', set.aliasTarget.evaluateTargetHealth)}</AliasTarget>`
    : '';
  return `<ResourceRecordSet>${element('Name', set.name)}${element('Type', set.type)}${element(
    'SetIdentifier',
    set.setIdentifier,
  )}${element('Weight', set.weight)}${element('TTL', set.ttl)}${records}${alias}${element(
    'HealthCheckId',
    set.healthCheckId,
  )}</ResourceRecordSet>`;
}

export interface ChangeInfo {
  id: string;
  status: 'PENDING' | 'INSYNC';
  submittedAt: Date;
  comment?: string;
}

export function changeInfoXml(info: ChangeInfo): string {
  return `<ChangeInfo>${element('Id', `/change/${info.id}`)}${element('Status', info.status)}${element(
    'SubmittedAt',
    info.submittedAt.toISOString(),
  )}${element('Comment', info.comment)}</ChangeInfo>`;
}

export function errorXml(
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
  requestId: string,
): string {
  return document(
    'ErrorResponse',
    `<Error>${element('Type', type)}${element('Code', code)}${element(
      'Message',
      message,
    )}</Error>${element('RequestId', requestId)}`,
  );
}

/** The hosted zone the `:id` path parameter names ('Z…' or '/hostedzone/Z…'); 404 otherwise. */
export function zoneParam(store: Route53Store, request: StandInRequest): Zone {
  const id = request.params.id ?? '';
  const zone = store.zones.get(id.replace(/^\/?hostedzone\//, ''));
  if (!zone) {
    throw route53Error(404, 'Sender', 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
  }
  return zone;
}

type XmlNode = Record<string, unknown>;

function child(node: unknown, name: string): unknown {
  return typeof node === 'object' && node !== null ? (node as XmlNode)[name] : undefined;
}

function text(node: unknown, name: string): string | undefined {
  const value = child(node, name);
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

function integer(node: unknown, name: string, field: string): number | undefined {
  const value = text(node, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) {
    throw new Route53ValidationError(
      'InvalidInput',
      `Invalid XML ; cvc-datatype-valid.1.2.1: '${value}' is not a valid value for 'long'. (${field})`,
    );
  }
  return Number(value);
}

/** Parses a ChangeResourceRecordSetsRequest body into changes (names normalized). */
export function parseChangeBatch(body: string): { comment?: string; changes: Change[] } {
  let parsed: unknown;
  try {
    parsed = parser.parse(body);
  } catch (error) {
    throw new Route53ValidationError(
      'InvalidInput',
      `Invalid XML ; ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const request = child(parsed, 'ChangeResourceRecordSetsRequest');
  const batch = child(request, 'ChangeBatch');
  if (batch === undefined) {
    throw new Route53ValidationError(
      'InvalidInput',
      'ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest',
    );
  }
  const changeNodes = child(child(batch, 'Changes'), 'Change');
  const changes = (Array.isArray(changeNodes) ? changeNodes : []).map((node, index): Change => {
    const action = text(node, 'Action');
    if (action !== 'CREATE' && action !== 'DELETE' && action !== 'UPSERT') {
      throw new Route53ValidationError(
        'InvalidInput',
        `1 validation error detected: Value '${action ?? 'null'}' at 'changeBatch.changes.${index + 1}.member.action' failed to satisfy constraint: Member must satisfy enum value set: [DELETE, CREATE, UPSERT]`,
      );
    }
    const setNode = child(node, 'ResourceRecordSet');
    const name = text(setNode, 'Name');
    const type = text(setNode, 'Type');
    if (!name || !type) {
      throw new Route53ValidationError(
        'InvalidInput',
        `Invalid request: Missing field '${name ? 'Type' : 'Name'}' in Change ${index + 1}`,
      );
    }
    const recordNodes = child(child(setNode, 'ResourceRecords'), 'ResourceRecord');
    const aliasNode = child(setNode, 'AliasTarget');
    const setIdentifier = text(setNode, 'SetIdentifier');
    const weight = integer(setNode, 'Weight', 'Weight');
    const ttl = integer(setNode, 'TTL', 'TTL');
    const healthCheckId = text(setNode, 'HealthCheckId');
    const recordSet: RecordSet = {
      name: normalizeName(name),
      type: type.toUpperCase(),
      ...(setIdentifier !== undefined ? { setIdentifier } : {}),
      ...(weight !== undefined ? { weight } : {}),
      ...(ttl !== undefined ? { ttl } : {}),
      ...(Array.isArray(recordNodes)
        ? { resourceRecords: recordNodes.map((record) => text(record, 'Value') ?? '') }
        : {}),
      ...(aliasNode
        ? {
            aliasTarget: {
              hostedZoneId: text(aliasNode, 'HostedZoneId') ?? '',
              dnsName: normalizeName(text(aliasNode, 'DNSName') ?? ''),
              evaluateTargetHealth: text(aliasNode, 'EvaluateTargetHealth') === 'true',
            },
          }
        : {}),
      ...(healthCheckId !== undefined ? { healthCheckId } : {}),
    };
    return { action: action as ChangeAction, recordSet };
  });
  return { comment: text(batch, 'Comment'), changes };
}
