provider "aws" {
  region = var.aws_region

  default_tags {
    tags = var.tags
  }
}

provider "azurerm" {
  # Null falls back to ARM_SUBSCRIPTION_ID, which azure/login's OIDC setup provides.
  subscription_id = var.azure_subscription_id

  features {}
}
