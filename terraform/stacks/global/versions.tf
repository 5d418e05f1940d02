terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.25.0"
    }
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "4.55.0"
    }
  }

  # Partial configuration: bucket and region come from -backend-config (see
  # backend.example.tfbackend).
  backend "s3" {
    key          = "multicloud/global/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
