# terraform plan -var-file=example.tfvars (copy it and fill in your values)
#
# app_version is not set here: the workflows pass the commit SHA as TF_VAR_app_version, and a
# value in a -var-file would override it. By hand: TF_VAR_app_version=$(git rev-parse HEAD).
region        = "eu-west-1"
name          = "shop-aws"
environment   = "prod"
artifact_path = "../../../functions/build/aws"

# The azure stack's base_url output; API Management's host name is known in advance.
peer_cell_url = "https://shop-azure-prod-api.azure-api.net"

# Optional: serve the global name on this cell too (the Route 53 weighted record's name).
# custom_domain_name           = "api.example.com"
# custom_domain_certificate_id = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"

# The OIDC issuer of the API's access tokens: the same on both stacks (see ADR 14).
auth_issuer   = "https://login.example.com/"
auth_audience = "https://api.example.com"
auth_jwks_url = "https://login.example.com/.well-known/jwks.json"

tags = {
  project = "multicloud-serverless"
}
