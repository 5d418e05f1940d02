data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  prefix = "${var.name}-${var.environment}"
  tags = merge(var.tags, {
    "multicloud:cell"        = var.name
    "multicloud:cloud"       = "aws"
    "multicloud:environment" = var.environment
  })

  custom_domain_enabled = var.custom_domain_name != null
  managed_certificate   = local.custom_domain_enabled && var.custom_domain_certificate_id == null
  certificate_arn       = local.managed_certificate ? aws_acm_certificate_validation.api[0].certificate_arn : var.custom_domain_certificate_id
  custom_domains        = local.custom_domain_enabled ? { public = var.custom_domain_name, cell = var.cell_domain_name } : {}

  # One entry per Lambda. Each function gets its own role with only the access listed here:
  # S3 key prefixes it may read and write (the key prefixes of functions/src/core: carts/,
  # orders/, order-claims/ for Idempotency-Key claims, inventory/) or only read, whether it
  # publishes order events, consumes them, or sends customer notifications, and whether it
  # queues replica.changed (every function that writes carts/ or orders/: the core's
  # ReplicatingStore publishes each such write, ADR 23) or consumes the replication queue.
  functions = {
    cart = {
      package             = var.lambda_packages.http
      s3_prefixes         = ["carts/", "orders/", "order-claims/", "inventory/", "peer-nonces/"]
      health_checks       = false
      queue_send          = true
      queue_consume       = false
      s3_read_prefixes    = []
      replication_send    = true
      replication_consume = false
      notify              = false
    }
    orders = {
      package             = var.lambda_packages.http
      s3_prefixes         = ["orders/", "order-claims/", "inventory/", "peer-nonces/"]
      health_checks       = false
      queue_send          = true
      queue_consume       = false
      s3_read_prefixes    = []
      replication_send    = true
      replication_consume = false
      notify              = false
    }
    inventory = {
      package             = var.lambda_packages.http
      s3_prefixes         = ["inventory/", "peer-nonces/"]
      health_checks       = false
      queue_send          = false
      queue_consume       = false
      s3_read_prefixes    = []
      replication_send    = false
      replication_consume = false
      notify              = false
    }
    health = {
      package = var.lambda_packages.http
      # The peer's signed probe of GET /health spends a nonce (ADR 17).
      s3_prefixes         = ["peer-nonces/"]
      health_checks       = true
      queue_send          = false
      queue_consume       = false
      s3_read_prefixes    = []
      replication_send    = false
      replication_consume = false
      notify              = false
    }
    order_events = {
      package             = var.lambda_packages.order_events
      s3_prefixes         = ["orders/"]
      health_checks       = false
      queue_send          = false
      queue_consume       = true
      s3_read_prefixes    = []
      replication_send    = true
      replication_consume = false
      notify              = true
    }
    # The peer's signed PUT /replicas/{carts|orders}/{id} (ADR 23): merges the copy into this
    # cell's document and queues the merge back when the peer lacks it.
    replicas = {
      package             = var.lambda_packages.http
      s3_prefixes         = ["carts/", "orders/", "peer-nonces/"]
      s3_read_prefixes    = []
      health_checks       = false
      queue_send          = false
      queue_consume       = false
      replication_send    = true
      replication_consume = false
      notify              = false
    }
    # The consumer of the replication queue: reads each changed cart or order as it is now and
    # sends it to the peer (PEER_URL, signed with the peer key). It writes nothing.
    replication = {
      package             = var.lambda_packages.replication
      s3_prefixes         = []
      s3_read_prefixes    = ["carts/", "orders/"]
      health_checks       = false
      queue_send          = false
      queue_consume       = false
      replication_send    = false
      replication_consume = true
      notify              = false
    }
    # Renews this cell's inventory leases on an EventBridge schedule (ADR 25): reads and writes
    # inventory/ and calls the peer's signed POST /inventory-leases.
    lease_renewal = {
      package             = var.lambda_packages.lease_renewal
      s3_prefixes         = ["inventory/"]
      s3_read_prefixes    = []
      health_checks       = false
      queue_send          = false
      queue_consume       = false
      replication_send    = false
      replication_consume = false
      notify              = false
    }
  }

  # Routes of the HTTP API, the function behind each one, and who may call it (ADR 14):
  # "public" without a token (GET /health: smoke tests, Route 53 health checks, Front Door
  # probes), "customer" with any valid token, "admin" with the admin scope. The JWT authorizer
  # turns the others away at the edge; the functions check the same again. A method route wins
  # over ANY on the same path ("ANY matches all methods that you haven't defined for a
  # resource": https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html),
  # so stock reads are for customers and every other /inventory call needs the admin scope.
  # Unknown paths under a service reach that service, which answers 404 itself; anything else
  # gets API Gateway's 404.
  routes = {
    "ANY /carts"              = { function = "cart", access = "customer" }
    "ANY /carts/{proxy+}"     = { function = "cart", access = "customer" }
    "ANY /orders"             = { function = "orders", access = "customer" }
    "ANY /orders/{proxy+}"    = { function = "orders", access = "customer" }
    "ANY /inventory"          = { function = "inventory", access = "customer" }
    "GET /inventory/{proxy+}" = { function = "inventory", access = "customer" }
    "ANY /inventory/{proxy+}" = { function = "inventory", access = "admin" }
    "GET /health"             = { function = "health", access = "public" }
    # No token at the edge: the replicating cell has none. The core admits only a call signed
    # with the peer key (ADR 17): unsigned 403, a bad or replayed signature 401, nothing written.
    "PUT /replicas/{proxy+}" = { function = "replicas", access = "public" }
    # An operator's count of the carts and orders this cell holds, by home cell (the sandbox
    # dashboard's figures): a listing of the bucket by key prefix, s3:ListBucket only.
    "GET /replicas" = { function = "replicas", access = "admin" }
    # The peer's signed lease renewal (ADR 25), admitted the same way as replicas; the inventory
    # function grants from its own inventory/ documents.
    "POST /inventory-leases" = { function = "inventory", access = "public" }
  }
  # Replicas come at most one per cart or order write on the peer: they get the customer routes'
  # throttle, not the health probes'.
  route_throttling_class = { "PUT /replicas/{proxy+}" = "customer", "POST /inventory-leases" = "customer" }
  http_functions         = toset(distinct([for route in values(local.routes) : route.function]))

  # The settings functions/src/aws/config.ts validates at cold start. CELL_NAME is the prefix
  # of the IDs this cell creates (aws-...); requests for the peer's IDs go to PEER_URL. The
  # peer key's secret ARN, not the key: the functions read it at cold start (ADR 17), so the
  # key is never in this module's plan, state or the Lambda configuration.
  environment = merge({
    CELL_NAME                  = "aws"
    PEER_CELL_NAME             = "azure"
    PEER_URL                   = var.peer_cell_url
    PEER_SHARED_KEY_SECRET_ARN = var.peer_shared_key_secret_id
    APP_VERSION                = var.app_version
    DOCUMENTS_BUCKET           = aws_s3_bucket.data.id
    ORDER_EVENTS_QUEUE_URL     = aws_sqs_queue.events.url
    NOTIFICATIONS_TOPIC_ARN    = aws_sns_topic.notifications.arn
    AUTH_ISSUER                = var.auth_issuer
    AUTH_AUDIENCE              = var.auth_audience
    AUTH_JWKS_URL              = var.auth_jwks_url
    AUTH_ADMIN_SCOPE           = var.auth_admin_scope
    INVENTORY_LEASE_MS         = tostring(var.inventory_lease_ms)
    INVENTORY_LEASE_RENEW_MS   = tostring(var.inventory_lease_renew_ms)
    INVENTORY_LEASE_MARGIN_MS  = tostring(var.inventory_lease_margin_ms)
    INVENTORY_LEASE_BUDGET     = tostring(var.inventory_lease_budget)
  }, var.app_settings)

  # Replication (ADR 23). A delivery that fails (peer down) leaves the message on the queue; it
  # is received again after the visibility timeout, and after maxReceiveCount receives SQS moves
  # it to the dead-letter queue. So the queue carries an outage of maxReceiveCount x visibility
  # timeout: maxReceiveCount at its maximum (1,000) and the visibility timeout sized from
  # replication_outage_hours (never under six times the function timeout, as Lambda asks).
  # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
  # https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
  replication_max_receive_count  = 1000
  replication_visibility_timeout = max(var.lambda_timeout * 6, ceil(var.replication_outage_hours * 3600 / local.replication_max_receive_count))
  replication_environment        = { REPLICATION_QUEUE_URL = aws_sqs_queue.replication.url }

  # The cell's own endpoint: what smoke tests, Front Door's backup origin, the Route 53 health
  # check and the peer cell call. With custom domains it is the cell's own name: the default
  # execute-api endpoint is then off, so the custom domains are the only way in.
  origin_hostname = local.custom_domain_enabled ? var.cell_domain_name : trimprefix(aws_apigatewayv2_api.this.api_endpoint, "https://")
  base_url        = "https://${local.origin_hostname}"
}

