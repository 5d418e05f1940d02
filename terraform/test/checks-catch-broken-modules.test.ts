// The static checks must fail on broken Terraform, or the green runs of modules.test.ts
// would prove nothing. Each case feeds one check a small snippet with one known flaw.
import { describe, expect, it } from '@jest/globals';
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
  route53WeightedRecords,
  s3BucketsLockedDown,
  sasRulesWithoutManage,
  storageAccountsLockedDown,
  variablesTypedAndDescribed,
  type ProviderSchema,
} from './support/static-checks.js';
import { moduleFromSnippets, terraformRoot } from './support/terraform-module.js';
import {
  apiManagementChecksTokens,
  functionAppsOnlyFromApiManagement,
  functionRolesScoped,
  secretsReadPerSecret,
  httpApiRoutesRequireTokens,
  httpApiRoutesThrottled,
} from './support/access-checks.js';
import { awsReplicationWired, azureReplicationWired } from './support/replication-checks.js';

const awsSchema: ProviderSchema = JSON.parse(
  readFileSync(join(terraformRoot, 'test/provider-schema/aws.json'), 'utf8'),
);
const azurermSchema: ProviderSchema = JSON.parse(
  readFileSync(join(terraformRoot, 'test/provider-schema/azurerm.json'), 'utf8'),
);

const snippet = (text: string) => moduleFromSnippets('bad', { 'main.tf': text });

/** hcl2json orders blocks by name, so problems are compared as sorted lists. */
function expectProblems(actual: string[], expected: string[]): void {
  expect([...actual].sort()).toEqual([...expected].sort());
}

describe('variables and outputs', () => {
  it('reports a variable without type or description, a reserved name, an undescribed output', async () => {
    const module = await snippet(`
variable "untyped" {
  description = "has no type"
}
variable "undescribed" {
  type = string
}
variable "version" {
  type        = string
  description = "reserved inside module blocks"
}
output "url" {
  value = var.undescribed
}
`);
    expectProblems(variablesTypedAndDescribed(module), [
      'bad: variable "untyped" has no type',
      'bad: variable "undescribed" has no description',
      'bad: variable "version" uses a name Terraform reserves',
      'bad: output "url" has no description',
    ]);
  });
});

describe('references', () => {
  it('reports undeclared variables, locals, resources, data sources and misplaced each/count', async () => {
    const module = await snippet(`
locals {
  known = "x"
}
resource "aws_sqs_queue" "q" {
  name = "\${var.missing}-\${local.known}-\${local.missing}"
  tags = { a = aws_sns_topic.nowhere.arn, b = data.aws_region.nowhere.region, c = each.key }
}
resource "aws_sqs_queue" "many" {
  for_each = toset(["a"])
  name     = "\${each.key}-\${count.index}"
  policy   = jsonencode([for p in ["x"] : "\${aws_s3_bucket.inside_for.arn}/\${p}"])
}
output "x" {
  description = "d"
  value       = module.nothing.url
}
`);
    expectProblems(referencesResolve(module), [
      'bad: aws_sqs_queue.q refers to var.missing: no variable "missing"',
      'bad: aws_sqs_queue.q refers to local.missing: no local "missing"',
      'bad: aws_sqs_queue.q refers to aws_sns_topic.nowhere.arn: no resource aws_sns_topic.nowhere',
      'bad: aws_sqs_queue.q refers to data.aws_region.nowhere.region: no data source aws_region.nowhere',
      'bad: aws_sqs_queue.q refers to each.key: the block has no for_each',
      'bad: aws_sqs_queue.many refers to count.index: the block has no count',
      'bad: aws_sqs_queue.many refers to aws_s3_bucket.inside_for.arn: no resource aws_s3_bucket.inside_for',
      'bad: output "x" refers to module.nothing.url: no module "nothing"',
    ]);
  });

  it('accepts dynamic block iterators, for-expression variables and template directives', async () => {
    const module = await snippet(`
variable "rules" {
  type        = list(string)
  description = "d"
}
resource "aws_s3_bucket" "b" {
  bucket = "%{if length(var.rules) > 0}x%{else}y%{endif}"
  dynamic "rule" {
    for_each = var.rules
    content {
      id = rule.value
    }
  }
  tags = { for k, v in { a = 1 } : k => v }
}
`);
    expect(referencesResolve(module)).toEqual([]);
  });

  it('reports a module output that the child module does not have, and module arguments it does not declare', async () => {
    const child = await moduleFromSnippets('child', {
      'variables.tf':
        'variable "name" {\n  type        = string\n  description = "d"\n}\nvariable "size" {\n  type        = number\n  description = "d"\n}\n',
      'outputs.tf': 'output "url" {\n  description = "d"\n  value       = var.name\n}\n',
    });
    const parent = await snippet(`
module "cell" {
  source = "./child"
  name   = "x"
  colour = "blue"
}
output "u" {
  description = "d"
  value       = module.cell.base_url
}
`);
    expect(referencesResolve(parent, () => new Set(child.outputs.keys()))).toEqual([
      'bad: output "u" refers to module.cell.base_url: module "cell" has no output "base_url"',
    ]);
    expectProblems(
      moduleCallsMatchVariables(parent, () => child),
      [
        'bad: module "cell" sets "colour", which child does not declare',
        'bad: module "cell" does not set required variable "size" of child',
      ],
    );
  });
});

