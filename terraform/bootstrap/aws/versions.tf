terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.25.0"
    }
  }

  # No backend block: an administrator runs this stack once, with local state, before the state
  # bucket exists. README.md says how to move that state into the bucket afterwards
  # (`terraform init -migrate-state` with backend.example.tf copied to backend.tf).
}
