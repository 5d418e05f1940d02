# terraform plan -var-file=example.tfvars (copy it and fill in your values)
#
# app_version is not set here: the workflows pass the workload version (a content hash of the
# built packages, ADR 24) as TF_VAR_app_version, and a value in a -var-file would override it.
# By hand, after npm run build:functions: TF_VAR_app_version=$(node ../../../functions/scripts/version.js).
region        = "eu-west-1"
name          = "shop-aws"
environment   = "prod"
artifact_path = "../../../functions/build/aws"

# The Azure cell's own name on Front Door (the azure stack's base_url), known in advance
# (left null, it is read from the azure stack's state: TF_VAR_azure_cell_state).
peer_cell_url = "https://azure.api.example.com"

# The Secrets Manager secret with the cells' peer key (ADR 17): the ARN that
# aws secretsmanager create-secret printed (docs/deploying.md). The key itself never goes here.
peer_shared_key_secret_id = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-peer-shared-key-AbCdEf"

# permissions_boundary_arn comes as TF_VAR_permissions_boundary_arn from the repository
# variable AWS_PERMISSIONS_BOUNDARY_ARN, printed by terraform/bootstrap/aws.

# The public name and this cell's own name, with an ACM certificate validated in the zone
# (ADR 16); the default execute-api endpoint is then off.
custom_domain_name = "api.example.com"
cell_domain_name   = "aws.api.example.com"
dns_zone_id        = "Z0123456789ABCDEFGHIJ"

# The OIDC issuer of the API's access tokens: the same on both stacks (see ADR 14).
auth_issuer   = "https://login.example.com/"
auth_audience = "https://api.example.com"
auth_jwks_url = "https://login.example.com/.well-known/jwks.json"

tags = {
  project = "multicloud-serverless"
}
