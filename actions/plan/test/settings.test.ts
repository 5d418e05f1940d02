import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../shared/src/inputs/index.js';
import { builtInCatalogue } from '../../shared/src/risk/index.js';
import { readSettings } from '../src/settings.js';

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'plan-settings-'));
  mkdirSync(join(root, 'terraform', 'stacks', 'aws'), { recursive: true });
  writeFileSync(join(root, 'terraform', 'stacks', 'aws', 'prod.tfvars'), 'x = 1\n');
  writeFileSync(join(root, 'terraform', 'stacks', 'aws', 'main.tf'), '');
  mkdirSync(join(root, 'terraform', 'modules'));
  return root;
}

const inputs =
  (values: Record<string, string>) =>
  (name: string): string =>
    (values[name] ?? '').trim();

describe('readSettings', () => {
  it('reads every input into typed settings, with defaults', () => {
    const root = workspace();
    try {
      const settings = readSettings(
        inputs({
          'working-directory': 'terraform/stacks/aws',
          'github-token': 'token',
          'var-files': 'prod.tfvars\n# a comment\n',
          'backend-config': 'bucket=my-state\nregion = eu-west-1',
          targets: 'module.cell.aws_lambda_function.cart\naws_s3_bucket.logs["eu"]',
        }),
        root,
      );
      expect(settings).toEqual({
        workingDirectory: join(root, 'terraform', 'stacks', 'aws'),
        stack: 'aws',
        githubToken: 'token',
        commentAuthor: 'github-actions[bot]',
        comment: true,
        varFiles: [join(root, 'terraform', 'stacks', 'aws', 'prod.tfvars')],
        backendConfig: [
          { key: 'bucket', value: 'my-state' },
          { key: 'region', value: 'eu-west-1' },
        ],
        targets: ['module.cell.aws_lambda_function.cart', 'aws_s3_bucket.logs["eu"]'],
        replace: [],
        mode: 'plan',
        driftIgnoreAttributes: [
          {
            text: 'aws_route53_record.weighted_routing_policy.weight',
            resourceType: 'aws_route53_record',
            path: ['weighted_routing_policy', 'weight'],
          },
          {
            text: 'azurerm_cdn_frontdoor_origin.weight',
            resourceType: 'azurerm_cdn_frontdoor_origin',
            path: ['weight'],
          },
          {
            text: 'azurerm_cdn_frontdoor_origin.enabled',
            resourceType: 'azurerm_cdn_frontdoor_origin',
            path: ['enabled'],
          },
        ],
        riskRules: builtInCatalogue(),
        dataLossLabel: 'allow-data-loss',
        scope: { kind: 'cell', cloud: 'aws' },
        lock: { enabled: true, timeout: '0s' },
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.each([
    [{ 'working-directory': '' }, "Input 'working-directory': is required and was empty."],
    [{ 'working-directory': 'nope' }, "Input 'working-directory': 'nope' is not a directory"],
    [
      { 'working-directory': 'terraform/modules' },
      "Input 'working-directory': 'terraform/modules' holds no .tf or .tf.json file",
    ],
    [{ stack: 'a b' }, "Input 'stack': 'a b' is not a valid stack name"],
    [{ stack: 'x-->' }, "Input 'stack': 'x-->' is not a valid stack name"],
    [{ comment: 'yes' }, "Input 'comment': must be true or false, got 'yes'."],
    [{ mode: 'apply' }, "Input 'mode': must be one of plan, drift; got 'apply'."],
    [{ 'var-files': 'missing.tfvars' }, "Input 'var-files': 'missing.tfvars' does not exist"],
    [
      { 'backend-config': 'password' },
      "Input 'backend-config': line 1 must have the form key=value",
    ],
    [{ replace: '-destroy' }, "Input 'replace': '-destroy' is not a resource address"],
    [{ 'github-token': '' }, "Input 'github-token': is empty"],
    [
      { 'drift-ignore-attributes': 'weight' },
      "Input 'drift-ignore-attributes': 'weight' is not an attribute path",
    ],
    [{ lock: 'no' }, "Input 'lock': must be true or false, got 'no'."],
    [
      { 'comment-author': 'mallory bot' },
      "Input 'comment-author': 'mallory bot' is not a GitHub login",
    ],
    [{ 'comment-author': '-x[bot]' }, "Input 'comment-author': '-x[bot]' is not a GitHub login"],
    [
      { 'lock-timeout': '5 minutes' },
      "Input 'lock-timeout': must be a duration such as 0s, 30s, 5m or 1h30m; got '5 minutes'.",
    ],
    [{ 'lock-timeout': '-5m' }, "Input 'lock-timeout': must be a duration"],
    [
      { lock: 'false', 'lock-timeout': '5m' },
      "Input 'lock-timeout': is '5m' but lock is false: a plan that takes no lock waits for none.",
    ],
    [
      { 'drift-ignore-attributes': 'aws_route53_record.records\nnone' },
      "Input 'drift-ignore-attributes': 'none' is not an attribute path",
    ],
  ])('refuses %j with a message naming the input', (values, message) => {
    const root = workspace();
    try {
      const given = { 'working-directory': 'terraform/stacks/aws', 'github-token': 't', ...values };
      const attempt = () => readSettings(inputs(given), root);
      expect(attempt).toThrow(InputError);
      expect(attempt).toThrow(message);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads drift-ignore-attributes: given paths, none, or the traffic-shift weights by default', () => {
    const root = workspace();
    try {
      const read = (value: string) =>
        readSettings(
          inputs({
            'working-directory': 'terraform/stacks/aws',
            'github-token': 't',
            'drift-ignore-attributes': value,
          }),
          root,
        ).driftIgnoreAttributes;
      expect(
        read('aws_lambda_function.environment[0].variables\n# why: set by a pipeline'),
      ).toEqual([
        {
          text: 'aws_lambda_function.environment[0].variables',
          resourceType: 'aws_lambda_function',
          path: ['environment', 'variables'],
        },
      ]);
      expect(read('none')).toEqual([]);
      expect(read('').map((owned) => owned.text)).toEqual([
        'aws_route53_record.weighted_routing_policy.weight',
        'azurerm_cdn_frontdoor_origin.weight',
        'azurerm_cdn_frontdoor_origin.enabled',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads lock and lock-timeout: no lock at all, or a lock waited for', () => {
    const root = workspace();
    try {
      const read = (values: Record<string, string>) =>
        readSettings(
          inputs({ 'working-directory': 'terraform/stacks/aws', 'github-token': 't', ...values }),
          root,
        ).lock;
      expect(read({ lock: 'false' })).toEqual({ enabled: false });
      expect(read({ lock: 'false', 'lock-timeout': '0s' })).toEqual({ enabled: false });
      expect(read({ 'lock-timeout': '5m' })).toEqual({ enabled: true, timeout: '5m' });
      expect(read({ lock: 'true', 'lock-timeout': '1h30m' })).toEqual({
        enabled: true,
        timeout: '1h30m',
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('does not echo a backend-config line, which may hold a credential', () => {
    const root = workspace();
    try {
      const attempt = () =>
        readSettings(
          inputs({
            'working-directory': 'terraform/stacks/aws',
            'github-token': 't',
            'backend-config': 'sup3r-s3cret',
          }),
          root,
        );
      expect(attempt).toThrow(/^(?!.*sup3r-s3cret)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads risk-rules (YAML or JSON, relative to the workspace), data-loss-label and cloud', () => {
    const root = workspace();
    try {
      writeFileSync(
        join(root, 'risk.json'),
        JSON.stringify({ rules: [{ class: 'traffic', types: ['terraform_data'] }] }),
      );
      const settings = readSettings(
        inputs({
          'working-directory': 'terraform/stacks/aws',
          'github-token': 'token',
          'risk-rules': 'risk.json',
          'data-loss-label': 'data-loss-ok',
          cloud: 'global',
        }),
        root,
      );
      expect(settings.riskRules.rules.at(-1)).toMatchObject({
        class: 'traffic',
        types: ['terraform_data'],
        origin: 'risk.json, rules[0]',
      });
      expect(settings.riskRules.sources).toEqual(['built-in catalogue', 'risk.json']);
      expect(settings.dataLossLabel).toBe('data-loss-ok');
      expect(settings.scope).toEqual({ kind: 'global' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.each([
    [{ 'risk-rules': 'missing.yml' }, "Input 'risk-rules': 'missing.yml' is not a file"],
    [
      { 'risk-rules': 'rules.txt' },
      "Input 'risk-rules': 'rules.txt' must be a .yml, .yaml or .json file",
    ],
    [
      { 'risk-rules': 'bad.yml' },
      "Input 'risk-rules': bad.yml: rules[0].class: 'money' is not a known class",
    ],
    [{ 'risk-rules': 'bad.json' }, "Input 'risk-rules': bad.json: is not valid JSON"],
    [{ 'data-loss-label': 'x'.repeat(51) }, "Input 'data-loss-label': must be a label name"],
    [{ cloud: 'gcp' }, "Input 'cloud': 'gcp' is not one of aws, azure, global, none"],
  ])('refuses %j with one error naming the input and the accepted form', (bad, message) => {
    const root = workspace();
    try {
      writeFileSync(join(root, 'rules.txt'), 'rules: []');
      writeFileSync(
        join(root, 'bad.yml'),
        'rules:\n  - class: money\n    types: [aws_s3_bucket]\n',
      );
      writeFileSync(join(root, 'bad.json'), '{"rules": [');
      const read = () =>
        readSettings(
          inputs({ 'working-directory': 'terraform/stacks/aws', 'github-token': 't', ...bad }),
          root,
        );
      expect(read).toThrow(InputError);
      expect(read).toThrow(message);
      if ('risk-rules' in bad) expect(read).toThrow('Expected a YAML or JSON file with `rules:`');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