describe('unused declarations', () => {
  it('reports a variable used only by its own validation, an unused local and data source', async () => {
    const module = await snippet(`
variable "size" {
  type        = number
  description = "d"
  validation {
    condition     = var.size > 0
    error_message = "positive"
  }
}
variable "used" {
  type        = string
  description = "d"
}
locals {
  spare = 1
}
data "aws_region" "current" {}
output "u" {
  description = "d"
  value       = var.used
}
`);
    expectProblems(unusedDeclarations(module), [
      'bad: variable "size" is declared but not used',
      'bad: local "spare" is declared but not used',
      'bad: data.aws_region.current is declared but not used',
    ]);
  });
});

describe('deprecated syntax', () => {
  it('reports interpolation-only strings, legacy indexes and empty-list comparisons', async () => {
    const module = await snippet(`
resource "aws_sqs_queue" "q" {
  name   = "\${var.name}"
  policy = aws_iam_policy_document.p.0.json
  tags   = var.list == [] ? {} : var.tags
  # a comment with "\${var.ignored}" and list.0.x is not code
  delay_seconds = "\${var.a}-\${var.b}" == "" ? 0 : 1
}
`);
    expectProblems(deprecatedSyntax(module), [
      'bad/main.tf:3: interpolation-only string; write the expression bare',
      'bad/main.tf:4: legacy index syntax (.0.); use [0]',
      'bad/main.tf:5: comparison with an empty list; use length(...) == 0',
    ]);
  });
});

describe('provider schemas', () => {
  it('reports an unknown type, an unknown argument, a missing required argument and an unknown attribute', async () => {
    const module = await snippet(`
resource "aws_lambda_function" "f" {
  function_name = "f"
  handlr        = "index.handler"
  environment {
    variabels = {}
  }
}
resource "aws_not_a_thing" "x" {}
output "arn" {
  description = "d"
  value       = aws_lambda_function.f.invoke_url
}
`);
    expectProblems(attributesMatchSchema(module, awsSchema, 'aws_'), [
      'bad: aws_lambda_function.f: unknown argument "handlr"',
      'bad: aws_lambda_function.f.environment: unknown argument "variabels"',
      'bad: aws_lambda_function.f: required argument "role" is missing',
      'bad: aws_not_a_thing.x: hashicorp/aws 6.25.0 has no resource type "aws_not_a_thing"',
      'bad: output "arn" reads aws_lambda_function.f.invoke_url, but aws_lambda_function has no attribute "invoke_url"',
    ]);
  });

  it('reports a required argument missing inside a nested block', async () => {
    const module = await snippet(`
resource "aws_s3_bucket_ownership_controls" "o" {
  bucket = "b"
  rule {}
}
`);
    expectProblems(attributesMatchSchema(module, awsSchema, 'aws_'), [
      'bad: aws_s3_bucket_ownership_controls.o.rule: required argument "object_ownership" is missing',
    ]);
  });

  it('reports a dynamic block that is not a nested block and ignore_changes on an unknown argument', async () => {
    const module = await snippet(`
resource "azurerm_cdn_frontdoor_origin" "o" {
  name                           = "o"
  cdn_frontdoor_origin_group_id  = "g"
  host_name                      = "h"
  certificate_name_check_enabled = true
  dynamic "weights" {
    for_each = [1]
    content {}
  }
  lifecycle {
    ignore_changes = [weigth]
  }
}
`);
    expectProblems(attributesMatchSchema(module, azurermSchema, 'azurerm_'), [
      'bad: azurerm_cdn_frontdoor_origin.o: dynamic "weights" is not a nested block of this type',
      'bad: azurerm_cdn_frontdoor_origin.o: ignore_changes names "weigth", which is not an argument of azurerm_cdn_frontdoor_origin',
    ]);
  });
});

describe('versions and state', () => {
  it('reports an old required_version, a provider without version, a range in a stack, no upper bound in a module', async () => {
    const module = await snippet(`
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}
`);
    expectProblems(providerVersionsPinned(module, 'stack'), [
      'bad: required_version must be ">= 1.11" or later (found ">= 1.5")',
      'bad: required_version needs an upper bound (e.g. ">= 1.11, < 2.0"), found ">= 1.5"',
      'bad: provider "aws" must be pinned to one version (x.y.z), found ">= 6.0"',
      'bad: provider "azurerm" needs both source and version',
    ]);
    expect(providerVersionsPinned(module, 'module')).toContain(
      'bad: provider "aws" needs an upper bound (e.g. ">= 6.25, < 7.0"), found ">= 6.0"',
    );
  });

  it('reports local state and an S3 backend without lockfile locking', async () => {
    const local = await snippet('terraform {\n  backend "local" {}\n}\n');
    expectProblems(remoteStateConfigured(local), [
      'bad: backend "local" is not remote state (use s3 or azurerm)',
    ]);
    const unlocked = await snippet('terraform {\n  backend "s3" {\n    key = "k"\n  }\n}\n');
    expectProblems(remoteStateConfigured(unlocked), [
      'bad: the s3 backend must lock with use_lockfile = true',
      'bad: the s3 backend must set encrypt = true',
    ]);
    const none = await snippet('terraform {\n  required_version = ">= 1.11"\n}\n');
    expectProblems(remoteStateConfigured(none), ['bad: needs exactly one backend block (found 0)']);
  });
});