################################################################################
# Data: S3 bucket (versioned, encrypted, private, bucket owner enforced)
################################################################################

resource "aws_s3_bucket" "data" {
  # S3 allows 37 characters of prefix (63 with the 26 it appends).
  bucket_prefix = "${substr(local.prefix, 0, 31)}-data-"
  force_destroy = false

  tags = local.tags
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket = aws_s3_bucket.data.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id

  versioning_configuration {
    status = "Enabled"
  }
}

# The single-use nonces of signed calls between cells (ADR 17) only matter inside the replay
# window (60 s): S3 expires them after a day, and their noncurrent versions a day later.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
resource "aws_s3_bucket_lifecycle_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    id     = "expire-peer-nonces"
    status = "Enabled"

    filter {
      prefix = "peer-nonces/"
    }

    expiration {
      days = 1
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.data]
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

data "aws_iam_policy_document" "data_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]

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
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.data_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.data]
}

################################################################################
# Events: SQS queue with a redrive dead-letter queue
################################################################################

resource "aws_sqs_queue" "events_dlq" {
  name                      = "${local.prefix}-order-events-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = var.kms_key_arn == null ? true : null
  kms_master_key_id         = var.kms_key_arn

  tags = local.tags
}

resource "aws_sqs_queue" "events" {
  name                       = "${local.prefix}-order-events"
  visibility_timeout_seconds = var.lambda_timeout * 6
  message_retention_seconds  = 345600
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = var.kms_key_arn == null ? true : null
  kms_master_key_id          = var.kms_key_arn

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.events_dlq.arn
    maxReceiveCount     = var.queue_max_receive_count
  })

  tags = local.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "events_dlq" {
  queue_url = aws_sqs_queue.events_dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.events.arn]
  })
}

