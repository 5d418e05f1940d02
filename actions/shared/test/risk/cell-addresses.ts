/**
 * Addresses of the cell and routing resources that the risk fixtures hold
 * (fixtures/plans/risks--aws-azure.json and drift-risks--aws-azure.json), named once for the
 * unit tests here and the plan action's end-to-end test of the same fixture.
 */
export const BUCKET = 'module.cell.aws_s3_bucket.documents';
/** A bucket with force_destroy. */
export const FORCE = 'module.cell.aws_s3_bucket.exports';
export const VERSIONING = 'module.cell.aws_s3_bucket_versioning.exports';
export const QUEUE = 'module.cell.aws_sqs_queue.orders';
export const TOPIC = 'module.cell.aws_sns_topic.notifications';
export const ROLE = 'module.cell.azurerm_role_assignment.function_reads_blobs';
export const STORAGE = 'module.cell.azurerm_storage_account.cell';
export const RECORD = 'module.routing.aws_route53_record.public["aws"]';
