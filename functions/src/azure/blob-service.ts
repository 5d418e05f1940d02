import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { BlobServiceClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { AzureCellConfig } from './config.js';

/**
 * The documents' storage account. In Azure the account has shared keys off: the client signs
 * in with the Function App's user-assigned identity (the App Service identity endpoint,
 * IDENTITY_ENDPOINT), whose roles reach only the cell's two containers. Locally (Azurite), a
 * connection string.
 * https://learn.microsoft.com/azure/storage/blobs/authorize-access-azure-active-directory
 * https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
 */
export function documentsBlobService(
  config: Pick<AzureCellConfig, 'storageConnection' | 'storageIdentity'>,
  options: StoragePipelineOptions = {},
): BlobServiceClient {
  if (config.storageIdentity) {
    const { blobServiceUri, clientId } = config.storageIdentity;
    return new BlobServiceClient(blobServiceUri, new ManagedIdentity(clientId), options);
  }
  if (!config.storageConnection) {
    throw new Error('the Azure cell needs storageConnection or storageIdentity');
  }
  return BlobServiceClient.fromConnectionString(config.storageConnection, options);
}

/**
 * @azure/identity's ManagedIdentityCredential, loaded on the first token request: the library
 * (and the MSAL it brings) is a third of the Azure bundle, and a cold start that serves a
 * health check, or runs locally on a connection string, never needs it.
 */
class ManagedIdentity implements TokenCredential {
  private credential: Promise<TokenCredential> | undefined;

  constructor(private readonly clientId: string | undefined) {}

  async getToken(
    scopes: string | string[],
    options?: GetTokenOptions,
  ): Promise<AccessToken | null> {
    this.credential ??= import('@azure/identity').then(
      ({ ManagedIdentityCredential }) =>
        new ManagedIdentityCredential(this.clientId ? { clientId: this.clientId } : {}),
    );
    return (await this.credential).getToken(scopes, options);
  }
}
