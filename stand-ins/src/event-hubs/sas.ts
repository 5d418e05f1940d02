import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks a Service Bus SAS token (`SharedAccessSignature sr=…&sig=…&se=…&skn=…`) the way
 * Event Hubs and Notification Hubs do: known key name, not expired, HMAC-SHA256 of
 * `<url-encoded sr>\n<se>` with the key, and `sr` a prefix of the requested resource.
 * Returns the reason it is refused, or undefined when it is accepted.
 */
export function sasRefusal(
  header: string | undefined,
  keys: Readonly<Record<string, string>>,
  resourceUri: string,
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
  const key = keys[decodeURIComponent(skn)];
  if (key === undefined)
    return `InvalidSignature: unknown SharedAccessKeyName ${decodeURIComponent(skn)}`;
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
  return undefined;
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
