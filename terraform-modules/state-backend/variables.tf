variable "name" {
  description = "State bucket name, e.g. <org>-terraform-state-<environment>."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,48}[a-z0-9]$", var.name))
    error_message = "name must be a valid S3 bucket name of at most 50 characters (a suffix is appended for the log bucket)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days old state versions are kept."
  type        = number
  default     = 365
  validation {
    condition     = var.noncurrent_version_expiration_days >= 30
    error_message = "Keep old state versions at least 30 days."
  }
}

variable "access_log_retention_days" {
  description = "Days access logs are kept."
  type        = number
  default     = 365
  validation {
    condition     = var.access_log_retention_days >= 90
    error_message = "Keep access logs at least 90 days."
  }
}

variable "create_dynamodb_lock_table" {
  description = "Create a DynamoDB lock table for Terraform < 1.11 (deprecated; prefer use_lockfile = true)."
  type        = bool
  default     = false
  validation {
    condition     = var.create_dynamodb_lock_table == true || var.create_dynamodb_lock_table == false
    error_message = "create_dynamodb_lock_table must be a boolean."
  }
}

variable "tags" {
  description = "Extra tags (mandatory tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for k in keys(var.tags) : length(k) <= 128])
    error_message = "Tag keys are at most 128 characters."
  }
}
