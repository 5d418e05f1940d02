/**
 * The built-in risk catalogue against the provider schema snapshot
 * (terraform/test/provider-schema/): every resource type it names exists in the aws or azurerm
 * provider, and every attribute path it names is an argument, a nested block's argument or a
 * computed attribute of that type. A misspelt type would never match a real plan.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtInCatalogue, type RiskRule } from '../../src/risk/index.js';

const schemaDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../terraform/test/provider-schema',
);

interface SchemaArgument {
  required: boolean;
  block?: Record<string, SchemaArgument>;
}
interface SchemaType {
  arguments: Record<string, SchemaArgument>;
  attributes: string[];
}

const schemas: Record<string, Record<string, SchemaType>> = Object.fromEntries(
  ['aws', 'azurerm'].map((name) => [
    name,
    (
      JSON.parse(readFileSync(join(schemaDir, `${name}.json`), 'utf8')) as {
        resources: Record<string, SchemaType>;
      }
    ).resources,
  ]),
);

function schemaOf(type: string): SchemaType | undefined {
  return schemas[type.split('_')[0] ?? '']?.[type];
}

function pathExists(schema: SchemaType, path: readonly string[]): boolean {
  const [first, ...rest] = path;
  if (first === undefined) return false;
  if (rest.length === 0 && schema.attributes.includes(first)) return true;
  let level: Record<string, SchemaArgument> | undefined = schema.arguments;
  for (const segment of path) {
    const argument: SchemaArgument | undefined = level?.[segment];
    if (!argument) return false;
    level = argument.block;
  }
  return true;
}

/** What a rule names that the snapshot does not have. */
function unknownNames(rules: readonly RiskRule[]): string[] {
  const problems: string[] = [];
  for (const rule of rules) {
    for (const type of rule.types) {
      const schema = schemaOf(type);
      if (!schema) problems.push(`${rule.origin}: no resource type ${type}`);
      else if (rule.attribute && !pathExists(schema, rule.attribute.path))
        problems.push(`${rule.origin}: ${type} has no ${rule.attribute.text}`);
    }
  }
  return problems;
}

describe('built-in risk catalogue', () => {
  const catalogue = builtInCatalogue();

  it('names only resource types and attributes the providers have', () => {
    expect(unknownNames(catalogue.rules)).toEqual([]);
  });

  it('the check finds a misspelt type and a misspelt attribute', () => {
    const rule = catalogue.rules.find((candidate) => candidate.attribute) as RiskRule;
    const attribute = rule.attribute as NonNullable<RiskRule['attribute']>;
    const wrong: RiskRule[] = [
      { ...rule, types: ['aws_s3_buckets'] },
      {
        ...rule,
        attribute: { ...attribute, text: 'force_destroyed', path: ['force_destroyed'] },
      },
    ];
    expect(unknownNames(wrong)).toEqual([
      expect.stringContaining('no resource type aws_s3_buckets'),
      expect.stringContaining('has no force_destroyed'),
    ]);
  });

  it('has the three classes, in order', () => {
    expect(catalogue.classes.map((risk) => risk.id)).toEqual(['data-loss', 'traffic', 'access']);
  });

  it.each([
    ['data-loss', ['aws_s3_bucket', 'aws_s3_object', 'aws_sqs_queue', 'aws_dynamodb_table']],
    [
      'data-loss',
      [
        'azurerm_storage_account',
        'azurerm_storage_container',
        'azurerm_eventhub_namespace',
        'azurerm_eventhub',
        'azurerm_key_vault',
        'azurerm_key_vault_secret',
        'azurerm_notification_hub_namespace',
      ],
    ],
    [
      'traffic',
      [
        'aws_route53_record',
        'aws_route53_health_check',
        'azurerm_cdn_frontdoor_route',
        'azurerm_cdn_frontdoor_origin',
        'azurerm_cdn_frontdoor_origin_group',
        'aws_apigatewayv2_stage',
        'aws_apigatewayv2_route',
        'aws_apigatewayv2_domain_name',
        'azurerm_api_management_api',
        'azurerm_api_management_api_policy',
        'aws_lambda_alias',
      ],
    ],
    [
      'access',
      [
        'aws_iam_role',
        'aws_iam_policy',
        'aws_iam_role_policy',
        'azurerm_role_assignment',
        'azurerm_federated_identity_credential',
        'aws_apigatewayv2_authorizer',
        'azurerm_api_management_api_policy',
      ],
    ],
  ])('class %s covers the types the issue names (%#)', (risk, types) => {
    const covered = new Set(
      catalogue.rules.filter((rule) => rule.class === risk).flatMap((rule) => rule.types),
    );
    expect(types.filter((type) => !covered.has(type))).toEqual([]);
  });
});
