provider "azurerm" {
  # Null falls back to ARM_SUBSCRIPTION_ID, which azure/login's OIDC setup provides.
  subscription_id = var.subscription_id

  # The storage account has shared keys disabled: data-plane calls use Entra ID.
  storage_use_azuread = true

  features {}
}
