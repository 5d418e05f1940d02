/**
 * Reading a GitHub request body the way GitHub validates it: not JSON -> 400 "Problems parsing
 * JSON"; not an object, or a field of the wrong type -> 422 "Invalid request." naming the
 * field; a body over 65,536 characters -> 422 "Validation Failed" (custom, body is too long).
 */
import type { StandInRequest } from '../http/server.js';
import { gitHubError, invalidRequest, validationFailed } from './errors.js';

/** GitHub's limit on issue and comment bodies, in characters. */
export const MAX_BODY_CHARACTERS = 65_536;

export function readJsonObject(
  request: StandInRequest,
  documentationUrl: string,
): Record<string, unknown> {
  if (request.body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(request.text());
  } catch {
    throw gitHubError(400, 'Problems parsing JSON', documentationUrl);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest(documentationUrl, 'Body should be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A comment body (required) or an issue body (optional, may be null), within the limit. */
export function checkBody(
  body: unknown,
  resource: 'IssueComment' | 'Issue',
  documentationUrl: string,
  required: boolean,
): string | null | undefined {
  if (body === undefined) {
    if (required) throw invalidRequest(documentationUrl, '"body" wasn\'t supplied.');
    return undefined;
  }
  if (body === null && !required) return null;
  if (typeof body !== 'string') {
    throw invalidRequest(
      documentationUrl,
      `For 'properties/body', ${JSON.stringify(body)} is not a string.`,
    );
  }
  // GitHub counts characters (code points), not UTF-16 units.
  if ([...body].length > MAX_BODY_CHARACTERS) {
    throw validationFailed(documentationUrl, [
      {
        resource,
        code: 'custom',
        field: 'body',
        message: `body is too long (maximum is ${MAX_BODY_CHARACTERS} characters)`,
      },
    ]);
  }
  return body;
}
