import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../shared/src/inputs/input-error.js';
import { parseSettings } from '../src/settings.js';

const workspace = mkdtempSync(join(tmpdir(), 'apply-settings-'));
const stackDir = join(workspace, 'stacks', 'aws');
mkdirSync(stackDir, { recursive: true });
writeFileSync(join(workspace, 'saved.tfplan'), 'plan');
writeFileSync(join(stackDir, 'prod.tfvars'), 'greeting = "hi"\n');

afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function parse(inputs: Record<string, string>) {
  return parseSettings((name) => inputs[name] ?? '', workspace);
}

function failure(inputs: Record<string, string>): InputError {
  try {
    parse(inputs);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseSettings', () => {
  it('fills the defaults', () => {
    const settings = parse({ 'working-directory': 'stacks/aws' });
    expect(settings).toMatchObject({
      workingDirectory: stackDir,
      stack: 'aws',
      lockTimeout: '5m',
      lockTimeoutSeconds: 300,
      includeSensitiveOutputs: false,
      varFiles: [],
      backendConfig: [],
      dataLossLabel: 'allow-data-loss',
      commentAuthor: 'github-actions[bot]',
    });
    expect(settings.riskRules.sources).toEqual(['built-in catalogue']);
    expect(settings.planPath).toBeUndefined();
    expect(settings.expectedPlanDigest).toBeUndefined();
  });

  it('reads every input', () => {
    const digest = 'A'.repeat(64);
    const settings = parse({
      'working-directory': 'stacks/aws',
      stack: 'aws-eu',
      'plan-path': 'saved.tfplan',
      'expected-plan-digest': digest,
      'lock-timeout': '1h30m',
      'include-sensitive-outputs': 'true',
      'var-files': 'prod.tfvars\n',
      'backend-config': 'key=aws/terraform.tfstate',
      'comment-author': 'multicloud-deployer[bot]',
    });
    expect(settings.commentAuthor).toBe('multicloud-deployer[bot]');
    expect(
      parse({ 'working-directory': 'stacks/aws', 'digest-key': 'k'.repeat(40) }).digestKey?.id,
    ).toMatch(/^[0-9a-f]{16}$/);
    expect(settings.planPath).toBe(join(workspace, 'saved.tfplan'));
    expect(settings.expectedPlanDigest).toBe(digest.toLowerCase());
    expect(settings.lockTimeoutSeconds).toBe(5400);
    expect(settings.includeSensitiveOutputs).toBe(true);
    expect(settings.varFiles).toEqual([join(stackDir, 'prod.tfvars')]);
    expect(settings.backendConfig).toEqual([{ key: 'key', value: 'aws/terraform.tfstate' }]);
  });

  it.each([
    [{}, 'working-directory', 'required'],
    [{ 'working-directory': 'nowhere' }, 'working-directory', 'not a folder'],
    [{ 'working-directory': 'stacks/aws', stack: 'a b' }, 'stack', 'letters, digits'],
    [
      { 'working-directory': 'stacks/aws', 'plan-path': 'missing.tfplan' },
      'plan-path',
      'does not exist',
    ],
    [
      { 'working-directory': 'stacks/aws', 'expected-plan-digest': 'abc' },
      'expected-plan-digest',
      '64 hexadecimal',
    ],
    [{ 'working-directory': 'stacks/aws', 'lock-timeout': '5 minutes' }, 'lock-timeout', '30s, 5m'],
    [
      { 'working-directory': 'stacks/aws', 'digest-key': 'short-key' },
      'digest-key',
      'at least 32 characters',
    ],
    [
      { 'working-directory': 'stacks/aws', 'comment-author': 'github-actions' + '[bot] ' + 'x' },
      'comment-author',
      'is not a GitHub login; give the login the github-token posts as',
    ],
    [
      { 'working-directory': 'stacks/aws', 'var-files': 'prod.tfvars\nstaging.tfvars' },
      'var-files',
      "'staging.tfvars' is not a file",
    ],
    [
      { 'working-directory': 'stacks/aws', 'include-sensitive-outputs': 'yes' },
      'include-sensitive-outputs',
      'true or false',
    ],
    [
      { 'working-directory': 'stacks/aws', 'data-loss-label': 'a\nb' },
      'data-loss-label',
      'a label name of 1 to 50 characters',
    ],
    [
      { 'working-directory': 'stacks/aws', 'risk-rules': 'stacks/aws/prod.tfvars' },
      'risk-rules',
      'must be a .yml, .yaml or .json file. Expected a YAML or JSON file with `rules:`',
    ],
  ])('refuses %p naming %s', (inputs, input, words) => {
    const error = failure(inputs as Record<string, string>);
    expect(error.input).toBe(input);
    expect(error.message).toContain(words);
  });
});
