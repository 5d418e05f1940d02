# terraform plan -var-file=example.tfvars (copy it and fill in your values)
#
# app_version is not set here: the workflows pass the workload version (a content hash of the
# built packages, ADR 24) as TF_VAR_app_version, and a value in a -var-file would override it.
# By hand, after npm run build:functions: TF_VAR_app_version=$(node ../../../functions/scripts/version.js).
location             = "westeurope"
resource_group_name  = "rg-shop-azure"
name                 = "shop-azure"
environment          = "prod"
artifact_path        = "../../../functions/build/azure.zip"
apim_publisher_name  = "Example Shop"
apim_publisher_email = "platform@example.com"

# A classic API Management tier: Developer_1 (the default) has no SLA; production takes Basic_1
# or more. Creating one takes 30-45 minutes (ADR 14).
apim_sku_name = "Basic_1"

# The AWS cell's own name (the aws stack's base_url output).
peer_cell_url = "https://aws.api.example.com"

# The Key Vault secret with the cells' peer key (ADR 17): its resource ID (docs/deploying.md
# prints it). The key itself never goes here.
peer_shared_key_secret_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shop-azure/providers/Microsoft.KeyVault/vaults/shop-peer-kv/secrets/peer-shared-key"

# The plan identity (bootstrap/azure output plan_principal_id): pull-request plans may read the
# cell's two hub connection strings and nothing else of its vault or group (ADR 17).
plan_principal_id = "00000000-0000-0000-0000-000000000000"

# This cell's own name, served by the global stack's Front Door (ADR 16).
cell_domain_name = "azure.api.example.com"

# front_door_id is not set here: it is the global stack's frontdoor_id output, read from its
# state (in the aws_cell_state bucket). Until the global stack exists API Management refuses
# every call; deploy.yml's first deployment applies this stack again after the global stack.

# The OIDC issuer of the API's access tokens: the same on both stacks (see ADR 14).
auth_issuer   = "https://login.example.com/"
auth_audience = "https://api.example.com"
auth_jwks_url = "https://login.example.com/.well-known/jwks.json"

tags = {
  project = "multicloud-serverless"
}
