data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  workload   = var.workload_name_prefix

  state_bucket_name = coalesce(var.state_bucket_name, "${var.name}-tfstate-${local.account_id}-${var.region}")
  state_bucket_arn  = "arn:${local.partition}:s3:::${local.state_bucket_name}"

  # GitHub's OIDC issuer and the audience aws-actions/configure-aws-credentials asks for.
  # https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
  github_oidc_host     = "token.actions.githubusercontent.com"
  github_oidc_audience = "sts.amazonaws.com"
  github_oidc_provider_arn = (
    var.create_github_oidc_provider
    ? aws_iam_openid_connect_provider.github[0].arn
    : var.existing_github_oidc_provider_arn
  )

  # The `sub` claims GitHub puts in a job's token (docs.github.com, "About security hardening
  # with OpenID Connect", section "Example subject claims"): a job that names an environment
  # gets repo:<owner>/<repo>:environment:<name>, whatever its event; otherwise a pull_request
  # event gets repo:<owner>/<repo>:pull_request and a push or schedule on a branch gets
  # repo:<owner>/<repo>:ref:refs/heads/<branch>.
  # https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims
  plan_subjects = [
    "repo:${var.github_repository}:pull_request",
    "repo:${var.github_repository}:ref:refs/heads/${var.github_default_branch}",
  ]
  deploy_subjects = [
    "repo:${var.github_repository}:environment:${var.github_environment}",
  ]

  # ARN patterns of what the aws and global stacks create: every name starts with the workload
  # prefix (modules/aws-cell names everything "<name>-<environment>-...").
  workload_arns = {
    buckets   = "arn:${local.partition}:s3:::${local.workload}*"
    queues    = "arn:${local.partition}:sqs:*:${local.account_id}:${local.workload}*"
    topics    = "arn:${local.partition}:sns:*:${local.account_id}:${local.workload}*"
    functions = "arn:${local.partition}:lambda:*:${local.account_id}:function:${local.workload}*"
    mappings  = "arn:${local.partition}:lambda:*:${local.account_id}:event-source-mapping:*"
    # EventBridge rules on the default bus (the inventory lease schedule, ADR 25).
    rules      = "arn:${local.partition}:events:*:${local.account_id}:rule/${local.workload}*"
    roles      = "arn:${local.partition}:iam::${local.account_id}:role/${local.workload}*"
    secrets    = "arn:${local.partition}:secretsmanager:*:${local.account_id}:secret:${local.workload}*"
    log_groups = ["arn:${local.partition}:logs:*:${local.account_id}:log-group:/aws/lambda/${local.workload}*", "arn:${local.partition}:logs:*:${local.account_id}:log-group:/aws/apigateway/${local.workload}*"]
    # API Gateway ARNs carry the API's generated ID, not its name.
    apis = [
      "arn:${local.partition}:apigateway:*::/apis",
      "arn:${local.partition}:apigateway:*::/apis/*",
      "arn:${local.partition}:apigateway:*::/domainnames",
      "arn:${local.partition}:apigateway:*::/domainnames/*",
      "arn:${local.partition}:apigateway:*::/tags/*",
    ]
    zones         = [for id in var.route53_zone_ids : "arn:${local.partition}:route53:::hostedzone/${id}"]
    health_checks = "arn:${local.partition}:route53:::healthcheck/*"
    changes       = "arn:${local.partition}:route53:::change/*"
  }

  boundary_policy_name = "${var.name}-cell-function-boundary"
  boundary_policy_arn  = "arn:${local.partition}:iam::${local.account_id}:policy/${local.boundary_policy_name}"
  plan_role_name       = "${var.name}-github-plan"
  deploy_role_name     = "${var.name}-github-deploy"
}

################################################################################
# State: KMS key and S3 bucket (versioned, encrypted, private, TLS only)
################################################################################

# No key policy: AWS applies the default one, which lets IAM policies in this account grant
# use of the key (the roles below get Decrypt, and Encrypt/GenerateDataKey for deploys).
# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
resource "aws_kms_key" "state" {
  description             = "Terraform state of ${var.github_repository}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "state" {
  name          = "alias/${var.name}-tfstate"
  target_key_id = aws_kms_key.state.key_id
}

