# terraform plan -var-file=example.tfvars (copy it and fill in your values)
#
# app_version is not set here: the workflows pass the commit SHA as TF_VAR_app_version, and a
# value in a -var-file would override it. By hand: TF_VAR_app_version=$(git rev-parse HEAD).
#
# peer_shared_key is not set here either: it is a secret, the same in both cell stacks (ADR 17).
# The workflows pass the repository secret PEER_SHARED_KEY as TF_VAR_peer_shared_key; by hand:
# TF_VAR_peer_shared_key=$(openssl rand -base64 48), and keep that value for the other stack.
region        = "eu-west-1"
name          = "shop-aws"
environment   = "prod"
artifact_path = "../../../functions/build/aws"

# The Azure cell's own name on Front Door (the azure stack's base_url), known in advance
# (left null, it is read from the azure stack's state: TF_VAR_azure_cell_state).
peer_cell_url = "https://azure.api.example.com"

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
