import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  json,
  startStandInServer,
  type StandInServer,
} from '../../../stand-ins/src/http/server.js';
import { documentsBlobService } from '../../src/azure/blob-service.js';
import { azureConfigFromEnv } from '../../src/azure/config.js';
import { SettingsError } from '../../src/core/errors.js';
import { azureSettingsEnv } from '../support/cell-env.js';
import { testPeerEnv } from '../support/peer-key.js';

const clientId = '11111111-2222-3333-4444-555555555555';
const account = 'https://cellstore1a2b3c.blob.core.windows.net';

/**
 * The documents' account with shared keys off: the Blob client must sign in with the Function
 * App's user-assigned identity. App Service gives a function its identity's tokens from a local
 * endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER); a stand-in plays it, and the Blob requests are
 * captured where they would leave for Azure.
 */
describe('Azure documents through a managed identity', () => {
  let identity: StandInServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    identity = await startStandInServer({
      name: 'app-service-identity',
      routes: [
        {
          method: 'GET',
          path: '/msi/token',
          handler: (request) =>
            request.header('x-identity-header') === 'identity-secret'
              ? json(200, {
                  access_token: `token-for-${request.query.get('client_id') ?? 'system'}`,
                  expires_on: String(Math.floor(Date.now() / 1000) + 3600),
                  resource: request.query.get('resource'),
                  token_type: 'Bearer',
                  client_id: request.query.get('client_id'),
                })
              : json(401, { error: 'missing X-IDENTITY-HEADER' }),
        },
      ],
    });
    process.env.IDENTITY_ENDPOINT = `${identity.url}/msi/token`;
    process.env.IDENTITY_HEADER = 'identity-secret';
  });

  afterAll(async () => {
    process.env = saved;
    await identity?.close();
  });

  it('reads the endpoint and identity settings, and refuses both ways or neither', () => {
    const base = { ...azureSettingsEnv, ...testPeerEnv };
    const config = azureConfigFromEnv({
      ...base,
      DOCUMENTS_STORAGE__blobServiceUri: account,
      DOCUMENTS_STORAGE__clientId: clientId,
    });
    expect(config.storageIdentity).toEqual({ blobServiceUri: account, clientId });
    expect(config.storageConnection).toBeUndefined();
    for (const wrong of [
      {},
      {
        DOCUMENTS_STORAGE__blobServiceUri: account,
        DOCUMENTS_STORAGE_CONNECTION: 'UseDevelopmentStorage=true',
      },
    ]) {
      let error: unknown;
      try {
        azureConfigFromEnv({ ...base, ...wrong });
      } catch (caught) {
        error = caught;
      }
      expect((error as SettingsError).settings).toEqual([
        'DOCUMENTS_STORAGE_CONNECTION',
        'DOCUMENTS_STORAGE__blobServiceUri',
      ]);
    }
    expect(() =>
      azureConfigFromEnv({ ...base, DOCUMENTS_STORAGE__blobServiceUri: 'http://plain.example' }),
    ).toThrow(/DOCUMENTS_STORAGE__blobServiceUri is malformed/);
  });

  it("signs Blob requests with the user-assigned identity's token, never a key", async () => {
    // Where the request would leave for Azure (the Blob SDK's RequestPolicy-shaped client).
    const sent: { url: string; authorization: string | undefined }[] = [];
    const httpClient = {
      async sendRequest(request: {
        url: string;
        headers: { get(name: string): string | undefined };
      }) {
        sent.push({ url: request.url, authorization: request.headers.get('authorization') });
        return { request, status: 200, headers: legacyHeaders({ etag: '"0x1"' }) };
      },
    } as unknown as NonNullable<Parameters<typeof documentsBlobService>[1]>['httpClient'];
    const service = documentsBlobService(
      { storageIdentity: { blobServiceUri: account, clientId } },
      { httpClient, retryOptions: { maxTries: 1 } },
    );
    await service.getContainerClient('documents').getProperties();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url.startsWith(`${account}/documents`)).toBe(true);
    expect(sent[0]?.authorization).toBe(`Bearer token-for-${clientId}`);
    const asked = identity.requests.find((request) => request.path === '/msi/token');
    expect(asked?.query).toMatchObject({
      client_id: clientId,
      resource: 'https://storage.azure.com',
    });
  });
});

/** Response headers in the shape the Blob SDK's compatibility layer reads. */
function legacyHeaders(values: Record<string, string>) {
  const entries = Object.entries(values);
  return {
    get: (name: string) => values[name.toLowerCase()],
    contains: (name: string) => name.toLowerCase() in values,
    rawHeaders: () => values,
    headersArray: () => entries.map(([name, value]) => ({ name, value })),
    headerNames: () => entries.map(([name]) => name),
    headerValues: () => entries.map(([, value]) => value),
    toJson: () => values,
    clone: () => legacyHeaders(values),
    set: () => undefined,
    remove: () => false,
  };
}
