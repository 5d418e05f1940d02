/**
 * The Azure identity of the Front Door router. A rollout job can run for hours; azure/login
 * signs the Azure CLI in once, with a GitHub ID token that is valid for minutes, and the CLI
 * cannot get a new Entra token from it an hour later (Azure/azure-cli#28708). So, in a job that
 * may ask GitHub for ID tokens (`id-token: write`: ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN are
 * set) and that names the identity (AZURE_CLIENT_ID, AZURE_TENANT_ID), the action asks GitHub
 * for a fresh ID token each time Entra needs an assertion: the same workload identity
 * federation azure/login uses, for as long as the job runs. Anywhere else, the usual chain
 * (DefaultAzureCredential: environment, workload identity file, managed identity, Azure CLI).
 */
import * as core from '@actions/core';
import {
  ClientAssertionCredential,
  DefaultAzureCredential,
  type TokenCredential,
} from '@azure/identity';

/** The audience azure/login asks GitHub for, and Entra's federated credentials accept. */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** Authority hosts MSAL knows without asking login.microsoftonline.com for instance metadata. */
const KNOWN_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
]);

/**
 * A private authority (Azure Stack, a local stand-in) is unknown to MSAL, which would first
 * ask login.microsoftonline.com to validate it; skip that discovery for such hosts only.
 */
function authorityOptions(env: NodeJS.ProcessEnv): { disableInstanceDiscovery?: boolean } {
  const host = URL.canParse(env.AZURE_AUTHORITY_HOST ?? '')
    ? new URL(env.AZURE_AUTHORITY_HOST as string).host
    : '';
  return host !== '' && !KNOWN_AUTHORITY_HOSTS.has(host) ? { disableInstanceDiscovery: true } : {};
}

/** Whether this job can sign in with fresh GitHub ID tokens as the named identity. */
export function signsInWithGitHubTokens(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(
    env.ACTIONS_ID_TOKEN_REQUEST_URL &&
    env.ACTIONS_ID_TOKEN_REQUEST_TOKEN &&
    env.AZURE_CLIENT_ID &&
    env.AZURE_TENANT_ID,
  );
}

export function azureCredential(env: NodeJS.ProcessEnv = process.env): TokenCredential {
  const options = authorityOptions(env);
  if (signsInWithGitHubTokens(env)) {
    // core.getIDToken masks the token it returns.
    return new ClientAssertionCredential(
      env.AZURE_TENANT_ID as string,
      env.AZURE_CLIENT_ID as string,
      () => core.getIDToken(AZURE_TOKEN_EXCHANGE_AUDIENCE),
      options,
    );
  }
  return new DefaultAzureCredential(options);
}
