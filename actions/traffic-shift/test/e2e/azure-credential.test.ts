// A rollout job runs for hours; the Azure CLI's login from azure/login cannot refresh that late
// (its GitHub ID token lives minutes). In a job with id-token: write the action signs in to
// Entra with a fresh GitHub ID token whenever it needs an Azure token. This runs dist/ with
// GitHub ID tokens and Entra tokens that expire after one to two seconds: the shift still
// completes, asking GitHub again for every sign-in, and never with an expired token.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runAction } from '../../../../test-bench/src/action-runner.js';
import {
  startGitHubOidcStandIn,
  type GitHubOidcStandIn,
} from '../../../../stand-ins/src/github-oidc/index.js';
import {
  actionDir,
  startRolloutEnvironment,
  type RolloutEnvironment,
} from '../support/rollout-environment.js';

const AUDIENCE = 'api://AzureADTokenExchange';

describe('traffic-shift end to end: Azure sign-in with fresh GitHub ID tokens', () => {
  let github: GitHubOidcStandIn;
  let world: RolloutEnvironment;

  beforeEach(async () => {
    // exp is in whole seconds (iat floored): a 1 s token issued at x.95 s lives 50 ms, too short
    // to be posted to Entra on a busy machine. 2 s leaves at least one second, still far shorter
    // than the shift.
    github = await startGitHubOidcStandIn({ lifetimeSeconds: 2 });
    world = await startRolloutEnvironment({
      // Entra checks the assertion: issued by GitHub for its audience, not expired.
      federatedToken: (assertion) => github.isValid(assertion, AUDIENCE),
      // The same for Entra's tokens: exp is floored iat + lifetime, so a 1 s token could reach
      // the Front Door stand-in expired (401 InvalidAuthenticationToken, seen under load).
      tokenLifetimeSeconds: 2,
    });
  });

  afterEach(async () => {
    await world.close();
    await github.close();
  });

  it('keeps signing in for as long as the shift runs, each time with a new GitHub token', async () => {
    const result = await runAction({
      actionDir,
      inputs: world.inputs({ steps: '25,50,100', 'bake-seconds': '1.5' }),
      env: {
        ...world.env,
        // What a job with id-token: write has; no token file, no Azure CLI.
        AZURE_FEDERATED_TOKEN_FILE: undefined,
        ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken,
      },
    });

    expect([result.exitCode, result.outputs['final-split']]).toEqual([0, 'aws=100,azure=0']);
    // Several sign-ins, each with its own GitHub token, all for Entra's audience; every one
    // was accepted (an expired assertion would have been refused with invalid_client).
    const signIns = world.identity.requests.filter((request) => request.method === 'POST');
    expect(signIns.length).toBeGreaterThan(1);
    expect(signIns.every((request) => request.status === 200)).toBe(true);
    // (@azure/identity may ask for an assertion more than once per sign-in.)
    expect(github.issued.length).toBeGreaterThanOrEqual(signIns.length);
    expect(new Set(github.issued.map((entry) => entry.token)).size).toBe(github.issued.length);
    expect(github.issued.every((entry) => entry.audience === AUDIENCE)).toBe(true);
    // The first token had long expired when the last sign-in happened.
    const first = github.issued[0]?.expiresOn.getTime() ?? 0;
    const lastRequest = signIns.at(-1)?.startedAt ?? 0;
    expect(new Date(lastRequest).getTime()).toBeGreaterThan(first);
    // GitHub's tokens are masked and shown nowhere (the ::add-mask:: commands are the runner's).
    const shown = [result.stdout, result.stderr, result.summary]
      .join('\n')
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    for (const { token } of github.issued) {
      expect(result.masks).toContain(token);
      expect(shown).not.toContain(token);
    }
    expect(world.secretsShown(result)).toEqual([]);
  });

  it('fails the shift and changes nothing when GitHub will not issue a token', async () => {
    const result = await runAction({
      actionDir,
      inputs: world.inputs({ steps: '100', 'bake-seconds': '0' }),
      env: {
        ...world.env,
        AZURE_FEDERATED_TOKEN_FILE: undefined,
        ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-this-job',
      },
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failure-reason']).not.toBe('');
    expect(github.issued).toEqual([]);
    expect(world.writeCount()).toBe(0);
    expect(world.route53Weights()).toEqual({ aws: 50, azure: 50 });
    expect(world.frontDoorState()).toEqual({ aws: '500', azure: '500' });
  });
});
