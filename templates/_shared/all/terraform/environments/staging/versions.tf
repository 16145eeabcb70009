# Platform-owned. Terraform >= 1.11 for S3-native state locking (use_lockfile).
# The AWS provider range is what the platform supports (docs/golden-paths.md); the exact version
# and its checksums are pinned by .terraform.lock.hcl, committed next to this file.
terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0, < 7.0.0"
    }
  }
}