describe('secrets', () => {
  it('reports key formats, secret-named literals, unmarked secret variables and outputs', async () => {
    const module = await snippet(`
variable "db_password" {
  type        = string
  description = "d"
  default     = "hunter2"
}
provider "aws" {
  access_key = "AKIAABCDEFGHIJKLMNOP"
}
resource "azurerm_notification_hub_authorization_rule" "r" {
  name = "r"
}
output "conn" {
  description = "d"
  value       = azurerm_notification_hub_authorization_rule.r.primary_connection_string
}
`);
    expectProblems(noSecretLiterals(module), [
      'bad/main.tf: contains what looks like an AWS access key ID',
      'bad: provider "aws": "access_key" is set to a literal; pass secrets in through a sensitive variable',
      'bad: variable "db_password" looks secret but is not marked sensitive',
      'bad: variable "db_password" looks secret but has a default value',
      'bad: output "conn" exposes a key or connection string without sensitive = true',
    ]);
  });
});

describe('cloud rules', () => {
  it('reports an S3 bucket with public access allowed, no owner enforcement, no versioning, no encryption', async () => {
    const module = await snippet(`
resource "aws_s3_bucket" "open" {
  bucket = "open"
}
resource "aws_s3_bucket_public_access_block" "open" {
  bucket                  = aws_s3_bucket.open.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket" "bare" {
  bucket = "bare"
}
`);
    expectProblems(s3BucketsLockedDown(module), [
      'bad: aws_s3_bucket_public_access_block.open must set block_public_policy = true',
      'bad: aws_s3_bucket.open needs aws_s3_bucket_ownership_controls with BucketOwnerEnforced',
      'bad: aws_s3_bucket.open needs aws_s3_bucket_versioning with status Enabled',
      'bad: aws_s3_bucket.open has no aws_s3_bucket_server_side_encryption_configuration',
      'bad: aws_s3_bucket.bare has no aws_s3_bucket_public_access_block',
      'bad: aws_s3_bucket.bare needs aws_s3_bucket_ownership_controls with BucketOwnerEnforced',
      'bad: aws_s3_bucket.bare needs aws_s3_bucket_versioning with status Enabled',
      'bad: aws_s3_bucket.bare has no aws_s3_bucket_server_side_encryption_configuration',
    ]);
  });

  it('reports a consumer without partial batch failures on a queue without a dead-letter queue', async () => {
    const module = await snippet(`
resource "aws_sqs_queue" "q" {
  name = "q"
}
resource "aws_lambda_event_source_mapping" "m" {
  event_source_arn = aws_sqs_queue.q.arn
  function_name    = "f"
}
`);
    expectProblems(queuesRedriveAndReportFailures(module), [
      'bad: aws_lambda_event_source_mapping.m must set function_response_types = ["ReportBatchItemFailures"]',
      'bad: aws_sqs_queue.q (read by aws_lambda_event_source_mapping.m) has no redrive_policy to a dead-letter queue',
    ]);
  });

  it('reports a log group without retention, a Lambda logging elsewhere and IAM wildcards', async () => {
    const module = await snippet(`
resource "aws_cloudwatch_log_group" "g" {
  name = "g"
}
resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "r"
}
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
  statement {
    actions   = ["route53:CreateHealthCheck", "route53:DeleteHealthCheck"]
    resources = ["*"]
  }
  statement {
    actions   = ["route53:CreateHealthCheck", "logs:CreateLogDelivery"]
    resources = ["*"]
  }
}
`);
    expectProblems(logGroupsHaveRetention(module), [
      'bad: aws_cloudwatch_log_group.g has no retention_in_days',
      'bad: aws_lambda_function.f does not log to a log group of this module (logging_config.log_group)',
    ]);
    expectProblems(iamLeastPrivilege(module), [
      'bad: data.aws_iam_policy_document.p allows a wildcard action (s3:*)',
      'bad: data.aws_iam_policy_document.p allows actions on every resource ("*"): s3:*',
      // DeleteHealthCheck takes a health check ARN: only CreateHealthCheck may have "*".
      'bad: data.aws_iam_policy_document.p allows actions on every resource ("*"): route53:DeleteHealthCheck',
    ]);
  });

  it('reports a storage account on old TLS with public blobs and a public container', async () => {
    const module = await snippet(`
resource "azurerm_storage_account" "s" {
  min_tls_version                 = "TLS1_0"
  allow_nested_items_to_be_public = true
}
resource "azurerm_storage_container" "c" {
  container_access_type = "blob"
}
`);
    expectProblems(storageAccountsLockedDown(module), [
      'bad: azurerm_storage_account.s must set min_tls_version = "TLS1_2"',
      'bad: azurerm_storage_account.s must set allow_nested_items_to_be_public = false',
      'bad: azurerm_storage_container.c must be private',
    ]);
  });

  it('reports an Event Hubs or Notification Hubs SAS rule that grants Manage', async () => {
    const module = await snippet(`
variable "manage" {
  type        = bool
  description = "d"
  default     = true
}
resource "azurerm_eventhub_authorization_rule" "e" {
  send   = true
  manage = true
}
resource "azurerm_notification_hub_authorization_rule" "n" {
  send   = true
  manage = var.manage
}
resource "azurerm_notification_hub_authorization_rule" "ok" {
  send = true
}
`);
    expectProblems(sasRulesWithoutManage(module), [
      'bad: azurerm_eventhub_authorization_rule.e must not grant manage (found true)',
      'bad: azurerm_notification_hub_authorization_rule.n must not grant manage (found "${var.manage}")',
    ]);
  });

  it('reports a Front Door latency window under 500 ms, a probe off /health and weights Terraform would reset', async () => {
    const module = await snippet(`
variable "latency" {
  type        = number
  description = "d"
  default     = 0
}
resource "azurerm_cdn_frontdoor_origin_group" "g" {
  health_probe {
    path = "/"
  }
  load_balancing {
    additional_latency_in_milliseconds = var.latency
  }
}
locals {
  weights = { aws = 500 }
}
resource "azurerm_cdn_frontdoor_origin" "o" {
  weight = local.weights["aws"]
}
resource "azurerm_cdn_frontdoor_origin" "single" {
  weight  = 1000
  enabled = true
}
`);
    expectProblems(frontDoorWeightsApply(module), [
      'bad: azurerm_cdn_frontdoor_origin_group.g load_balancing.additional_latency_in_milliseconds must be at least 500 (found 0)',
      'bad: variable "latency" must validate that it is >= 500',
      'bad: azurerm_cdn_frontdoor_origin_group.g health_probe.path must be /health',
      'bad: azurerm_cdn_frontdoor_origin.o must ignore_changes on weight (owned by traffic-shift)',
      'bad: azurerm_cdn_frontdoor_origin.o must ignore_changes on enabled (owned by traffic-shift)',
    ]);
  });

  it('reports a weighted record with a long TTL, no set identifier, no health check and managed weights', async () => {
    const module = await snippet(`
locals {
  ttl = 300
}
resource "aws_route53_record" "r" {
  ttl = local.ttl
  weighted_routing_policy {
    weight = 50
  }
}
resource "aws_route53_health_check" "root" {
  resource_path = "/"
}
resource "aws_route53_record" "checked" {
  ttl             = 60
  set_identifier  = "aws"
  health_check_id = aws_route53_health_check.root.id
  weighted_routing_policy {
    weight = 50
  }
  lifecycle {
    ignore_changes = [weighted_routing_policy]
  }
}
`);
    expectProblems(route53WeightedRecords(module), [
      'bad: aws_route53_record.r must have ttl 60 (found 300)',
      'bad: aws_route53_record.r needs a set_identifier',
      'bad: aws_route53_record.r needs a health_check_id from an aws_route53_health_check of this module',
      'bad: aws_route53_record.r must ignore_changes on weighted_routing_policy (owned by traffic-shift)',
      'bad: aws_route53_health_check.root must check /health',
    ]);
  });

  it('reports an API Gateway still open on execute-api, an old TLS policy and an unvalidated certificate', async () => {
    const module = await snippet(`
resource "aws_apigatewayv2_api" "a" {
  protocol_type = "HTTP"
}
resource "aws_acm_certificate" "c" {
  domain_name       = "api.example.com"
  validation_method = "EMAIL"
}
resource "aws_apigatewayv2_domain_name" "d" {
  domain_name = "api.example.com"
  domain_name_configuration {
    certificate_arn = aws_acm_certificate.c.arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_0"
  }
}
`);
    expectProblems(apiGatewayBehindCustomDomains(module), [
      'bad: aws_apigatewayv2_api.a must set disable_execute_api_endpoint when a custom domain serves it',
      'bad: aws_apigatewayv2_domain_name.d must use security_policy TLS_1_2',
      'bad: aws_apigatewayv2_domain_name.d must use a certificate validated by aws_acm_certificate_validation (or one given by variable)',
      'bad: aws_acm_certificate.c must use validation_method DNS (renewed by ACM)',
      'bad: aws_acm_certificate.c has no aws_acm_certificate_validation',
      'bad: aws_acm_certificate.c has no Route 53 record for its DNS validation',
    ]);
  });

  it('reports a Front Door custom domain without a managed certificate or _dnsauth record, and a route left on *.azurefd.net', async () => {
    const module = await snippet(`
resource "azurerm_cdn_frontdoor_custom_domain" "d" {
  host_name = "api.example.com"
  tls {
    certificate_type    = "CustomerCertificate"
    minimum_tls_version = "TLS10"
  }
}
resource "aws_route53_record" "wrong" {
  name    = "api.example.com"
  type    = "TXT"
  records = ["hello"]
}
resource "azurerm_cdn_frontdoor_route" "r" {
  cdn_frontdoor_custom_domain_ids = [azurerm_cdn_frontdoor_custom_domain.d.id]
  link_to_default_domain          = true
}
`);
    expectProblems(frontDoorCustomDomainsManaged(module), [
      'bad: azurerm_cdn_frontdoor_custom_domain.d must use tls.certificate_type ManagedCertificate',
      'bad: azurerm_cdn_frontdoor_custom_domain.d must set tls.minimum_tls_version TLS12',
      'bad: azurerm_cdn_frontdoor_custom_domain.d has no _dnsauth TXT record with its validation_token',
      'bad: azurerm_cdn_frontdoor_route.r serves a custom domain and must not also answer on the *.azurefd.net name',
    ]);
  });

  it('reports API Management open to anyone, a Front Door ID check without the address filter, and an open default', async () => {
    const open = await snippet(`
resource "azurerm_api_management" "open" {
  sku_name = "Consumption_0"
}
`);
    expectProblems(apiManagementOnlyBehindFrontDoor(open), [
      'bad: azurerm_api_management.open has no service-scope azurerm_api_management_policy (the Front Door check)',
    ]);
    const headerOnly = await snippet(`
variable "front_door_id" {
  type        = string
  description = "d"
  default     = null
}
resource "azurerm_api_management" "a" {
  sku_name = "Consumption_0"
}
resource "azurerm_api_management_policy" "p" {
  api_management_id = azurerm_api_management.a.id
  xml_content       = <<-XML
    <policies><inbound>
      <check-header name="X-Azure-FDID" failed-check-httpcode="403" failed-check-error-message="no">
        <value>\${var.front_door_id}</value>
      </check-header>
    </inbound></policies>
  XML
}
`);
    expectProblems(apiManagementOnlyBehindFrontDoor(headerOnly), [
      "bad: azurerm_api_management_policy.p must ip-filter to the AzureFrontDoor.Backend service tag's addresses",
      'bad: azurerm_api_management_policy.p must refuse every call (return-response) while var.front_door_id is null',
    ]);
    const wrongHeader = await snippet(`
resource "azurerm_api_management" "a" {
  sku_name = "Consumption_0"
}
resource "azurerm_api_management_policy" "p" {
  api_management_id = azurerm_api_management.a.id
  xml_content       = "<policies><inbound><check-header name=\\"X-Forwarded-Host\\" failed-check-httpcode=\\"403\\"><value>x</value></check-header></inbound></policies>"
}
`);
    expect(apiManagementOnlyBehindFrontDoor(wrongHeader)).toContain(
      'bad: azurerm_api_management_policy.p must check-header X-Azure-FDID (403) against var.front_door_id',
    );
  });
});

