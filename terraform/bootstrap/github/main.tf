locals {
  owner      = split("/", var.github_repository)[0]
  repository = split("/", var.github_repository)[1]

  variables = merge(
    data.terraform_remote_state.bootstrap["aws"].outputs.github_variables,
    data.terraform_remote_state.bootstrap["azure"].outputs.github_variables,
    var.extra_variables,
  )
}

data "terraform_remote_state" "bootstrap" {
  for_each = var.bootstrap_states

  backend = each.value.backend
  config  = each.value.config
}

resource "github_actions_variable" "bootstrap" {
  for_each = local.variables

  repository    = local.repository
  variable_name = each.key
  value         = each.value
}

data "github_user" "reviewers" {
  for_each = toset(var.reviewer_users)

  username = each.value
}

data "github_team" "reviewers" {
  for_each = toset(var.reviewer_teams)

  slug = each.value
}

# The deploy identities trust repo:<owner>/<repo>:environment:<name>, a claim any workflow run
# that names the environment gets: the environment is what makes that claim mean "reviewed
# code on the default branch, approved by a reviewer". So: only the default branch may deploy
# to it (custom branch policy), a reviewer must approve each run, not the one who triggered it,
# and administrators cannot skip that.
# https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment#deployment-protection-rules
resource "github_repository_environment" "production" {
  repository          = local.repository
  environment         = var.github_environment
  prevent_self_review = true
  can_admins_bypass   = false

  reviewers {
    users = [for user in data.github_user.reviewers : tonumber(user.id)]
    teams = [for team in data.github_team.reviewers : tonumber(team.id)]
  }

  deployment_branch_policy {
    protected_branches     = false
    custom_branch_policies = true
  }

  lifecycle {
    precondition {
      condition     = length(var.reviewer_users) + length(var.reviewer_teams) >= 1 && length(var.reviewer_users) + length(var.reviewer_teams) <= 6
      error_message = "Give 1 to 6 reviewers (reviewer_users and reviewer_teams together): without a reviewer, any workflow run on the default branch deploys unapproved, including a first deployment's plans (docs/deploying.md)."
    }
  }
}

resource "github_repository_environment_deployment_policy" "default_branch" {
  repository     = local.repository
  environment    = github_repository_environment.production.environment
  branch_pattern = var.github_default_branch
}
