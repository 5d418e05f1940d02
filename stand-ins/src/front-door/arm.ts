/**
 * Azure Resource Manager's wire conventions, as the Front Door stand-in answers them: every
 * request needs `api-version` (400 MissingApiVersionParameter) and a bearer token (401
 * AuthenticationFailed without one, InvalidAuthenticationToken for one `isValidToken` refuses,
 * both with WWW-Authenticate); errors are `{"error":{"code","message"}}`; every answer carries
 * x-ms-request-id and x-ms-correlation-request-id. The operations and their paths (matched
 * case-insensitively, as ARM does) are listed here once, for the router and for faults.
 */
import { randomUUID } from 'node:crypto';
import { HttpError, type StandInRequest } from '../http/server.js';
import type { ProfileScope } from './store.js';

export type FrontDoorOperation =
  'getOriginGroup' | 'listOrigins' | 'getOrigin' | 'updateOrigin' | 'operationStatus';

const PROFILE_PATH =
  '^/subscriptions/(?<subscription>[^/]+)/resourcegroups/(?<group>[^/]+)/providers/microsoft\\.cdn/profiles/(?<profile>[^/]+)';
const ORIGIN_PATH = `${PROFILE_PATH}/origingroups/(?<originGroup>[^/]+)/origins/(?<origin>[^/]+)$`;

/** In matching order. */
export const ARM_PATHS: Record<FrontDoorOperation, { method: string; path: RegExp }> = {
  getOriginGroup: {
    method: 'GET',
    path: new RegExp(`${PROFILE_PATH}/origingroups/(?<originGroup>[^/]+)$`, 'i'),
  },
  listOrigins: {
    method: 'GET',
    path: new RegExp(`${PROFILE_PATH}/origingroups/(?<originGroup>[^/]+)/origins$`, 'i'),
  },
  getOrigin: { method: 'GET', path: new RegExp(ORIGIN_PATH, 'i') },
  updateOrigin: { method: 'PATCH', path: new RegExp(ORIGIN_PATH, 'i') },
  operationStatus: {
    method: 'GET',
    path: /^\/subscriptions\/(?<subscription>[^/]+)\/resourcegroups\/(?<group>[^/]+)\/providers\/microsoft\.cdn\/operationresults\/(?<operation>[^/]+)$/i,
  },
};

/** The named groups of an ARM path match. */
export type PathMatch = Record<string, string | undefined>;

export function armHeaders(): Record<string, string> {
  const id = randomUUID();
  return {
    'x-ms-request-id': id,
    'x-ms-correlation-request-id': id,
    'cache-control': 'no-cache',
  };
}

/** An ARM error answer: throw it from a handler. */
export function armError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): HttpError {
  return new HttpError(status, { error: { code, message } }, { ...armHeaders(), ...headers });
}

export const DEFAULT_ERROR_CODES: Record<number, string> = {
  400: 'BadRequest',
  404: 'ResourceNotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Refuses a request without api-version or without a bearer token `isValidToken` accepts. */
export function checkArmRequest(
  request: StandInRequest,
  isValidToken: ((token: string) => boolean) | undefined,
): void {
  if (!request.query.get('api-version')) {
    throw armError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  const authorization = request.header('authorization');
  const challenge = {
    'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/${randomUUID()}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`,
  };
  if (!authorization) {
    throw armError(
      401,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is missing.",
      challenge,
    );
  }
  const token = /^Bearer (.+)$/i.exec(authorization)?.[1];
  if (!token || (isValidToken && !isValidToken(token))) {
    throw armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', challenge);
  }
}

/** 404 ResourceNotFound with ARM's wording, for a resource below the profile. */
export function resourceNotFound(scope: ProfileScope, kind: string, name: string): HttpError {
  return armError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.Cdn/profiles/${scope.profile}/${kind}/${name}' under resource group '${scope.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** 404 InvalidResourceType: no operation of this stand-in has that method and path. */
export function invalidResourceType(request: StandInRequest): HttpError {
  return armError(
    404,
    'InvalidResourceType',
    `The resource type could not be found in the namespace 'Microsoft.Cdn' for api version '${request.query.get('api-version') ?? ''}'.`,
  );
}

/** Poll again at once when the operation ends within a second, else after one second. */
export function retryAfter(doneAt: number): string {
  return doneAt - Date.now() >= 1000 ? '1' : '0';
}