describe('who may reach a cell', () => {
  /**
   * An API `cell` whose policy is policy.xml.tftpl rendered with `variables` (one `name = value`
   * a line, as renderedPolicy reads them), next to `more` HCL; the test supplies the template.
   */
  const apiWithPolicy = (variables: string[], more = '') =>
    snippet(`
locals {
  openid = "\${var.auth_issuer}/.well-known/openid-configuration"
}
resource "azurerm_api_management_api" "cell" {
  name = "cell"
}
${more}
resource "azurerm_api_management_api_policy" "cell" {
  api_name    = azurerm_api_management_api.cell.name
  xml_content = templatefile("\${path.module}/policy.xml.tftpl", {
${variables.map((line) => `    ${line}`).join('\n')}
  })
}
`);

  /** A sound validate-jwt that the policy skips when `condition` (XML-escaped) holds. */
  const tokenCheckUnless = (condition: string) => `<choose><when condition="${condition}">
    <validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401" require-expiration-time="true" require-signed-tokens="true" output-token-variable-name="jwt">
      <openid-config url="\${openid}" />
      <audiences><audience>\${audience}</audience></audiences>
      <issuers><issuer>\${issuer}</issuer></issuers>
    </validate-jwt>
  </when></choose>`;

  /** The template variables a sound policy reads. */
  const policyVariables = [
    'openid = local.openid',
    'issuer = var.auth_issuer',
    'audience = var.auth_audience',
  ];

  it('reports API Gateway routes open without a token, an admin route without the scope, a foreign audience', async () => {
    const module = await snippet(`
locals {
  routes = {
    "ANY /carts"              = { function = "cart", access = "customer" }
    "ANY /inventory/{proxy+}" = { function = "inventory", access = "admin" }
    "GET /health"             = { function = "health", access = "public" }
  }
}
resource "aws_apigatewayv2_authorizer" "jwt" {
  api_id           = "api"
  name             = "jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]
  jwt_configuration {
    issuer   = var.auth_issuer
    audience = ["https://some-other-api.example"]
  }
}
resource "aws_apigatewayv2_route" "this" {
  for_each           = local.routes
  api_id             = "api"
  route_key          = each.key
  authorization_type = each.value.access == "admin" ? "JWT" : "NONE"
  authorizer_id      = aws_apigatewayv2_authorizer.jwt.id
}
resource "aws_apigatewayv2_route" "orders" {
  api_id    = "api"
  route_key = "POST /orders"
}
resource "aws_apigatewayv2_stage" "default" {
  api_id = "api"
  name   = "$default"
  default_route_settings {
    throttling_burst_limit = 10
    throttling_rate_limit  = 10
  }
}
`);
    expectProblems(httpApiRoutesRequireTokens(module), [
      "bad: aws_apigatewayv2_authorizer.jwt must require the cell's audience (var.auth_audience)",
      'bad: aws_apigatewayv2_route.this "ANY /carts" is open to anyone: it needs authorization_type = "JWT" and the JWT authorizer',
      'bad: aws_apigatewayv2_route.this "ANY /inventory/{proxy+}" is for admins but does not require var.auth_admin_scope',
      'bad: aws_apigatewayv2_route.orders "POST /orders" is open to anyone: it needs authorization_type = "JWT" and the JWT authorizer',
    ]);
    expectProblems(httpApiRoutesThrottled(module), [
      'bad: aws_apigatewayv2_stage.default has no per-route throttle for the routes of ${local.routes}',
      'bad: aws_apigatewayv2_stage.default has no per-route throttle for the routes of POST /orders',
    ]);
  });

  it('reports an API without a policy, a token check skipped for more than /health, no audience, a limit per address', async () => {
    const policy = `<policies><inbound><base />
  <choose><when condition="@(!context.Request.Url.Path.StartsWith(&quot;/inventory&quot;))">
    <validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401" require-expiration-time="true" require-signed-tokens="false">
      <openid-config url="\${openid}" />
      <issuers><issuer>\${issuer}</issuer></issuers>
    </validate-jwt>
  </when></choose>
  <rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" />
</inbound></policies>`;
    const module = await apiWithPolicy(
      ['openid = local.openid', 'issuer = var.auth_issuer'],
      'resource "azurerm_api_management_api" "forgotten" {\n  name = "forgotten"\n}',
    );
    expectProblems(
      apiManagementChecksTokens(module, () => policy),
      [
        'bad: azurerm_api_management_api.forgotten has no azurerm_api_management_api_policy',
        'bad: azurerm_api_management_api_policy.cell checks tokens only when @(!context.Request.Url.Path.StartsWith("/inventory")): every route but GET /health, PUT /replicas/ and POST /inventory-leases must need one',
        'bad: azurerm_api_management_api_policy.cell validate-jwt must set require-signed-tokens="true"',
        "bad: azurerm_api_management_api_policy.cell validate-jwt must require the cell's audience (var.auth_audience)",
        'bad: azurerm_api_management_api_policy.cell has no rate-limit-by-key counting each token subject, for every call',
        "bad: azurerm_api_management_api_policy.cell has no rate-limit-by-key per client address (X-Azure-SocketIP) for every call but Front Door's health probes",
        "bad: azurerm_api_management_api_policy.cell counts by context.Request.IpAddress, which behind Front Door is Front Door's own address: key on X-Azure-SocketIP",
      ],
    );
  });

  it('reports a limit per address only after the token check, and one per subject for some paths only', async () => {
    const policy = `<policies><inbound><base />
  ${tokenCheckUnless('@(!(context.Request.Method == &quot;GET&quot; &amp;&amp; context.Request.Url.Path == &quot;/health&quot;))')}
  <rate-limit-by-key calls="900" renewal-period="60" counter-key="@(&quot;addr:&quot; + context.Request.Headers.GetValueOrDefault(&quot;X-Azure-SocketIP&quot;, &quot;&quot;))" />
  <choose><when condition="@(context.Request.Url.Path.StartsWith(&quot;/carts&quot;))">
    <rate-limit-by-key calls="10" renewal-period="60" counter-key="@(((Jwt)context.Variables[&quot;jwt&quot;]).Subject)" />
  </when></choose>
</inbound></policies>`;
    const module = await apiWithPolicy(policyVariables);
    expectProblems(
      apiManagementChecksTokens(module, () => policy),
      [
        'bad: azurerm_api_management_api_policy.cell has no rate-limit-by-key counting each token subject, for every call',
        'bad: azurerm_api_management_api_policy.cell limits each client address only after validate-jwt: bad tokens go unlimited',
      ],
    );
  });

  it('reports a Function App open to the internet and an API Management tier without its own addresses', async () => {
    const module = await snippet(`
resource "azurerm_api_management" "this" {
  sku_name = var.apim_sku_name
}
variable "apim_sku_name" {
  type        = string
  description = "tier"
  default     = "Consumption_0"
}
resource "azurerm_function_app_flex_consumption" "this" {
  site_config {
    ip_restriction_default_action = "Allow"
    ip_restriction {
      name       = "everyone"
      ip_address = "0.0.0.0/0"
      action     = "Allow"
    }
  }
}
`);
    expectProblems(functionAppsOnlyFromApiManagement(module), [
      'bad: azurerm_function_app_flex_consumption.this must deny by default (ip_restriction_default_action = "Deny")',
      'bad: azurerm_function_app_flex_consumption.this allows 0.0.0.0/0, which is not API Management',
      'bad: azurerm_function_app_flex_consumption.this has no rule that lets API Management in',
      'bad: azurerm_api_management.this tier Consumption_0 has no IP addresses of its own to restrict to, nor rate-limit-by-key',
    ]);
  });

  it("reports functions' roles on a whole account, on their own package, on a keyed account, and keys in app settings", async () => {
    const module = await snippet(`
locals {
  app_settings = {
    DOCUMENTS = azurerm_storage_account.data.primary_connection_string
  }
}
resource "azurerm_user_assigned_identity" "functions" {
  name = "functions"
}
resource "azurerm_storage_account" "data" {
  shared_access_key_enabled = true
}
resource "azurerm_storage_container" "documents" {
  storage_account_id = azurerm_storage_account.data.id
}
resource "azurerm_storage_container" "package" {
  storage_account_id = azurerm_storage_account.data.id
}
resource "azurerm_function_app_flex_consumption" "this" {
  storage_container_endpoint = "\${azurerm_storage_account.data.primary_blob_endpoint}\${azurerm_storage_container.package.name}"
}
resource "azurerm_role_assignment" "account" {
  scope                = azurerm_storage_account.data.id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = azurerm_user_assigned_identity.functions.principal_id
}
resource "azurerm_role_assignment" "package" {
  scope                = azurerm_storage_container.package.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.functions.principal_id
}
`);
    expectProblems(functionRolesScoped(module), [
      'bad: azurerm_role_assignment.account gives the functions Storage Blob Data Owner',
      'bad: azurerm_role_assignment.account is scoped to ${azurerm_storage_account.data.id}: scope it to one container or one secret',
      'bad: azurerm_role_assignment.package lets the functions write their own deployment package',
      "bad: azurerm_storage_account.data holds the functions' data but takes shared keys",
      'bad: app_settings holds a primary_connection_string in clear: use a Key Vault reference or an identity',
    ]);
  });

  it('reports Key Vault Secrets User on a vault or a group instead of one secret', async () => {
    const module = await snippet(`
resource "azurerm_key_vault" "this" {
  name = "kv"
}
resource "azurerm_role_assignment" "vault" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = var.plan_principal_id
}
resource "azurerm_role_assignment" "group" {
  scope                = "/subscriptions/s/resourceGroups/rg-shop-azure"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = var.plan_principal_id
}
resource "azurerm_role_assignment" "one_secret" {
  scope                = "\${azurerm_key_vault.this.id}/secrets/order-events-connection"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = var.plan_principal_id
}
`);
    expectProblems(secretsReadPerSecret(module), [
      'bad: azurerm_role_assignment.vault grants Key Vault Secrets User on ${azurerm_key_vault.this.id}: grant it on one secret (<vault id>/secrets/<name>)',
      'bad: azurerm_role_assignment.group grants Key Vault Secrets User on /subscriptions/s/resourceGroups/rg-shop-azure: grant it on one secret (<vault id>/secrets/<name>)',
    ]);
  });

  it('reports an API Management token check skipped for any PUT, not only PUT /replicas/', async () => {
    const policy = `<policies><inbound><base />
  ${tokenCheckUnless(
    '@(!(context.Request.Method == &quot;GET&quot; &amp;&amp; context.Request.Url.Path == &quot;/health&quot;) &amp;&amp; !(context.Request.Method == &quot;PUT&quot;))',
  )}
</inbound></policies>`;
    const module = await apiWithPolicy(policyVariables);
    expect(apiManagementChecksTokens(module, () => policy)).toContain(
      'bad: azurerm_api_management_api_policy.cell checks tokens only when @(!(context.Request.Method == "GET" && context.Request.Url.Path == "/health") && !(context.Request.Method == "PUT")): every route but GET /health, PUT /replicas/ and POST /inventory-leases must need one',
    );
  });
});

