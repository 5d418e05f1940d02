# terraform plan -var-file=example.tfvars (copy it and fill in your values)
name                = "shop"
route53_zone_id     = "Z0123456789ABCDEFGHIJ"
route53_record_name = "api.example.com"

initial_weights = {
  aws   = 50
  azure = 50
}

aws_cell_state = {
  bucket = "my-terraform-state-bucket"
  region = "eu-west-1"
}

azure_cell_state = {
  resource_group_name  = "rg-terraform-state"
  storage_account_name = "mytfstateaccount"
  container_name       = "tfstate"
}

tags = {
  project = "multicloud-serverless"
}
