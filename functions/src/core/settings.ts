import { authSettingsSchema } from './auth/auth-settings.js';
import { SettingsError } from './errors.js';
import { leaseSettingsSchema } from './inventory-lease.js';

/**
 * A small validated environment schema: each cloud lists its settings once; reading them
 * reports every missing or malformed one by name in a single error, at cold start.
 */
export interface SettingSpec {
  readonly required?: boolean;
  readonly default?: string;
  readonly pattern?: RegExp;
  /** The accepted form, for the error message. */
  readonly describe: string;
}

export type SettingsSchema = Record<string, SettingSpec>;

export type SettingsOf<S extends SettingsSchema> = {
  [K in keyof S]: S[K] extends { required: false; default?: undefined }
    ? string | undefined
    : string;
};

export function readSettings<S extends SettingsSchema>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
  context: string,
): SettingsOf<S> {
  const problems: string[] = [];
  const names: string[] = [];
  const values: Record<string, string | undefined> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const raw = env[name]?.trim();
    const value = raw === undefined || raw === '' ? spec.default : raw;
    if (value === undefined) {
      if (spec.required !== false) {
        names.push(name);
        problems.push(`${name} is not set (${spec.describe})`);
      }
    } else if (spec.pattern && !spec.pattern.test(value)) {
      names.push(name);
      problems.push(`${name} is malformed (${spec.describe})`);
    }
    values[name] = value;
  }
  if (problems.length > 0) {
    throw new SettingsError(names, `${context} cannot start: ${problems.join('; ')}`);
  }
  return values as SettingsOf<S>;
}

export const commonSettings = {
  CELL_NAME: {
    pattern: /^[a-z][a-z0-9]{1,15}$/,
    describe: "this cell's name and id prefix, e.g. aws",
  },
  PEER_CELL_NAME: {
    pattern: /^[a-z][a-z0-9]{1,15}$/,
    describe: "the other cell's name and id prefix, e.g. azure",
  },
  PEER_URL: {
    pattern: /^https?:\/\/[^\s]+$/,
    describe: "the other cell's public base URL, http(s)://…",
  },
  PEER_TIMEOUT_MS: {
    default: '3000',
    pattern: /^[1-9][0-9]{0,5}$/,
    describe: 'milliseconds to wait for the peer cell, 1-999999',
  },
  PEER_SHARED_KEY: {
    pattern: /^[A-Za-z0-9+/_-]{43,}={0,2}$/,
    describe:
      'the key both cells sign their calls with: base64 of at least 32 bytes, from Secrets Manager / Key Vault (ADR 17)',
  },
  PEER_REPLAY_WINDOW_MS: {
    default: '60000',
    pattern: /^[1-9][0-9]{2,6}$/,
    describe: 'how far a signed peer call may lie from this clock, in ms, 100-9999999',
  },
  APP_VERSION: { pattern: /^[\w.+-]{1,64}$/, describe: 'the deployed version, e.g. 1.4.0+abc1234' },
  ...authSettingsSchema,
  ...leaseSettingsSchema,
} as const satisfies SettingsSchema;
