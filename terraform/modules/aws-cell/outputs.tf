################################################################################
# Cell contract: the same outputs as modules/azure-cell
################################################################################

output "cloud" {
  description = "Cloud of this cell: aws."
  value       = "aws"
}

output "region" {
  description = "Region the cell runs in."
  value       = data.aws_region.current.region
}

output "base_url" {
  description = "Base URL of the cell's own API endpoint (no trailing slash); what the peer cell forwards to."
  value       = local.base_url
}

output "health_url" {
  description = "The cell's GET /health URL on its own endpoint; what smoke tests and probes call."
  value       = "${local.base_url}/health"
}

output "origin_hostname" {
  description = "Host name of the cell's own endpoint, for a Front Door origin or a Route 53 health check."
  value       = local.origin_hostname
}

output "dns_target" {
  description = "Host name that a CNAME for the custom domain points to (the custom domain's regional target); the origin host name when there is no custom domain."
  value       = local.custom_domain_enabled ? aws_apigatewayv2_domain_name.this["public"].domain_name_configuration[0].target_domain_name : local.origin_hostname
}

output "custom_domain_name" {
  description = "The public host name the cell serves as an API Gateway custom domain (the global name Route 53 splits), or null."
  value       = var.custom_domain_name
}

output "cell_hostname" {
  description = "The cell's own host name (cell_domain_name, or the default endpoint's host without one): what the Route 53 health check and the smoke tests call."
  value       = local.origin_hostname
}

output "function_names" {
  description = "Deployed function names, by function key (cart, orders, inventory, health, order_events, replicas, replication)."
  value       = { for key, function in aws_lambda_function.functions : key => function.function_name }
}

output "data_store" {
  description = "Where the cell keeps its documents: the S3 bucket name."
  value       = aws_s3_bucket.data.id
}

output "event_queue" {
  description = "Where order events travel: the SQS queue URL."
  value       = aws_sqs_queue.events.url
}

output "dead_letter" {
  description = "Where poison order events end: the SQS dead-letter queue URL."
  value       = aws_sqs_queue.events_dlq.url
}

output "replication_queue" {
  description = "Where replica.changed events wait for the peer (ADR 23): the SQS queue URL (its dead-letter queue is <name>-dlq)."
  value       = aws_sqs_queue.replication.url
}

output "notifier" {
  description = "Where customer notifications go: the SNS topic ARN."
  value       = aws_sns_topic.notifications.arn
}
