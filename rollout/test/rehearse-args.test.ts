import { describe, expect, it } from '@jest/globals';

import { nextVersion, parseRehearseArgs, REHEARSAL_DEFAULTS } from '../src/rehearse-command.js';

describe('npm run rehearse arguments', () => {
  it('defaults to the quick rehearsal schedule, 50 requests/s and no broken cloud', () => {
    expect(parseRehearseArgs([])).toEqual({
      variables: REHEARSAL_DEFAULTS,
      changed: ['aws', 'azure'],
      unapprovedCloud: undefined,
      breakCloud: undefined,
      degradeCloud: undefined,
      slow: undefined,
      version: undefined,
      loadRps: 50,
      restartDowntimeMs: 1000,
      stateFile: undefined,
      outage: undefined,
      outageSeconds: 20,
    });
    expect(parseRehearseArgs(['--outage', 'azure', '--outage-seconds', '5'])).toMatchObject({
      outage: 'azure',
      outageSeconds: 5,
    });
  });

  it('takes the repository variables as flags, both --flag value and --flag=value', () => {
    const args = parseRehearseArgs([
      '--break',
      'azure',
      '--order=azure,aws',
      '--bake-seconds',
      '1',
    ]);
    expect(args).toMatchObject({
      breakCloud: 'azure',
      variables: { DEPLOY_ORDER: 'azure,aws', DEPLOY_BAKE_SECONDS: '1' },
    });
    expect(parseRehearseArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--break', 'gcp'], '--break must be aws or azure, got "gcp"'],
    [['--degrade', 'x'], '--degrade must be aws or azure, got "x"'],
    [['--unapproved', 'both'], '--unapproved must be aws or azure, got "both"'],
    [['--slow', 'azure=150ms'], '--slow must be <cloud>=+<N>ms'],
    [['--slow', 'gcp=+150ms'], '--slow must be <cloud>=+<N>ms'],
    [['--slow', 'azure=+0ms'], 'N from 1 to 10000, e.g. azure=+150ms; got "azure=+0ms"'],
    [['--slow', 'azure=+150'], '--slow must be <cloud>=+<N>ms'],
    [['--load-rps', '-1'], '--load-rps must be a whole number from 0 to 2000, got "-1"'],
    [['--version', 'a b'], '--version must be letters, digits, dots, dashes or underscores'],
    [['--bogus'], 'unknown option "--bogus"'],
    [['--outage', 'gcp'], '--outage must be aws or azure, got "gcp"'],
    [['--outage-seconds', '601'], '--outage-seconds must be a whole number from 0 to 600'],
    [['--order'], '--order needs a value'],
    [['--outage-seconds', '5'], '--outage-seconds goes with --outage aws|azure'],
    [
      ['--outage', 'azure', '--break', 'aws', '--version', '2.0.0'],
      '--outage runs no rollout: --break, --version cannot go with it (it takes --outage-seconds, --load-rps, --state-file)',
    ],
    [
      ['--outage', 'azure', '--load-rps', '0'],
      '--load-rps must be from 1 to 2000 with --outage: it measures that load',
    ],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseRehearseArgs(argv)).toThrow(message);
  });

  it.each([
    ['both', ['aws', 'azure']],
    ['aws', ['aws']],
    ['azure', ['azure']],
    ['none', []],
  ])('--changed %s: new builds for %j', (value, cells) => {
    expect(parseRehearseArgs(['--changed', value])).toMatchObject({ changed: cells });
  });

  it('--slow azure=+150ms: that cloud, 150 ms', () => {
    expect(parseRehearseArgs(['--slow', 'azure=+150ms'])).toMatchObject({
      slow: { cloud: 'azure', latencyMs: 150 },
    });
  });

  it('--unapproved names the cell whose apply is refused', () => {
    expect(parseRehearseArgs(['--unapproved', 'azure'])).toMatchObject({
      unapprovedCloud: 'azure',
    });
  });

  it('refuses an unknown --changed value, naming the accepted ones', () => {
    expect(() => parseRehearseArgs(['--changed=gcp'])).toThrow(
      '--changed must be aws, azure, both or none, got "gcp"',
    );
  });

  it('bumps the minor version by default', () => {
    expect(nextVersion('1.0.0')).toBe('1.1.0');
    expect(nextVersion('2.9.3')).toBe('2.10.0');
    expect(nextVersion('abc123')).toBe('abc123-next');
  });
});
