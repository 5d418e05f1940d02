import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ifMatchHolds, PoisonEventError, SettingsError } from '../src/core/errors.js';
import { consumeBatch } from '../src/core/order-events.js';
import { LastSendOutcomes, lastSendFailureHoldMs } from '../src/core/health.js';
import { idFromKey, parseId } from '../src/core/ids.js';
import { readSettings } from '../src/core/settings.js';
import { parseServiceBusConnection, sasToken } from '../src/azure/service-bus-auth.js';
import { customerTag } from '../src/azure/notification-hubs-notifier.js';

describe('If-Match', () => {
  it('matches *, one of a list, and ignores weak prefixes; never a missing document', () => {
    expect(ifMatchHolds('*', '"a"')).toBe(true);
    expect(ifMatchHolds('*', undefined)).toBe(false);
    expect(ifMatchHolds('"b", "a"', '"a"')).toBe(true);
    expect(ifMatchHolds('W/"a"', '"a"')).toBe(true);
    expect(ifMatchHolds('"b"', '"a"')).toBe(false);
  });
});

describe('ids', () => {
  it('reads the home cell and refuses unknown cells with the accepted form', () => {
    expect(parseId('azure-x_1', 'id', ['aws', 'azure'])).toEqual({
      id: 'azure-x_1',
      cell: 'azure',
    });
    expect(() => parseId('gcp-1', 'id', ['aws', 'azure'])).toThrow(
      /id must be 'aws-…' or 'azure-…'/,
    );
    expect(() => parseId('aws-', 'id', ['aws', 'azure'])).toThrow(/id must be/);
  });

  it('derives the same order id from the same key, a different one per namespace', () => {
    expect(idFromKey('aws', 'api', 'k')).toBe(idFromKey('aws', 'api', 'k'));
    expect(idFromKey('aws', 'api', 'k')).not.toBe(idFromKey('aws', 'cart', 'k'));
    expect(idFromKey('aws', 'api', 'k')).toMatch(/^aws-o[\w-]{22}$/);
  });
});

describe('settings schema', () => {
  it('applies defaults, treats blank as unset and reports every problem at once', () => {
    const schema = {
      A: { describe: 'a thing' },
      B: { default: '7', pattern: /^\d+$/, describe: 'a number' },
      C: { required: false, describe: 'optional' },
    } as const;
    expect(readSettings(schema, { A: 'x', B: ' ' }, 'test')).toEqual({
      A: 'x',
      B: '7',
      C: undefined,
    });
    let error: unknown;
    try {
      readSettings(schema, { A: '', B: 'x' }, 'test');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toBe(
      'test cannot start: A is not set (a thing); B is malformed (a number)',
    );
  });
});

describe('Service Bus connection strings and SAS tokens', () => {
  it('turns sb:// into https:// and keeps an http:// stand-in endpoint', () => {
    expect(
      parseServiceBusConnection(
        'Endpoint=sb://ns.servicebus.windows.net;SharedAccessKeyName=k;SharedAccessKey=s',
        'X',
      ),
    ).toMatchObject({ endpoint: 'https://ns.servicebus.windows.net/', keyName: 'k', key: 's' });
    expect(
      parseServiceBusConnection(
        'Endpoint=http://127.0.0.1:5/;SharedAccessKeyName=k;SharedAccessKey=s',
        'X',
      ).endpoint,
    ).toBe('http://127.0.0.1:5/');
    expect(() => parseServiceBusConnection('Endpoint=sb://ns', 'ORDER_EVENTS_CONNECTION')).toThrow(
      /ORDER_EVENTS_CONNECTION must be a connection string/,
    );
  });

  it('signs the lower-cased, encoded resource URI with its expiry', () => {
    const connection = parseServiceBusConnection(
      'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0',
      'X',
    );
    const token = sasToken(connection, 'https://NS.servicebus.windows.net/Hub', 60, 1_000_000);
    expect(token).toMatch(
      /^SharedAccessSignature sr=https%3A%2F%2Fns\.servicebus\.windows\.net%2Fhub&sig=[^&]+&se=1060&skn=send$/,
    );
  });
});

describe('Notification Hubs customer tags', () => {
  it('keeps the characters tags allow and writes any other as #xx, which no subject holds', () => {
    expect(customerTag('alice@shop.example')).toBe('customer:alice@shop.example');
    expect(customerTag('auth0|5f1c')).toBe('customer:auth0#7c5f1c');
    expect(customerTag('a_b:c-d.e')).toBe('customer:a_b:c-d.e');
    expect(customerTag('auth0|x')).not.toBe(customerTag('auth0_x'));
  });
});

describe('consumeBatch', () => {
  const handled: unknown[] = [];
  const consumer = {
    async handle(raw: unknown) {
      if (raw === 'poison') throw new PoisonEventError('bad');
      if (raw === 'flaky') throw new Error('try again');
      handled.push(raw);
    },
  };
  const items = ['a', 'poison', 'b', 'flaky', 'c'].map((body, index) => ({
    itemId: `m${index}`,
    body,
  }));

  it('handles every item independently and reports each failure, poison or not', async () => {
    handled.length = 0;
    const failures = await consumeBatch(consumer, items);
    expect(failures.map((f) => [f.itemId, f.poison])).toEqual([
      ['m1', true],
      ['m3', false],
    ]);
    expect(handled).toEqual(['a', 'b', 'c']);
  });

  it('in order (FIFO) stops at the first failure and reports the rest unprocessed', async () => {
    handled.length = 0;
    const failures = await consumeBatch(consumer, items, { ordered: true });
    expect(failures.map((f) => f.itemId)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(failures[0]?.poison).toBe(true);
    expect(handled).toEqual(['a']);
  });
});

describe('health from the last send', () => {
  it('is unknown before a send, ok after one, failing for the hold window after a failure', () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const outcomes = new LastSendOutcomes(() => new Date(clock));
    expect(outcomes.report('events')).toEqual({ status: 'unknown', source: 'last-send' });
    outcomes.record('events');
    expect(outcomes.report('events')).toEqual({
      status: 'ok',
      source: 'last-send',
      lastSendAt: '2026-01-01T00:00:00.000Z',
    });
    clock += 1000;
    outcomes.record('events', new Error('Event Hubs send to order-events failed: HTTP 503'));
    expect(outcomes.report('events')).toMatchObject({
      status: 'failing',
      lastSendAt: '2026-01-01T00:00:01.000Z',
      error: 'Event Hubs send to order-events failed: HTTP 503',
    });
    expect(outcomes.report('notifications').status).toBe('unknown');
    // A cell drained of traffic sends nothing: an old failure no longer holds it unhealthy.
    clock += lastSendFailureHoldMs;
    expect(outcomes.report('events')).toMatchObject({
      status: 'unknown',
      error: expect.any(String),
    });
    outcomes.record('events');
    expect(outcomes.report('events').status).toBe('ok');
  });
});

/** Libraries the core may use: they speak standards (JOSE), not a cloud. */
const cloudNeutralLibraries = ['jose'];

describe('the core is cloud-neutral', () => {
  it('imports nothing outside src/core but Node built-ins and jose (no cloud SDK, no adapter)', () => {
    const core = resolve(dirname(fileURLToPath(import.meta.url)), '../src/core');
    const files = readdirSync(core, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(10);
    const outside: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(core, file), 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = specifier as string;
        if (spec.startsWith('node:') || cloudNeutralLibraries.includes(spec)) continue;
        const target = spec.startsWith('.') ? resolve(core, dirname(file), spec) : spec;
        if (!spec.startsWith('.') || relative(core, target).startsWith('..'))
          outside.push(`${file} imports ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