resource "aws_s3_bucket" "state" {
  bucket        = local.state_bucket_name
  force_destroy = var.allow_state_bucket_destroy

  lifecycle {
    precondition {
      condition     = length(local.state_bucket_name) <= 63
      error_message = "The state bucket name ${local.state_bucket_name} is longer than S3's 63 characters: shorten name or set state_bucket_name."
    }
  }
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket = aws_s3_bucket.state.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    bucket_key_enabled = true
  }
}

# Overwritten state versions are the way back from a bad apply; they expire after a while, and
# so do the S3 lock files Terraform leaves behind when a run is killed mid-lock.
resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.state_noncurrent_version_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

# TLS only, 1.2 or later: aws:SecureTransport and s3:TlsVersion.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
data "aws_iam_policy_document" "state_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.state_bucket_arn, "${local.state_bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "DenyOldTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.state_bucket_arn, "${local.state_bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.state]
}

################################################################################
# GitHub OIDC identity provider
################################################################################

# No thumbprint_list: for token.actions.githubusercontent.com IAM verifies the issuer's
# certificate against its own trusted root CAs (optional since aws provider 5.81).
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc_verify-thumbprint.html
resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc_host}"
  client_id_list = [local.github_oidc_audience]
}

################################################################################
# Trust: who may assume each role
################################################################################

# Both `aud` and `sub` are checked with StringEquals (no wildcard): IAM's web identity keys
# token.actions.githubusercontent.com:aud and :sub, as GitHub and IAM document; a role that
# trusts GitHub without a `sub` condition can be assumed by any repository's workflow.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
data "aws_iam_policy_document" "plan_trust" {
  statement {
    sid     = "GitHubPullRequestsAndDefaultBranch"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = [local.github_oidc_audience]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = local.plan_subjects
    }
  }
}

data "aws_iam_policy_document" "deploy_trust" {
  statement {
    sid     = "GitHubProductionEnvironment"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = [local.github_oidc_audience]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = local.deploy_subjects
    }
  }
}

################################################################################
# Plan role: reads state (without the lock) and the configuration of what the stacks manage
################################################################################

resource "aws_iam_role" "plan" {
  name                 = local.plan_role_name
  description          = "Terraform plans of ${var.github_repository} (pull requests, drift): read only, no lock."
  assume_role_policy   = data.aws_iam_policy_document.plan_trust.json
  max_session_duration = var.plan_max_session_seconds
}

