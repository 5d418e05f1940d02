// Static checks on where Terraform state lives (terraform/bootstrap): the S3 bucket and the
// Azure storage account hold every secret the stacks manage, so they get more than the data
// buckets' rules: KMS encryption, TLS only, versions kept for a while, Entra ID only.
import { expandLocals } from './identity-checks.js';
import { block, blocksOfType, resolveValue } from './static-checks.js';
import { templateReferences } from './expression-references.js';
import { asBodies, type Body, type TerraformModule } from './terraform-module.js';

function refersTo(value: unknown, address: string): boolean {
  if (typeof value !== 'string') return false;
  return templateReferences(value).some(
    (reference) =>
      reference.segments
        .flatMap((segment) => (segment.kind === 'name' ? [segment.name] : []))
        .slice(0, 2)
        .join('.') === address,
  );
}

function attached(module: TerraformModule, type: string, bucket: string): Body[] {
  return blocksOfType(module, type)
    .filter(([, { body }]) => refersTo(body.bucket, bucket))
    .map(([, { body }]) => body);
}

/**
 * Every S3 bucket of a bootstrap stack: SSE-KMS with a key of this module, a bucket policy that
 * denies plain HTTP and TLS before 1.2, and a lifecycle rule that expires noncurrent versions
 * (versioning itself is s3BucketsLockedDown's).
 */
export function awsStateBucketProtected(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address] of blocksOfType(module, 'aws_s3_bucket')) {
    const where = `${module.name}: ${address}`;
    const encryption = attached(
      module,
      'aws_s3_bucket_server_side_encryption_configuration',
      address,
    );
    const byDefault = encryption.map((body) =>
      block(block(body, 'rule'), 'apply_server_side_encryption_by_default'),
    );
    if (
      !byDefault.some(
        (rule) =>
          rule.sse_algorithm === 'aws:kms' &&
          typeof rule.kms_master_key_id === 'string' &&
          rule.kms_master_key_id.includes('aws_kms_key.'),
      )
    ) {
      problems.push(`${where} must be encrypted with aws:kms and a key of this module`);
    }
    const keys = blocksOfType(module, 'aws_kms_key');
    for (const [key, { body }] of keys) {
      if (body.enable_key_rotation !== true)
        problems.push(`${module.name}: ${key} must set enable_key_rotation = true`);
    }
    const policies = attached(module, 'aws_s3_bucket_policy', address);
    const documents = policies.flatMap((body) => {
      const name = /data\.aws_iam_policy_document\.([\w-]+)\.json/.exec(String(body.policy))?.[1];
      return name
        ? asBodies(module.data.get(`aws_iam_policy_document.${name}`)?.body.statement)
        : [];
    });
    const denies = (variable: string, test: string, value: string) =>
      documents.some(
        (statement) =>
          statement.effect === 'Deny' &&
          asBodies(statement.condition).some(
            (condition) =>
              condition.variable === variable &&
              condition.test === test &&
              JSON.stringify(condition.values) === JSON.stringify([value]),
          ),
      );
    if (!denies('aws:SecureTransport', 'Bool', 'false'))
      problems.push(`${where} needs a bucket policy that denies aws:SecureTransport false`);
    if (!denies('s3:TlsVersion', 'NumericLessThan', '1.2'))
      problems.push(`${where} needs a bucket policy that denies s3:TlsVersion below 1.2`);
    const lifecycle = attached(module, 'aws_s3_bucket_lifecycle_configuration', address);
    const expiry = lifecycle.flatMap((body) =>
      asBodies(body.rule)
        .filter((rule) => rule.status === 'Enabled')
        .map((rule) => block(rule, 'noncurrent_version_expiration').noncurrent_days),
    );
    if (expiry.length === 0)
      problems.push(`${where} needs an enabled lifecycle rule with noncurrent_version_expiration`);
    if (resolveValue(module, module.resources.get(address)?.body.force_destroy) === true)
      problems.push(`${where} must not default to force_destroy = true`);
  }
  return problems;
}

/**
 * Every storage account of a bootstrap stack: Entra ID only (shared keys off, OAuth by
 * default), blob versioning, soft delete of blobs and containers, on top of the TLS and public
 * access rules every account gets (storageAccountsLockedDown).
 */
export function azureStateAccountProtected(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const [address, { body }] of blocksOfType(module, 'azurerm_storage_account')) {
    const where = `${module.name}: ${address}`;
    if (body.shared_access_key_enabled !== false)
      problems.push(`${where} must set shared_access_key_enabled = false (Entra ID only)`);
    if (body.default_to_oauth_authentication !== true)
      problems.push(`${where} must set default_to_oauth_authentication = true`);
    const blob = block(body, 'blob_properties');
    if (blob.versioning_enabled !== true)
      problems.push(`${where} must set blob_properties.versioning_enabled = true`);
    for (const retention of ['delete_retention_policy', 'container_delete_retention_policy']) {
      const days = expandLocals(module, block(blob, retention).days);
      if (days === undefined) problems.push(`${where} needs blob_properties.${retention}`);
    }
  }
  return problems;
}
