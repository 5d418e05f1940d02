terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "4.55.0"
    }
  }

  # No backend block: an administrator runs this stack once, with local state, before the state
  # storage account exists. README.md says how to move that state into it afterwards.
}
