# terraform plan -var-file=example.tfvars (copy it and fill in your values)
region        = "eu-west-1"
name          = "shop-aws"
environment   = "prod"
app_version   = "0.1.0"
artifact_path = "../../../functions/build/aws"

# The azure stack's base_url output; API Management's host name is known in advance.
peer_cell_url = "https://shop-azure-prod-api.azure-api.net"

# Optional: serve the global name on this cell too (the Route 53 weighted record's name).
# custom_domain_name           = "api.example.com"
# custom_domain_certificate_id = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"

tags = {
  project = "multicloud-serverless"
}