################################################################################
# Replication: SQS queue of replica.changed events with a dead-letter queue (ADR 23)
################################################################################

# SQS keeps a message at most 14 days (1,209,600 s). A standard queue's message keeps its
# original enqueue time in the dead-letter queue, so the DLQ's retention must be longer than
# the time a message can spend in the source queue: replication_outage_hours is at most 7
# days, so a message that ran out of receives still has 7 days in the DLQ to be redriven.
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html
resource "aws_sqs_queue" "replication_dlq" {
  name                      = "${local.prefix}-replication-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = var.kms_key_arn == null ? true : null
  kms_master_key_id         = var.kms_key_arn

  tags = local.tags
}

resource "aws_sqs_queue" "replication" {
  name                       = "${local.prefix}-replication"
  visibility_timeout_seconds = local.replication_visibility_timeout
  message_retention_seconds  = 1209600
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = var.kms_key_arn == null ? true : null
  kms_master_key_id          = var.kms_key_arn

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.replication_dlq.arn
    maxReceiveCount     = local.replication_max_receive_count
  })

  tags = local.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "replication_dlq" {
  queue_url = aws_sqs_queue.replication_dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.replication.arn]
  })
}

################################################################################
# Notifications: SNS topic
################################################################################

resource "aws_sns_topic" "notifications" {
  name              = "${local.prefix}-notifications"
  kms_master_key_id = coalesce(var.kms_key_arn, "alias/aws/sns")

  tags = local.tags
}

################################################################################
# Functions: one role, log group and Lambda per function
################################################################################

resource "aws_cloudwatch_log_group" "functions" {
  for_each = local.functions

  name              = "/aws/lambda/${local.prefix}-${replace(each.key, "_", "-")}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn

  tags = local.tags
}

data "aws_iam_policy_document" "lambda_assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "functions" {
  for_each = local.functions

  name               = "${local.prefix}-${replace(each.key, "_", "-")}"
  description        = "Runs the ${each.key} function of cell ${var.name} (${var.environment})."
  assume_role_policy = data.aws_iam_policy_document.lambda_assume_role.json

  # The deploy role may only create roles that carry its boundary (bootstrap/aws).
  permissions_boundary = var.permissions_boundary_arn

  tags = local.tags
}

