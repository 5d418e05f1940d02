output "variables_written" {
  description = "Names of the repository variables written."
  value       = sort(keys(github_actions_variable.bootstrap))
}

output "environment" {
  description = "The environment of the apply and traffic-shift jobs, restricted to the default branch."
  value       = github_repository_environment.production.environment
}