data "aws_iam_policy_document" "plan" {
  # The S3 backend reads the state with ListBucket + GetObject; plans run with -lock=false, so
  # no PutObject/DeleteObject of the *.tflock file. Terraform's S3 backend documentation lists
  # these permissions: https://developer.hashicorp.com/terraform/language/backend/s3#permissions-required
  statement {
    sid       = "ListState"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]
  }

  statement {
    sid       = "ReadState"
    actions   = ["s3:GetObject"]
    resources = ["${local.state_bucket_arn}/*"]
  }

  statement {
    sid       = "DecryptState"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.state.arn]
  }

  # Bucket configuration only: no s3:GetObject on the data buckets.
  statement {
    sid = "ReadBucketConfiguration"
    actions = [
      "s3:ListBucket",
      "s3:GetBucket*",
      "s3:GetAccelerateConfiguration",
      "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
    ]
    resources = [local.workload_arns.buckets]
  }

  # Queue and topic attributes only: no sqs:ReceiveMessage.
  statement {
    sid       = "ReadQueueConfiguration"
    actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags", "sqs:ListDeadLetterSourceQueues"]
    resources = [local.workload_arns.queues]
  }

  statement {
    sid       = "ReadTopicConfiguration"
    actions   = ["sns:GetTopicAttributes", "sns:ListTagsForResource"]
    resources = [local.workload_arns.topics]
  }

  statement {
    sid = "ReadFunctionConfiguration"
    actions = [
      "lambda:GetFunction",
      "lambda:GetFunctionConfiguration",
      "lambda:GetFunctionCodeSigningConfig",
      "lambda:GetFunctionConcurrency",
      "lambda:GetFunctionRecursionConfig",
      "lambda:GetPolicy",
      "lambda:GetRuntimeManagementConfig",
      "lambda:ListTags",
      "lambda:ListVersionsByFunction",
    ]
    resources = [local.workload_arns.functions]
  }

  statement {
    sid       = "ReadEventSourceMappings"
    actions   = ["lambda:GetEventSourceMapping"]
    resources = [local.workload_arns.mappings]
  }

  # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html
  statement {
    sid       = "ReadScheduleRules"
    actions   = ["events:DescribeRule", "events:ListTargetsByRule", "events:ListTagsForResource"]
    resources = [local.workload_arns.rules]
  }

  statement {
    sid       = "ReadFunctionRoles"
    actions   = ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"]
    resources = [local.workload_arns.roles]
  }

  # Log group settings only: no logs:GetLogEvents or FilterLogEvents (logs can hold data).
  statement {
    sid       = "ListLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["arn:${local.partition}:logs:*:${local.account_id}:log-group:*"]
  }

  statement {
    sid       = "ReadLogGroupTags"
    actions   = ["logs:ListTagsForResource", "logs:ListTagsLogGroup"]
    resources = local.workload_arns.log_groups
  }

  statement {
    sid       = "ReadHttpApis"
    actions   = ["apigateway:GET"]
    resources = local.workload_arns.apis
  }

  statement {
    sid       = "ReadHealthChecks"
    actions   = ["route53:GetHealthCheck", "route53:ListTagsForResource"]
    resources = [local.workload_arns.health_checks]
  }

  dynamic "statement" {
    for_each = length(var.route53_zone_ids) > 0 ? [1] : []

    content {
      sid       = "ReadWeightedRecords"
      actions   = ["route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"]
      resources = local.workload_arns.zones
    }
  }
}

resource "aws_iam_role_policy" "plan" {
  name   = "read-only"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan.json
}

################################################################################
# Deploy role: applies the aws and global stacks and shifts traffic on Route 53
################################################################################

resource "aws_iam_role" "deploy" {
  name                 = local.deploy_role_name
  description          = "Terraform applies and traffic shifts of ${var.github_repository}, environment ${var.github_environment}."
  assume_role_policy   = data.aws_iam_policy_document.deploy_trust.json
  max_session_duration = var.deploy_max_session_seconds
}