data "aws_iam_policy_document" "functions" {
  for_each = local.functions

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.functions[each.key].arn}:*"]
  }

  # Every function builds the whole cell, which signs and checks peer calls (ADR 17): it reads
  # the peer key, and only that secret, at cold start. A secret encrypted with a customer
  # managed key also needs kms:Decrypt on it: create it with kms_key_arn (UseDataKey below).
  # https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
  statement {
    sid       = "ReadPeerKey"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.peer_shared_key_secret_id]
  }

  dynamic "statement" {
    for_each = length(each.value.s3_prefixes) > 0 ? [1] : []

    content {
      sid = "ReadWriteOwnDocuments"
      # The functions never delete a document (the DocumentStore port has no delete), so no
      # s3:DeleteObject: a stolen role cannot erase carts, orders or stock.
      actions   = ["s3:GetObject", "s3:PutObject"]
      resources = [for prefix in each.value.s3_prefixes : "${aws_s3_bucket.data.arn}/${prefix}*"]
    }
  }

  # Without s3:ListBucket, S3 answers GetObject of a missing key with 403 AccessDenied instead of
  # 404 NoSuchKey, and the functions read "absent" (a new cart, a free Idempotency-Key) that
  # way. It lists key names only; no condition on s3:prefix, which GetObject requests lack.
  dynamic "statement" {
    for_each = length(each.value.s3_read_prefixes) > 0 ? [1] : []

    content {
      sid       = "ReadOwnDocuments"
      actions   = ["s3:GetObject"]
      resources = [for prefix in each.value.s3_read_prefixes : "${aws_s3_bucket.data.arn}/${prefix}*"]
    }
  }

  dynamic "statement" {
    for_each = length(concat(each.value.s3_prefixes, each.value.s3_read_prefixes)) > 0 ? [1] : []

    content {
      sid       = "TellMissingDocumentsApart"
      actions   = ["s3:ListBucket"]
      resources = [aws_s3_bucket.data.arn]
    }
  }

  # GET /health checks every dependency: HeadBucket (s3:ListBucket), GetQueueAttributes and
  # GetTopicAttributes; nothing it can read or change data with.
  dynamic "statement" {
    for_each = each.value.health_checks ? [1] : []

    content {
      sid       = "CheckBucketReachable"
      actions   = ["s3:ListBucket"]
      resources = [aws_s3_bucket.data.arn]
    }
  }

  dynamic "statement" {
    for_each = each.value.health_checks ? [1] : []

    content {
      sid       = "CheckQueueReachable"
      actions   = ["sqs:GetQueueAttributes"]
      resources = [aws_sqs_queue.events.arn]
    }
  }

  dynamic "statement" {
    for_each = each.value.health_checks ? [1] : []

    content {
      sid       = "CheckTopicReachable"
      actions   = ["sns:GetTopicAttributes"]
      resources = [aws_sns_topic.notifications.arn]
    }
  }

  dynamic "statement" {
    for_each = each.value.queue_send ? [1] : []

    content {
      sid = "PublishOrderEvents"
      # SendMessage is all a publish does; the queue's attributes are the health role's.
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.events.arn]
    }
  }

  dynamic "statement" {
    for_each = each.value.queue_consume ? [1] : []

    content {
      sid       = "ConsumeOrderEvents"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
      resources = [aws_sqs_queue.events.arn]
    }
  }

  dynamic "statement" {
    for_each = each.value.replication_send ? [1] : []

    content {
      sid       = "PublishReplicaChanges"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.replication.arn]
    }
  }

  # What the SQS event source mapping polls with, on the execution role: ReceiveMessage,
  # DeleteMessage, GetQueueAttributes (a failed record is not deleted and comes back after the
  # visibility timeout, so no ChangeMessageVisibility).
  # https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
  dynamic "statement" {
    for_each = each.value.replication_consume ? [1] : []

    content {
      sid       = "ConsumeReplicaChanges"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      resources = [aws_sqs_queue.replication.arn]
    }
  }

  dynamic "statement" {
    for_each = each.value.notify ? [1] : []

    content {
      sid       = "NotifyCustomers"
      actions   = ["sns:Publish"]
      resources = [aws_sns_topic.notifications.arn]
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_arn != null ? [1] : []

    content {
      sid       = "UseDataKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "functions" {
  for_each = local.functions

  name   = "least-privilege"
  role   = aws_iam_role.functions[each.key].id
  policy = data.aws_iam_policy_document.functions[each.key].json
}

resource "aws_lambda_function" "functions" {
  for_each = local.functions

  function_name    = "${local.prefix}-${replace(each.key, "_", "-")}"
  description      = "${each.key} of cell ${var.name} (${var.environment}), version ${var.app_version}"
  role             = aws_iam_role.functions[each.key].arn
  filename         = "${var.artifact_path}/${each.value.package.file}"
  source_code_hash = filebase64sha256("${var.artifact_path}/${each.value.package.file}")
  handler          = each.value.package.handler
  runtime          = var.lambda_runtime
  architectures    = [var.lambda_architecture]
  memory_size      = var.lambda_memory_size
  timeout          = var.lambda_timeout

  # REPLICATION_QUEUE_URL only where replica.changed is sent or consumed: another function
  # has no right to send there.
  environment {
    variables = merge(local.environment, each.value.replication_send || each.value.replication_consume ? local.replication_environment : {})
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.functions[each.key].name
  }

  tags = local.tags

  depends_on = [aws_iam_role_policy.functions]
}

resource "aws_lambda_event_source_mapping" "order_events" {
  event_source_arn                   = aws_sqs_queue.events.arn
  function_name                      = aws_lambda_function.functions["order_events"].arn
  batch_size                         = var.queue_batch_size
  maximum_batching_window_in_seconds = 1
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = 10
  }

  tags = local.tags
}

# Batches of replica.changed events. The handler reports each failed delivery on its own
# (batchItemFailures), so one cart whose delivery fails does not send the batch's others again.
# https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
resource "aws_lambda_event_source_mapping" "replication" {
  event_source_arn                   = aws_sqs_queue.replication.arn
  function_name                      = aws_lambda_function.functions["replication"].arn
  batch_size                         = var.queue_batch_size
  maximum_batching_window_in_seconds = 1
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = 10
  }

  tags = local.tags
}

