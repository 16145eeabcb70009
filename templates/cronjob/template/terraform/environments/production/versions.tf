# Platform-owned. Terraform >= 1.11 for S3-native state locking (use_lockfile).
terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 6.0.0"
    }
  }
}
