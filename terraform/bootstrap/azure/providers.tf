provider "azurerm" {
  subscription_id = var.subscription_id

  # The administrator who runs this stack may register resource providers; the workflows'
  # identities hold roles on resource groups only and cannot, so this stack registers what the
  # azure and global stacks use (their providers set resource_provider_registrations = "none").
  # https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs#resource_provider_registrations
  resource_provider_registrations = "core"
  resource_providers_to_register = [
    "Microsoft.ApiManagement",
    "Microsoft.Cdn",
    "Microsoft.EventHub",
    "Microsoft.KeyVault",
    "Microsoft.NotificationHubs",
    "Microsoft.OperationalInsights",
    "Microsoft.Web",
    "microsoft.insights",
  ]

  # The state account accepts Entra ID only (shared keys off).
  storage_use_azuread = true

  features {}
}
