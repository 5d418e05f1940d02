# terraform plan -var-file=example.tfvars (copy it and fill in your values)
name                = "shop"
route53_zone_id     = "Z0123456789ABCDEFGHIJ"
route53_record_name = "api.example.com"

initial_weights = {
  aws   = 50
  azure = 50
}

# aws_cell_state and azure_cell_state are not set here: the workflows pass them as
# TF_VAR_aws_cell_state and TF_VAR_azure_cell_state from the repository variables
# AWS_CELL_STATE and AZURE_CELL_STATE, which terraform/bootstrap prints (a value in a -var-file
# would override them).

tags = {
  project = "multicloud-serverless"
}