describe('replication (ADR 23)', () => {
  it('reports a replication queue with a short DLQ, few receives, a consumer that writes and sends, and senders left out', async () => {
    const module = await snippet(`
locals {
functions = {
  cart = {
    s3_prefixes         = ["carts/", "orders/"]
    s3_read_prefixes    = []
    replication_send    = false
    replication_consume = false
  }
  health = {
    s3_prefixes         = []
    s3_read_prefixes    = []
    replication_send    = false
    replication_consume = false
  }
  replication = {
    s3_prefixes         = ["carts/", "inventory/"]
    s3_read_prefixes    = []
    replication_send    = true
    replication_consume = true
  }
}
replication_environment = { REPLICATION_QUEUE_URL = aws_sqs_queue.replication.url }
}
resource "aws_sqs_queue" "replication_dlq" {
message_retention_seconds = 86400
}
resource "aws_sqs_queue" "events" {}
resource "aws_sqs_queue" "replication" {
message_retention_seconds = 345600
redrive_policy = jsonencode({
  deadLetterTargetArn = aws_sqs_queue.replication_dlq.arn
  maxReceiveCount     = 5
})
}
data "aws_iam_policy_document" "functions" {
for_each = local.functions
statement {
  sid       = "ReadPeerKey"
  actions   = ["secretsmanager:GetSecretValue"]
  resources = ["*"]
}
statement {
  sid       = "Health"
  actions   = ["sqs:GetQueueAttributes"]
  resources = [aws_sqs_queue.replication.arn]
}
dynamic "statement" {
  for_each = each.value.replication_send ? [1] : []
  content {
    sid       = "Send"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.replication.arn, aws_sqs_queue.events.arn]
  }
}
dynamic "statement" {
  for_each = each.value.replication_consume ? [1] : []
  content {
    sid       = "Consume"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.replication.arn]
  }
}
}
resource "aws_lambda_function" "functions" {
for_each = local.functions
environment {
  variables = merge(local.replication_environment, {})
}
}
resource "aws_lambda_event_source_mapping" "replication" {
event_source_arn = aws_sqs_queue.replication.arn
function_name    = aws_lambda_function.functions["cart"].arn
}
`);
    expectProblems(awsReplicationWired(module), [
      'bad: aws_sqs_queue.replication maxReceiveCount 5 must resolve to 100-1,000: each failed delivery spends a receive while the peer is down',
      'bad: aws_sqs_queue.replication keeps messages under 7 days (message_retention_seconds): an outage outlasts them',
      'bad: aws_sqs_queue.replication dead-letter queue aws_sqs_queue.replication_dlq keeps messages less long than the queue: a message keeps its enqueue time when moved',
      'bad: aws_lambda_event_source_mapping.replication must report partial batch failures',
      'bad: aws_lambda_event_source_mapping.replication runs cart, which is not the replication consumer',
      'bad: function cart writes carts or orders but may not send replica.changed to aws_sqs_queue.replication (replication_send)',
      'bad: function cart may sqs:GetQueueAttributes on aws_sqs_queue.replication',
      'bad: function health may sqs:GetQueueAttributes on aws_sqs_queue.replication',
      'bad: function replication statement Send sends to 2 queues: one queue a statement',
      'bad: function replication may sqs:SendMessage on aws_sqs_queue.replication',
      'bad: replication function replication must only read carts/ and orders/ (s3_read_prefixes), found carts/, inventory/ with write access',
      'bad: replication function replication may read *, not only the peer key',
      'bad: replication function replication may sqs:SendMessage on ${aws_sqs_queue.replication.arn}, ${aws_sqs_queue.events.arn}',
      'bad: aws_lambda_function.functions environment must add REPLICATION_QUEUE_URL only for replication_send or replication_consume functions',
    ]);
  });

  it('reports a module with no replication queue, or one without a dead-letter queue', async () => {
    expectProblems(awsReplicationWired(await snippet('locals {\n  environment = {}\n}\n')), [
      'bad: no REPLICATION_QUEUE_URL naming an aws_sqs_queue in the locals',
    ]);
    const noDlq = await snippet(`
locals {
environment = { REPLICATION_QUEUE_URL = aws_sqs_queue.replication.url }
}
resource "aws_sqs_queue" "replication" {
message_retention_seconds = 1209600
}
`);
    expectProblems(awsReplicationWired(noDlq), [
      'bad: aws_sqs_queue.replication has no redrive_policy to a dead-letter queue of this module',
      'bad: no aws_lambda_event_source_mapping reads aws_sqs_queue.replication',
    ]);
  });

  it('reports a replication hub with a fixed retention, no consumer group of the trigger, and the order events rule', async () => {
    const module = await snippet(`
locals {
secrets = {
  order-events-connection = azurerm_eventhub_authorization_rule.functions.primary_connection_string
}
app_settings = merge({
  ORDER_EVENTS_HUB            = azurerm_eventhub.order_events.name
  ORDER_EVENTS_CONSUMER_GROUP = azurerm_eventhub_consumer_group.order_events.name
  REPLICATION_HUB             = azurerm_eventhub.replication.name
  REPLICATION_CONNECTION      = local.secret_reference["order-events-connection"]
}, var.app_settings)
}
resource "azurerm_eventhub" "order_events" {
namespace_id = azurerm_eventhub_namespace.this.id
}
resource "azurerm_eventhub" "replication" {
namespace_id      = azurerm_eventhub_namespace.other.id
message_retention = 1
}
resource "azurerm_eventhub_consumer_group" "order_events" {
name          = "order-events-consumer"
eventhub_name = azurerm_eventhub.order_events.name
}
resource "azurerm_eventhub_consumer_group" "replication" {
name          = "$Default"
eventhub_name = azurerm_eventhub.replication.name
}
resource "azurerm_eventhub_authorization_rule" "functions" {
eventhub_name = azurerm_eventhub.order_events.name
send          = true
listen        = true
manage        = true
}
`);
    expectProblems(azureReplicationWired(module), [
      "bad: azurerm_eventhub.replication is not in the order events' namespace",
      'bad: azurerm_eventhub.replication message_retention must follow var.replication_outage_hours: the trigger retries until the hub drops the event',
      'bad: azurerm_eventhub.replication has no consumer group named order-events-consumer (ORDER_EVENTS_CONSUMER_GROUP), which the replication trigger reads with',
      'bad: azurerm_eventhub_authorization_rule.functions is not a rule of azurerm_eventhub.replication',
      'bad: azurerm_eventhub_authorization_rule.functions must send and listen, never manage',
    ]);
    expectProblems(azureReplicationWired(await snippet('locals {\n  app_settings = {}\n}\n')), [
      'bad: no REPLICATION_HUB app setting naming an azurerm_eventhub',
    ]);
  });
});
