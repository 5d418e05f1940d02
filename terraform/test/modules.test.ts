// Static checks on every module and stack, on the HCL as Terraform's own parser reads it
// (provider plugins cannot be downloaded here, so `terraform validate` runs on GitHub only).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  apiGatewayBehindCustomDomains,
  apiManagementOnlyBehindFrontDoor,
  attributesMatchSchema,
  deprecatedSyntax,
  frontDoorCustomDomainsManaged,
  frontDoorWeightsApply,
  iamLeastPrivilege,
  logGroupsHaveRetention,
  moduleCallsMatchVariables,
  noSecretLiterals,
  providerVersionsPinned,
  queuesRedriveAndReportFailures,
  referencesResolve,
  unusedDeclarations,
  remoteStateConfigured,
  requiredProviders,
  route53WeightedRecords,
  s3BucketsLockedDown,
  sasRulesWithoutManage,
  storageAccountsLockedDown,
  variablesTypedAndDescribed,
  type ProviderSchema,
} from './support/static-checks.js';
import {
  apiManagementChecksTokens,
  functionAppsOnlyFromApiManagement,
  functionRolesScoped,
  secretsReadPerSecret,
  httpApiRoutesRequireTokens,
  httpApiRoutesThrottled,
} from './support/access-checks.js';
import {
  awsReplicationWired,
  azureReplicationWired,
  statementsForFunction,
} from './support/replication-checks.js';
import {
  bootstrapDirs,
  childModuleDir,
  loadedModules,
  moduleDirs,
  stackDirs,
  terraformRoot,
  type TerraformModule,
} from './support/terraform-module.js';

const modules = loadedModules([...moduleDirs, ...stackDirs, ...bootstrapDirs]);
const get = modules.get;
const readSchema = (name: string): ProviderSchema =>
  JSON.parse(readFileSync(join(terraformRoot, `test/provider-schema/${name}.json`), 'utf8'));
const schemas: Record<'aws' | 'azurerm' | 'github', ProviderSchema> = {
  aws: readSchema('aws'),
  azurerm: readSchema('azurerm'),
  github: readSchema('github'),
};

beforeAll(modules.load);

function childOf(module: TerraformModule) {
  return (name: string): TerraformModule | undefined => {
    const dir = childModuleDir(module, module.modules.get(name)?.body.source);
    return dir ? modules.find(dir) : undefined;
  };
}

const all = [...moduleDirs, ...stackDirs, ...bootstrapDirs];
const roots = [...stackDirs, ...bootstrapDirs];

describe.each(all)('%s', (dir) => {
  it('types and describes every variable and describes every output', () => {
    expect(variablesTypedAndDescribed(get(dir))).toEqual([]);
  });

  it('refers only to what it declares (variables, locals, modules and their outputs, resources, data)', () => {
    const module = get(dir);
    const child = childOf(module);
    expect(
      referencesResolve(module, (name) => {
        const target = child(name);
        return target ? new Set(target.outputs.keys()) : undefined;
      }),
    ).toEqual([]);
    expect(moduleCallsMatchVariables(module, child)).toEqual([]);
  });

  it('uses every variable, local and data source it declares (tflint terraform_unused_declarations)', () => {
    expect(unusedDeclarations(get(dir))).toEqual([]);
  });

  it('uses no syntax that tflint rejects as deprecated', () => {
    expect(deprecatedSyntax(get(dir))).toEqual([]);
  });

  it('pins Terraform and provider versions', () => {
    expect(
      providerVersionsPinned(get(dir), dir.startsWith('modules/') ? 'module' : 'stack'),
    ).toEqual([]);
  });

  it('holds no secret literal', () => {
    expect(noSecretLiterals(get(dir))).toEqual([]);
  });

  it('uses only arguments, blocks and attributes the aws, azurerm and github provider schemas have', () => {
    const module = get(dir);
    expect([
      ...attributesMatchSchema(module, schemas.aws, 'aws_'),
      ...attributesMatchSchema(module, schemas.azurerm, 'azurerm_'),
      ...attributesMatchSchema(module, schemas.github, 'github_'),
    ]).toEqual([]);
  });
});

