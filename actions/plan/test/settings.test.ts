import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../shared/src/inputs/index.js';
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
});
