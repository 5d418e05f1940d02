locals {
  backend_config = join("\n", [
    "resource_group_name=${azurerm_resource_group.state.name}",
    "storage_account_name=${azurerm_storage_account.state.name}",
    "container_name=${azurerm_storage_container.state.name}",
  ])

  # The repository variables the workflows read. None is a secret: a client ID is useless
  # without a GitHub token whose `sub` one of its federated credentials names.
  github_variables = {
    AZURE_TENANT_ID         = data.azurerm_client_config.current.tenant_id
    AZURE_SUBSCRIPTION_ID   = var.subscription_id
    AZURE_PLAN_CLIENT_ID    = azurerm_user_assigned_identity.plan.client_id
    AZURE_DEPLOY_CLIENT_ID  = azurerm_user_assigned_identity.deploy.client_id
    TF_BACKEND_CONFIG_azure = local.backend_config
    AZURE_CELL_STATE        = "{ resource_group_name = \"${azurerm_resource_group.state.name}\", storage_account_name = \"${azurerm_storage_account.state.name}\", container_name = \"${azurerm_storage_container.state.name}\" }"
  }
}

output "github_variables" {
  description = "Repository variables for the workflows, by name (merge with the aws bootstrap's; bootstrap/github writes them all)."
  value       = local.github_variables
}

output "gh_commands" {
  description = "The same variables as `gh variable set` commands, to paste in a shell signed in with `gh auth login`."
  value = join("\n", [
    for name in sort(keys(local.github_variables)) :
    "gh variable set ${name} --repo ${var.github_repository} --body '${local.github_variables[name]}'"
  ])
}

output "state_storage_account_name" {
  description = "Name of the state storage account (the azurerm backend's storage_account_name)."
  value       = azurerm_storage_account.state.name
}

output "plan_client_id" {
  description = "Client ID of the plan identity (pull requests, drift): AZURE_PLAN_CLIENT_ID."
  value       = azurerm_user_assigned_identity.plan.client_id
}

output "plan_principal_id" {
  description = "Object (principal) ID of the plan identity: stacks/azure plan_principal_id, so the cell grants it Key Vault Secrets User on the cell's own two secrets and nothing else of its resource group."
  value       = azurerm_user_assigned_identity.plan.principal_id
}

output "deploy_client_id" {
  description = "Client ID of the deploy identity (environment production only): AZURE_DEPLOY_CLIENT_ID."
  value       = azurerm_user_assigned_identity.deploy.client_id
}

output "cell_resource_group_name" {
  description = "Resource group of the Azure cell (stacks/azure resource_group_name)."
  value       = azurerm_resource_group.cell.name
}

output "global_resource_group_name" {
  description = "Resource group of the Front Door profile (stacks/global front_door_resource_group_name)."
  value       = azurerm_resource_group.global.name
}
