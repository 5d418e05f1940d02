provider "aws" {
  region = var.aws_region

  default_tags {
    tags = var.tags
  }
}

provider "azurerm" {
  # Null: ARM_SUBSCRIPTION_ID. azure/login exports no ARM_* variable; the workflows set
  # ARM_USE_OIDC, ARM_CLIENT_ID, ARM_TENANT_ID and ARM_SUBSCRIPTION_ID themselves, which the
  # provider and the azurerm remote state read.
  # https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs/guides/service_principal_oidc
  subscription_id = var.azure_subscription_id

  # The workflows' identities hold roles on resource groups only and cannot register resource
  # providers; terraform/bootstrap/azure registers the ones this stack uses.
  # https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs#resource_provider_registrations
  resource_provider_registrations = "none"

  features {}
}
