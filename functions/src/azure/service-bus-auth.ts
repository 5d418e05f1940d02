import { createHmac } from 'node:crypto';
import { SettingsError } from '../core/errors.js';

/**
 * Event Hubs and Notification Hubs (both Service Bus namespaces) take a connection string
 * `Endpoint=sb://<ns>.servicebus.windows.net/;SharedAccessKeyName=<rule>;SharedAccessKey=<key>`
 * and REST calls signed with a SAS token. An `Endpoint` of http(s)://… is used as is: that is
 * how a local stand-in is addressed.
 */
export interface ServiceBusConnection {
  /** https://<ns>.servicebus.windows.net/ (always ends with '/'). */
  readonly endpoint: string;
  readonly keyName: string;
  readonly key: string;
  readonly entityPath?: string;
}

export function parseServiceBusConnection(value: string, setting: string): ServiceBusConnection {
  const parts = new Map<string, string>();
  for (const segment of value.split(';')) {
    const index = segment.indexOf('=');
    if (index > 0)
      parts.set(segment.slice(0, index).trim().toLowerCase(), segment.slice(index + 1).trim());
  }
  const endpoint = parts.get('endpoint');
  const keyName = parts.get('sharedaccesskeyname');
  const key = parts.get('sharedaccesskey');
  if (!endpoint || !keyName || !key || !/^(sb|https?):\/\/[^/\s]+/.test(endpoint)) {
    throw new SettingsError(
      [setting],
      `${setting} must be a connection string "Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<rule>;SharedAccessKey=<key>"`,
    );
  }
  const base = endpoint.replace(/^sb:\/\//, 'https://');
  const entityPath = parts.get('entitypath');
  return {
    endpoint: base.endsWith('/') ? base : `${base}/`,
    keyName,
    key,
    ...(entityPath ? { entityPath } : {}),
  };
}

/** `SharedAccessSignature sr=…&sig=…&se=…&skn=…` for a resource URI, valid `ttlSeconds`. */
export function sasToken(
  connection: ServiceBusConnection,
  resourceUri: string,
  ttlSeconds = 3600,
  now = Date.now(),
): string {
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const encoded = encodeURIComponent(resourceUri.toLowerCase());
  const signature = createHmac('sha256', connection.key)
    .update(`${encoded}\n${expiry}`)
    .digest('base64');
  return (
    `SharedAccessSignature sr=${encoded}&sig=${encodeURIComponent(signature)}` +
    `&se=${expiry}&skn=${encodeURIComponent(connection.keyName)}`
  );
}

/** Caches one token per resource and renews it well before it expires. */
export class SasTokenCache {
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();

  constructor(private readonly connection: ServiceBusConnection) {}

  get(resourceUri: string): string {
    const now = Date.now();
    const cached = this.tokens.get(resourceUri);
    if (cached && cached.renewAt > now) return cached.token;
    const token = sasToken(this.connection, resourceUri, 3600, now);
    this.tokens.set(resourceUri, { token, renewAt: now + 45 * 60 * 1000 });
    return token;
  }
}

/**
 * One event hub or notification hub addressed over REST: signs each call with a cached SAS
 * token for the entity and turns a failure into a ServiceBusRestError naming it.
 */
export class ServiceBusEntity {
  private readonly tokens: SasTokenCache;
  readonly url: string;

  constructor(
    connection: ServiceBusConnection,
    readonly name: string,
    private readonly timeoutMs = 10_000,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.tokens = new SasTokenCache(connection);
    this.url = `${connection.endpoint}${encodeURIComponent(name)}`;
  }

  /** POST `<entity url><path>`; `what` names the call in the error (e.g. "Event Hubs send to"). */
  async post(
    path: string,
    headers: Record<string, string>,
    body: string,
    what: string,
  ): Promise<void> {
    const response = await this.fetchImpl(`${this.url}${path}`, {
      method: 'POST',
      headers: { authorization: this.tokens.get(this.url), ...headers },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await expectSuccess(response, `${what} ${this.name}`);
  }
}

/** A failed REST call: status and the service's error text, never the token. */
export class ServiceBusRestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceBusRestError';
  }
}

export async function expectSuccess(response: Response, what: string): Promise<void> {
  if (response.ok) {
    await response.arrayBuffer();
    return;
  }
  const text = (await response.text()).slice(0, 300);
  throw new ServiceBusRestError(response.status, `${what} failed: HTTP ${response.status} ${text}`);
}
