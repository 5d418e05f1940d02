terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "4.55.0"
    }
  }

  # Partial configuration: resource_group_name, storage_account_name and container_name come
  # from -backend-config (see backend.example.tfbackend). State locking is the blob lease the
  # azurerm backend always takes; auth is Entra ID (OIDC in GitHub Actions: ARM_USE_OIDC=true).
  backend "azurerm" {
    key              = "multicloud/azure/terraform.tfstate"
    use_azuread_auth = true
  }
}
