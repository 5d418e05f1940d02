# Authenticates with GITHUB_TOKEN or `gh auth login` (a repository administrator: environments
# and variables need admin rights on the repository).
# https://registry.terraform.io/providers/integrations/github/6.9.0/docs#authentication
provider "github" {
  owner = local.owner
}