################################################################################
# HTTP API (API Gateway v2)
################################################################################

resource "aws_apigatewayv2_api" "this" {
  name          = local.prefix
  description   = "Cart, orders and inventory API of cell ${var.name} (${var.environment})."
  protocol_type = "HTTP"

  # Once the custom domains serve the API, nothing may bypass them through the default
  # https://{api-id}.execute-api.{region}.amazonaws.com endpoint (API Gateway Developer Guide,
  # "Disabling the default endpoint for HTTP APIs").
  disable_execute_api_endpoint = local.custom_domain_enabled

  tags = local.tags
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${local.prefix}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn

  tags = local.tags
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      ip             = "$context.identity.sourceIp"
      requestTime    = "$context.requestTime"
      httpMethod     = "$context.httpMethod"
      routeKey       = "$context.routeKey"
      status         = "$context.status"
      responseLength = "$context.responseLength"
      latency        = "$context.integrationLatency"
      error          = "$context.integrationErrorMessage"
    })
  }

  default_route_settings {
    throttling_burst_limit = var.api_throttling_burst_limit
    throttling_rate_limit  = var.api_throttling_rate_limit
  }

  # A limit per route, by who may call it: a flood of one kind of call (anonymous health
  # checks, an admin script gone wrong, shoppers) cannot take the capacity the others need.
  # HTTP APIs have no per-client limit (no usage plans, no AWS WAF association: REST APIs only,
  # https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html);
  # API Management limits each token subject on Azure (ADR 14).
  # https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
  dynamic "route_settings" {
    for_each = local.routes

    content {
      route_key              = route_settings.key
      throttling_burst_limit = var.api_route_throttling[lookup(local.route_throttling_class, route_settings.key, route_settings.value.access)].burst_limit
      throttling_rate_limit  = var.api_route_throttling[lookup(local.route_throttling_class, route_settings.key, route_settings.value.access)].rate_limit
    }
  }

  # A route setting names a route by its key: the routes exist first.
  depends_on = [aws_apigatewayv2_route.this]

  tags = local.tags
}

# Checks the bearer token of every route but GET /health before a function runs: signature
# against the issuer's JWKS (from its discovery document), iss, aud, exp, nbf and iat; RSA keys
# only. https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
resource "aws_apigatewayv2_authorizer" "jwt" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "${local.prefix}-jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.auth_issuer
    audience = [var.auth_audience]
  }
}

resource "aws_apigatewayv2_integration" "functions" {
  for_each = local.http_functions

  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.functions[each.key].invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = min(var.lambda_timeout * 1000 + 1000, 30000)
}