describe('security and routing rules', () => {
  it('aws-cell: S3 locked down, SQS redrive with partial batch failures, log retention, no IAM wildcards', () => {
    const module = get('modules/aws-cell');
    expect(s3BucketsLockedDown(module)).toEqual([]);
    expect(queuesRedriveAndReportFailures(module)).toEqual([]);
    expect(logGroupsHaveRetention(module)).toEqual([]);
    expect(iamLeastPrivilege(module)).toEqual([]);
    // The rules must have something to look at: an empty module would pass them all.
    expect([...module.resources.keys()]).toEqual(
      expect.arrayContaining([
        'aws_s3_bucket.data',
        'aws_s3_bucket_public_access_block.data',
        'aws_lambda_event_source_mapping.order_events',
        'aws_sqs_queue.events_dlq',
      ]),
    );
  });

  it('azure-cell: storage account on TLS 1.2 with no public blob access; SAS rules without Manage', () => {
    const module = get('modules/azure-cell');
    expect(storageAccountsLockedDown(module)).toEqual([]);
    expect(sasRulesWithoutManage(module)).toEqual([]);
    expect(module.resources.has('azurerm_storage_account.this')).toBe(true);
    expect(
      module.resources.get('azurerm_eventhub_authorization_rule.functions')?.body,
    ).toMatchObject({ send: true, listen: true });
    expect(
      module.resources.get('azurerm_notification_hub_authorization_rule.send')?.body,
    ).toMatchObject({ send: true });
  });

  it('aws-cell: a JWT authorizer on every route but GET /health, the admin scope on admin routes, a throttle per route', () => {
    const module = get('modules/aws-cell');
    expect(httpApiRoutesRequireTokens(module)).toEqual([]);
    expect(httpApiRoutesThrottled(module)).toEqual([]);
    expect(module.resources.has('aws_apigatewayv2_authorizer.jwt')).toBe(true);
    // Something to check: the routes map has admin, customer and public routes.
    const routes = module.locals.get('routes')?.value as Record<string, { access: string }>;
    expect(new Set(Object.values(routes).map((route) => route.access))).toEqual(
      new Set(['public', 'customer', 'admin']),
    );
  });

  it('azure-cell: validate-jwt and a limit per token subject, the Function App only behind API Management, roles scoped to containers and secrets', () => {
    const module = get('modules/azure-cell');
    expect(apiManagementChecksTokens(module)).toEqual([]);
    expect(functionAppsOnlyFromApiManagement(module)).toEqual([]);
    expect(functionRolesScoped(module)).toEqual([]);
    expect(secretsReadPerSecret(module)).toEqual([]);
    expect([...module.resources.keys()]).toEqual(
      expect.arrayContaining([
        'azurerm_role_assignment.plan_secrets',
        'azurerm_api_management_api_policy.this',
        'azurerm_role_assignment.functions_data',
        'azurerm_role_assignment.functions_secrets',
        'azurerm_storage_account.data',
      ]),
    );
  });

  it('aws-cell: the replication queue outlasts an outage into its DLQ; its consumer and senders hold only their part', () => {
    const module = get('modules/aws-cell');
    expect(awsReplicationWired(module)).toEqual([]);
    expect([...module.resources.keys()]).toEqual(
      expect.arrayContaining([
        'aws_sqs_queue.replication',
        'aws_sqs_queue.replication_dlq',
        'aws_sqs_queue_redrive_allow_policy.replication_dlq',
        'aws_lambda_event_source_mapping.replication',
      ]),
    );
    // The replication function's whole policy: logs, the peer key, carts and orders read, its queue.
    expect(
      statementsForFunction(module, 'replication').map(({ sid, actions, resources }) => ({
        sid,
        actions,
        resources,
      })),
    ).toEqual([
      {
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: ['${aws_cloudwatch_log_group.functions[each.key].arn}:*'],
      },
      {
        sid: 'ReadPeerKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: ['${var.peer_shared_key_secret_id}'],
      },
      expect.objectContaining({ sid: 'ReadOwnDocuments', actions: ['s3:GetObject'] }),
      expect.objectContaining({ sid: 'TellMissingDocumentsApart', actions: ['s3:ListBucket'] }),
      {
        sid: 'ConsumeReplicaChanges',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: ['${aws_sqs_queue.replication.arn}'],
      },
      // Only with kms_key_arn set: the queue's messages are encrypted with it.
      {
        sid: 'UseDataKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['${var.kms_key_arn}'],
      },
    ]);
    // Which functions send replica.changed: those that write carts or orders, and no other.
    const senders = ['cart', 'orders', 'order_events', 'replicas', 'inventory', 'health'].filter(
      (name) =>
        statementsForFunction(module, name).some(
          (statement) =>
            statement.actions.includes('sqs:SendMessage') &&
            statement.resources.includes('${aws_sqs_queue.replication.arn}'),
        ),
    );
    expect(senders).toEqual(['cart', 'orders', 'order_events', 'replicas']);
  });

  it('azure-cell: the replication hub in the order events namespace, its consumer group and its own send/listen rule', () => {
    const module = get('modules/azure-cell');
    expect(azureReplicationWired(module)).toEqual([]);
    expect([...module.resources.keys()]).toEqual(
      expect.arrayContaining([
        'azurerm_eventhub.replication',
        'azurerm_eventhub_consumer_group.replication',
        'azurerm_eventhub_authorization_rule.replication',
      ]),
    );
  });

  it('global-routing: Route 53 TTL 60 + set identifiers + /health checks; Front Door latency window >= 500 ms', () => {
    const module = get('modules/global-routing');
    expect(route53WeightedRecords(module)).toEqual([]);
    expect(frontDoorWeightsApply(module)).toEqual([]);
    expect(module.resources.has('aws_route53_record.cells')).toBe(true);
    expect(module.resources.has('azurerm_cdn_frontdoor_origin_group.cells')).toBe(true);
  });

  it('aws-cell: API Gateway reached only through its custom domains, on a DNS-validated ACM certificate', () => {
    const module = get('modules/aws-cell');
    expect(apiGatewayBehindCustomDomains(module)).toEqual([]);
    expect([...module.resources.keys()]).toEqual(
      expect.arrayContaining([
        'aws_acm_certificate.api',
        'aws_acm_certificate_validation.api',
        'aws_route53_record.certificate_validation',
        'aws_apigatewayv2_domain_name.this',
        'aws_apigatewayv2_api_mapping.this',
        'aws_route53_record.cell',
      ]),
    );
  });

  it('global-routing: Front Door custom domains on managed certificates, validated by _dnsauth TXT records', () => {
    const module = get('modules/global-routing');
    expect(frontDoorCustomDomainsManaged(module)).toEqual([]);
    expect([...module.resources.keys()]).toEqual(
      expect.arrayContaining([
        'azurerm_cdn_frontdoor_custom_domain.this',
        'aws_route53_record.front_door_validation',
        'azurerm_cdn_frontdoor_route.public',
        'azurerm_cdn_frontdoor_route.cell',
      ]),
    );
    // The Front Door cell's Route 53 record points at Front Door; its origin is the primary, the
    // other cells priority-2 backups (the priorities themselves: initial-split.test.ts).
    const record = module.resources.get('aws_route53_record.cells')?.body;
    expect(record?.records).toEqual(['${local.record_targets[each.key]}']);
    expect(module.resources.get('azurerm_cdn_frontdoor_origin.cells')?.body.priority).toBe(
      '${local.front_door_priorities[each.key]}',
    );
  });

  it('azure-cell: API Management accepts only its Front Door (X-Azure-FDID, Front Door addresses), closed without one', () => {
    const module = get('modules/azure-cell');
    expect(apiManagementOnlyBehindFrontDoor(module)).toEqual([]);
    expect(module.resources.has('azurerm_api_management_policy.front_door_only')).toBe(true);
  });

  it('every resource module and stack passes every rule (rules apply wherever the resources appear)', () => {
    for (const dir of all) {
      const module = get(dir);
      expect([
        ...s3BucketsLockedDown(module),
        ...queuesRedriveAndReportFailures(module),
        ...logGroupsHaveRetention(module),
        ...iamLeastPrivilege(module),
        ...storageAccountsLockedDown(module),
        ...sasRulesWithoutManage(module),
        ...route53WeightedRecords(module),
        ...frontDoorWeightsApply(module),
        ...apiGatewayBehindCustomDomains(module),
        ...frontDoorCustomDomainsManaged(module),
        ...apiManagementOnlyBehindFrontDoor(module),
      ]).toEqual([]);
    }
  });
});

describe('stacks', () => {
  it.each(stackDirs)('%s keeps remote state with locking', (dir) => {
    expect(remoteStateConfigured(get(dir))).toEqual([]);
  });

  it.each(roots)('%s pins each provider to the version whose schema the checks use', (dir) => {
    for (const [name, { source, version }] of requiredProviders(get(dir))) {
      const schema = schemas[name as keyof typeof schemas];
      expect(schema).toBeDefined();
      expect(source).toBe(schema.source);
      expect(version.replace(/^=\s*/, '')).toBe(schema.version);
    }
  });

  it.each(all)(
    '%s: reusable modules declare no backend; stacks declare one; bootstrap stacks start on local state',
    (dir) => {
      const backends = get(dir).terraform.filter(({ body }) => body.backend !== undefined);
      expect(backends.length).toBe(dir.startsWith('stacks/') ? 1 : 0);
    },
  );
});
