variable "name" {
  description = "Role name."
  type        = string
  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,64}$", var.name))
    error_message = "name must be a valid IAM role name (at most 64 characters)."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the account's token.actions.githubusercontent.com OIDC provider (one per account, created by the platform)."
  type        = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be the GitHub Actions OIDC provider ARN."
  }
}

variable "github_org" {
  description = "GitHub organization (owner) of the repository."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}$", var.github_org))
    error_message = "github_org must be a GitHub organization name."
  }
}

variable "github_repo" {
  description = "Repository name."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,100}$", var.github_repo))
    error_message = "github_repo must be a repository name (no wildcards)."
  }
}

variable "github_environment" {
  description = "GitHub environment whose jobs may assume the role (e.g. staging, production, staging-plan)."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,255}$", var.github_environment))
    error_message = "github_environment must be an environment name (no wildcards)."
  }
}

variable "policy_documents" {
  description = "Inline least-privilege policy documents (JSON) by name."
  type        = map(string)
  validation {
    condition     = length(var.policy_documents) > 0 && alltrue([for p in values(var.policy_documents) : can(jsondecode(p))])
    error_message = "policy_documents must hold at least one JSON policy document."
  }
}

variable "permissions_boundary_arn" {
  description = "Optional permissions boundary."
  type        = string
  default     = null
  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN."
  }
}

variable "max_session_duration" {
  description = "Maximum session duration in seconds."
  type        = number
  default     = 3600
  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200."
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
