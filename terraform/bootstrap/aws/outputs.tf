locals {
  backend_config = join("\n", [
    "bucket=${aws_s3_bucket.state.id}",
    "region=${var.region}",
    "kms_key_id=${aws_kms_key.state.arn}",
  ])

  # The repository variables the workflows read (Settings > Secrets and variables > Actions >
  # Variables). None of them is a secret: role ARNs are useless without a GitHub token whose
  # `sub` the role trusts.
  github_variables = {
    AWS_REGION                   = var.region
    AWS_PLAN_ROLE_ARN            = aws_iam_role.plan.arn
    AWS_DEPLOY_ROLE_ARN          = aws_iam_role.deploy.arn
    AWS_PERMISSIONS_BOUNDARY_ARN = aws_iam_policy.cell_function_boundary.arn
    TF_BACKEND_CONFIG_aws        = local.backend_config
    TF_BACKEND_CONFIG_global     = local.backend_config
    AWS_CELL_STATE               = "{ bucket = \"${aws_s3_bucket.state.id}\", region = \"${var.region}\" }"
  }
}

output "github_variables" {
  description = "Repository variables for the workflows, by name (merge with the azure bootstrap's; bootstrap/github writes them all)."
  value       = local.github_variables
}

output "gh_commands" {
  description = "The same variables as `gh variable set` commands, to paste in a shell signed in with `gh auth login`."
  value = join("\n", [
    for name in sort(keys(local.github_variables)) :
    "gh variable set ${name} --repo ${var.github_repository} --body '${local.github_variables[name]}'"
  ])
}

output "state_bucket" {
  description = "Name of the state bucket (every stack's backend bucket)."
  value       = aws_s3_bucket.state.id
}

output "state_kms_key_arn" {
  description = "KMS key that encrypts the state (the backends' kms_key_id)."
  value       = aws_kms_key.state.arn
}

output "plan_role_arn" {
  description = "Role of plans (pull requests, drift): AWS_PLAN_ROLE_ARN."
  value       = aws_iam_role.plan.arn
}

output "deploy_role_arn" {
  description = "Role of applies and traffic shifts (environment production only): AWS_DEPLOY_ROLE_ARN."
  value       = aws_iam_role.deploy.arn
}

output "permissions_boundary_arn" {
  description = "Boundary every function role must carry (stacks/aws permissions_boundary_arn, from AWS_PERMISSIONS_BOUNDARY_ARN)."
  value       = aws_iam_policy.cell_function_boundary.arn
}

output "github_oidc_provider_arn" {
  description = "The account's GitHub OIDC identity provider."
  value       = local.github_oidc_provider_arn
}
