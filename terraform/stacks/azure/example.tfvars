# terraform plan -var-file=example.tfvars (copy it and fill in your values)
#
# app_version is not set here: the workflows pass the commit SHA as TF_VAR_app_version, and a
# value in a -var-file would override it. By hand: TF_VAR_app_version=$(git rev-parse HEAD).
location             = "westeurope"
resource_group_name  = "rg-shop-azure"
name                 = "shop-azure"
environment          = "prod"
artifact_path        = "../../../functions/build/azure.zip"
apim_publisher_name  = "Example Shop"
apim_publisher_email = "platform@example.com"

# The aws stack's base_url output (apply the aws stack first).
peer_cell_url = "https://abcdef1234.execute-api.eu-west-1.amazonaws.com"

# Optional: serve the global name on this cell too (the Route 53 weighted record's name).
# custom_domain_name           = "api.example.com"
# custom_domain_certificate_id = "https://my-vault.vault.azure.net/secrets/api-example-com"

# The OIDC issuer of the API's access tokens: the same on both stacks (see ADR 14).
auth_issuer   = "https://login.example.com/"
auth_audience = "https://api.example.com"
auth_jwks_url = "https://login.example.com/.well-known/jwks.json"

tags = {
  project = "multicloud-serverless"
}