resource "aws_apigatewayv2_route" "this" {
  for_each = local.routes

  api_id    = aws_apigatewayv2_api.this.id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.functions[each.value.function].id}"

  authorization_type   = each.value.access == "public" ? "NONE" : "JWT"
  authorizer_id        = each.value.access == "public" ? null : aws_apigatewayv2_authorizer.jwt.id
  authorization_scopes = each.value.access == "admin" ? [var.auth_admin_scope] : null
}

resource "aws_lambda_permission" "api" {
  for_each = local.http_functions

  statement_id  = "AllowInvokeFromHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.functions[each.key].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}

################################################################################
# Custom domains: the public name and the cell's own name, one ACM certificate (ADR 16)
################################################################################

# The module requests the certificate (DNS-validated in dns_zone_id) unless one is given. ACM
# renews a DNS-validated certificate by itself as long as the validation CNAMEs stay in the
# zone (ACM User Guide, "DNS validation"; "Managed renewal").
resource "aws_acm_certificate" "api" {
  count = local.managed_certificate ? 1 : 0

  domain_name               = var.custom_domain_name
  subject_alternative_names = [var.cell_domain_name]
  validation_method         = "DNS"

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "certificate_validation" {
  # Keyed by the names in the configuration, so the keys are known at plan time (the pattern of
  # the aws provider's aws_acm_certificate_validation documentation).
  for_each = local.managed_certificate ? toset([var.custom_domain_name, var.cell_domain_name]) : toset([])

  zone_id         = var.dns_zone_id
  name            = one([for option in aws_acm_certificate.api[0].domain_validation_options : option.resource_record_name if option.domain_name == each.key])
  type            = one([for option in aws_acm_certificate.api[0].domain_validation_options : option.resource_record_type if option.domain_name == each.key])
  records         = [one([for option in aws_acm_certificate.api[0].domain_validation_options : option.resource_record_value if option.domain_name == each.key])]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "api" {
  count = local.managed_certificate ? 1 : 0

  certificate_arn         = aws_acm_certificate.api[0].arn
  validation_record_fqdns = [for record in aws_route53_record.certificate_validation : record.fqdn]
}

resource "aws_apigatewayv2_domain_name" "this" {
  for_each = local.custom_domains

  domain_name = each.value

  domain_name_configuration {
    certificate_arn = local.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }

  tags = local.tags
}

resource "aws_apigatewayv2_api_mapping" "this" {
  for_each = local.custom_domains

  api_id      = aws_apigatewayv2_api.this.id
  domain_name = aws_apigatewayv2_domain_name.this[each.key].id
  stage       = aws_apigatewayv2_stage.default.id
}

# The cell's own name (smoke tests, the Route 53 health check, Front Door's backup origin and
# the peer cell call it). The public name's weighted records are the global stack's.
resource "aws_route53_record" "cell" {
  count = local.custom_domain_enabled ? 1 : 0

  zone_id = var.dns_zone_id
  name    = var.cell_domain_name
  type    = "CNAME"
  ttl     = 60
  records = [aws_apigatewayv2_domain_name.this["cell"].domain_name_configuration[0].target_domain_name]

  depends_on = [aws_apigatewayv2_api_mapping.this]
}

################################################################################
# Inventory lease renewal (ADR 25): an EventBridge schedule invokes the lease_renewal function.
# EventBridge's finest rate is one minute, hence inventory_lease_renew_ms in whole minutes:
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
# A failed renewal is logged and the function returns: the next run is the retry, and a lease
# that is not renewed simply runs out.
################################################################################

locals {
  lease_renew_minutes = floor(var.inventory_lease_renew_ms / 60000)
}

resource "aws_cloudwatch_event_rule" "lease_renewal" {
  name                = "${local.prefix}-lease-renewal"
  description         = "Renews the inventory leases of cell ${var.name} (${var.environment}) with its peer."
  schedule_expression = "rate(${local.lease_renew_minutes} ${local.lease_renew_minutes == 1 ? "minute" : "minutes"})"

  tags = local.tags
}

resource "aws_cloudwatch_event_target" "lease_renewal" {
  rule = aws_cloudwatch_event_rule.lease_renewal.name
  arn  = aws_lambda_function.functions["lease_renewal"].arn
}

# EventBridge invokes the function through its resource-based policy, for this rule only.
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions
resource "aws_lambda_permission" "lease_renewal" {
  statement_id  = "AllowLeaseRenewalSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.functions["lease_renewal"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.lease_renewal.arn
}