data "aws_iam_policy_document" "deploy" {
  # State with the S3 lock file (use_lockfile): the lock is a <key>.tflock object written and
  # deleted beside the state.
  # https://developer.hashicorp.com/terraform/language/backend/s3#permissions-required
  statement {
    sid       = "ListState"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]
  }

  statement {
    sid       = "ReadWriteStateAndLock"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.state_bucket_arn}/*"]
  }

  statement {
    sid       = "EncryptState"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.state.arn]
  }

  statement {
    sid = "ManageDataBuckets"
    actions = [
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:ListBucket",
      "s3:GetBucket*",
      "s3:PutBucket*",
      "s3:GetAccelerateConfiguration",
      "s3:GetEncryptionConfiguration",
      "s3:PutEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:PutLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
    ]
    resources = [local.workload_arns.buckets]
  }

  statement {
    sid = "ManageQueues"
    actions = [
      "sqs:CreateQueue",
      "sqs:DeleteQueue",
      "sqs:GetQueueAttributes",
      "sqs:SetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ListQueueTags",
      "sqs:TagQueue",
      "sqs:UntagQueue",
      "sqs:ListDeadLetterSourceQueues",
    ]
    resources = [local.workload_arns.queues]
  }

  statement {
    sid = "ManageTopics"
    actions = [
      "sns:CreateTopic",
      "sns:DeleteTopic",
      "sns:GetTopicAttributes",
      "sns:SetTopicAttributes",
      "sns:ListTagsForResource",
      "sns:TagResource",
      "sns:UntagResource",
    ]
    resources = [local.workload_arns.topics]
  }

  statement {
    sid = "ManageLogGroups"
    actions = [
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:PutRetentionPolicy",
      "logs:DeleteRetentionPolicy",
      "logs:AssociateKmsKey",
      "logs:DisassociateKmsKey",
      "logs:ListTagsForResource",
      "logs:ListTagsLogGroup",
      "logs:TagResource",
      "logs:UntagResource",
      "logs:TagLogGroup",
      "logs:UntagLogGroup",
    ]
    resources = local.workload_arns.log_groups
  }

  statement {
    sid       = "ListLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["arn:${local.partition}:logs:*:${local.account_id}:log-group:*"]
  }

  # An HTTP API stage with access logging: API Gateway sets up a CloudWatch Logs delivery, and
  # these actions accept no resource but "*".
  # https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html
  statement {
    sid = "DeliverApiAccessLogs"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
    ]
    resources = ["*"]
  }

  # The functions' roles: only with the boundary below attached, so that a role the deploy role
  # creates can never hold more than the boundary allows (iam:PermissionsBoundary).
  # https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
  # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PermissionsBoundary
  statement {
    sid       = "ManageFunctionRolesWithinTheBoundary"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary"]
    resources = [local.workload_arns.roles]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_policy_arn]
    }
  }

  statement {
    sid = "ReadAndTagFunctionRoles"
    actions = [
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListRolePolicies",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
      "iam:UpdateAssumeRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:DeleteRole",
    ]
    resources = [local.workload_arns.roles]
  }

  # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
  statement {
    sid       = "PassFunctionRolesToLambda"
    actions   = ["iam:PassRole"]
    resources = [local.workload_arns.roles]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
  }

  statement {
    sid = "ManageFunctions"
    actions = [
      "lambda:CreateFunction",
      "lambda:DeleteFunction",
      "lambda:GetFunction",
      "lambda:GetFunctionConfiguration",
      "lambda:GetFunctionCodeSigningConfig",
      "lambda:GetFunctionConcurrency",
      "lambda:GetFunctionRecursionConfig",
      "lambda:GetRuntimeManagementConfig",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:PutFunctionConcurrency",
      "lambda:DeleteFunctionConcurrency",
      "lambda:PublishVersion",
      "lambda:ListVersionsByFunction",
      "lambda:GetPolicy",
      "lambda:AddPermission",
      "lambda:RemovePermission",
      "lambda:ListTags",
      "lambda:TagResource",
      "lambda:UntagResource",
    ]
    resources = [local.workload_arns.functions]
  }

  # Event source mappings are named by a generated UUID; lambda:FunctionArn ties them to the
  # cell's functions. CreateEventSourceMapping accepts no resource but "*".
  # https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
  statement {
    sid       = "CreateEventSourceMappings"
    actions   = ["lambda:CreateEventSourceMapping"]
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = [local.workload_arns.functions]
    }
  }

  statement {
    sid       = "ManageEventSourceMappings"
    actions   = ["lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"]
    resources = [local.workload_arns.mappings]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = [local.workload_arns.functions]
    }
  }

  # The lease renewal schedule (ADR 25): a rule whose target is the cell's own function (the
  # function's resource policy, ManageFunctions' lambda:AddPermission, lets the rule invoke it).
  statement {
    sid = "ManageScheduleRules"
    actions = [
      "events:PutRule",
      "events:DeleteRule",
      "events:DescribeRule",
      "events:PutTargets",
      "events:RemoveTargets",
      "events:ListTargetsByRule",
      "events:TagResource",
      "events:UntagResource",
      "events:ListTagsForResource",
    ]
    resources = [local.workload_arns.rules]
  }

  statement {
    sid       = "ManageHttpApis"
    actions   = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE", "apigateway:TagResource", "apigateway:UntagResource"]
    resources = local.workload_arns.apis
  }

  # A custom domain names an ACM certificate; API Gateway reads it.
  statement {
    sid       = "ReadCertificates"
    actions   = ["acm:DescribeCertificate", "acm:ListTagsForCertificate"]
    resources = ["arn:${local.partition}:acm:*:${local.account_id}:certificate/*"]
  }

  # Route 53 health checks have generated IDs; CreateHealthCheck accepts no resource but "*".
  # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53.html
  statement {
    sid       = "CreateHealthChecks"
    actions   = ["route53:CreateHealthCheck"]
    resources = ["*"]
  }

  statement {
    sid       = "ManageHealthChecks"
    actions   = ["route53:GetHealthCheck", "route53:UpdateHealthCheck", "route53:DeleteHealthCheck", "route53:ChangeTagsForResource", "route53:ListTagsForResource"]
    resources = [local.workload_arns.health_checks]
  }

  # The global stack's weighted records and traffic-shift's weight changes (one
  # ChangeResourceRecordSets batch, then GetChange until INSYNC), in the listed zones only, and
  # for the listed record names when given.
  # https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
  dynamic "statement" {
    for_each = length(var.route53_zone_ids) > 0 ? [1] : []

    content {
      sid       = "ReadWeightedRecords"
      actions   = ["route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"]
      resources = local.workload_arns.zones
    }
  }

  dynamic "statement" {
    for_each = length(var.route53_zone_ids) > 0 ? [1] : []

    content {
      sid       = "ChangeWeightedRecords"
      actions   = ["route53:ChangeResourceRecordSets"]
      resources = local.workload_arns.zones

      dynamic "condition" {
        for_each = length(var.route53_record_names) > 0 ? [1] : []

        content {
          test     = "ForAllValues:StringEquals"
          variable = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
          values   = [for name in var.route53_record_names : lower(trimsuffix(name, "."))]
        }
      }
    }
  }

  statement {
    sid       = "WaitForChanges"
    actions   = ["route53:GetChange"]
    resources = [local.workload_arns.changes]
  }

  # Belt and braces: whatever the prefix, the deploy role never weakens the state bucket, the
  # boundary, or the roles and provider of this stack.
  statement {
    sid    = "ProtectStateBucket"
    effect = "Deny"
    actions = [
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketPolicy",
      "s3:PutBucketVersioning",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
      "s3:DeleteObjectVersion",
    ]
    resources = [local.state_bucket_arn, "${local.state_bucket_arn}/*"]
  }

  statement {
    sid     = "ProtectBootstrapIdentities"
    effect  = "Deny"
    actions = ["iam:*"]
    resources = [
      aws_iam_role.plan.arn,
      "arn:${local.partition}:iam::${local.account_id}:role/${local.deploy_role_name}",
      local.boundary_policy_arn,
      local.github_oidc_provider_arn,
    ]
  }

  statement {
    sid       = "KeepTheBoundary"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

################################################################################
# Boundary of every role the deploy role creates: what the cell's functions may ever do
################################################################################

# The union of modules/aws-cell's per-function policies, on the workload's names: logs, data
# bucket objects, the order events queue, the notifications topic, the peer key. The function roles keep
# their own narrower policies; the boundary only caps them.
data "aws_iam_policy_document" "cell_function_boundary" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for arn in local.workload_arns.log_groups : "${arn}:*"]
  }

  statement {
    sid       = "Documents"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${local.workload_arns.buckets}/*"]
  }

  statement {
    sid       = "DocumentBuckets"
    actions   = ["s3:ListBucket"]
    resources = [local.workload_arns.buckets]
  }

  statement {
    sid       = "Queues"
    actions   = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [local.workload_arns.queues]
  }

  statement {
    sid       = "Topics"
    actions   = ["sns:Publish", "sns:GetTopicAttributes"]
    resources = [local.workload_arns.topics]
  }

  # The peer key the functions read at cold start (aws-cell ReadPeerKey, ADR 17): the deployer
  # creates it under the workload's prefix (docs/deploying.md).
  statement {
    sid       = "PeerKey"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.workload_arns.secrets]
  }

  # A customer-managed key (aws-cell kms_key_arn) encrypts the data bucket, the queues and the
  # topic: the functions use it only through those services. A sender to an encrypted queue or
  # topic needs kms:GenerateDataKey and kms:Decrypt, a receiver kms:Decrypt, each through the
  # service. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
  # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
  # https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
  statement {
    sid       = "DataKeyThroughServices"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["arn:${local.partition}:kms:*:${local.account_id}:key/*"]

    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["s3.*.amazonaws.com", "sqs.*.amazonaws.com", "sns.*.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "cell_function_boundary" {
  name        = local.boundary_policy_name
  description = "Permissions boundary of the Lambda roles the deploy role of ${var.github_repository} creates."
  policy      = data.aws_iam_policy_document.cell_function_boundary.json
}
