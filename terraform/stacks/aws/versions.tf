terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.25.0"
    }
  }

  # Partial configuration: bucket and region come from -backend-config (see
  # backend.example.tfbackend), so that forks keep their state bucket out of the code.
  backend "s3" {
    key          = "multicloud/aws/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
