terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    github = {
      source  = "integrations/github"
      version = "6.9.0"
    }
  }

  # No backend block: run once by a repository administrator, like the other two bootstrap
  # stacks, whose outputs it reads.
}
