import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http/server.js';

/** The rights of a shared access authorization rule (Manage implies Send and Listen). */
export type SasRight = 'Manage' | 'Send' | 'Listen';

/**
 * A rule: its key alone (a namespace root rule: Manage, Send and Listen), or its key and the
 * rights it grants, as a least-privilege rule that Terraform creates.
 */
export type SasRule = string | { readonly key: string; readonly rights: readonly SasRight[] };

/**
 * Checks a Service Bus SAS token (`SharedAccessSignature sr=…&sig=…&se=…&skn=…`) the way
 * Event Hubs and Notification Hubs do: known key name, not expired, HMAC-SHA256 of
 * `<url-encoded sr>\n<se>` with the key, `sr` a prefix of the requested resource, and a rule
 * that grants the claim the operation needs (sending needs Send; reading an entity's
 * description needs Manage). Returns the reason it is refused, or undefined when accepted.
 */
export function sasRefusal(
  header: string | undefined,
  rules: Readonly<Record<string, SasRule>>,
  resourceUri: string,
  claim: SasRight,
  now = Date.now(),
): string | undefined {
  if (!header) return 'MissingToken: the Authorization header is required';
  const prefix = 'SharedAccessSignature ';
  if (!header.startsWith(prefix))
    return 'InvalidToken: expected "SharedAccessSignature sr=…&sig=…&se=…&skn=…"';
  const fields = new Map<string, string>();
  for (const pair of header.slice(prefix.length).split('&')) {
    const index = pair.indexOf('=');
    if (index > 0) fields.set(pair.slice(0, index), pair.slice(index + 1));
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  if (!sr || !sig || !se || !skn) return 'InvalidToken: sr, sig, se and skn are all required';
  const rule = rules[decodeURIComponent(skn)];
  if (rule === undefined)
    return `InvalidSignature: unknown SharedAccessKeyName ${decodeURIComponent(skn)}`;
  const key = typeof rule === 'string' ? rule : rule.key;
  if (!/^\d+$/.test(se) || Number(se) * 1000 < now) return 'ExpiredToken: the token has expired';
  const expected = createHmac('sha256', key).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(decodeURIComponent(sig), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'InvalidSignature: the token signature does not match';
  }
  const audience = decodeURIComponent(sr).toLowerCase().replace(/\/+$/, '');
  const resource = resourceUri.toLowerCase();
  if (resource !== audience && !resource.startsWith(`${audience}/`)) {
    return `InvalidAudience: the token is for ${audience}, not ${resource}`;
  }
  const rights: readonly SasRight[] =
    typeof rule === 'string' ? ['Manage', 'Send', 'Listen'] : rule.rights;
  if (!rights.includes(claim) && !rights.includes('Manage')) {
    // Azure's wording for a rule without the claim, e.g. a Send-only rule reading the hub.
    return claim === 'Manage'
      ? 'Unauthorized: Manage,EntityRead claims required for this operation.'
      : `Unauthorized: '${claim}' claim(s) are required to perform this operation.`;
  }
  return undefined;
}

/** A connection string for a stand-in's first rule, with the stand-in's http:// endpoint. */
export function connectionStringFor(url: string, rules: Readonly<Record<string, SasRule>>): string {
  const [name, rule] = Object.entries(rules)[0] as [string, SasRule];
  const key = typeof rule === 'string' ? rule : rule.key;
  return `Endpoint=${url}/;SharedAccessKeyName=${name};SharedAccessKey=${key}`;
}

/** The stand-ins' error body, shaped like Service Bus REST errors. */
export function serviceBusError(
  status: number,
  detail: string,
): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  return {
    status,
    headers: { 'content-type': 'application/xml; charset=utf-8' },
    body: `<Error><Code>${status}</Code><Detail>${detail.replace(/[<>&]/g, ' ')}</Detail></Error>`,
  };
}

/** Refuses (401, Service Bus error body) a request whose SAS token does not grant the claim. */
export function requireSasClaim(
  header: string | undefined,
  rules: Readonly<Record<string, SasRule>>,
  resourceUri: string,
  claim: SasRight,
): void {
  const refusal = sasRefusal(header, rules, resourceUri, claim);
  if (refusal) throw serviceBusFailure(401, refusal);
}

/** serviceBusError as a thrown answer. */
export function serviceBusFailure(status: number, detail: string): HttpError {
  const response = serviceBusError(status, detail);
  return new HttpError(response.status, response.body, response.headers);
}
