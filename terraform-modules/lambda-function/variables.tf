variable "name" {
  description = "Function name."
  type        = string
  validation {
    condition     = can(regex("^[a-zA-Z0-9-_]{1,56}$", var.name))
    error_message = "name must be 1-56 letters, digits, '-' or '_' (suffixes are appended)."
  }
}

variable "description" {
  description = "Function description."
  type        = string
  default     = ""
  validation {
    condition     = length(var.description) <= 256
    error_message = "description is at most 256 characters."
  }
}

variable "image_uri" {
  description = "ECR image of the function, referenced by digest."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/[a-z0-9._/-]+@sha256:[a-f0-9]{64}$", var.image_uri))
    error_message = "image_uri must be an ECR image referenced by digest (...@sha256:<64 hex>)."
  }
}

variable "architecture" {
  description = "arm64 or x86_64."
  type        = string
  default     = "arm64"
  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory in MB."
  type        = number
  default     = 256
  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240."
  }
}

variable "timeout" {
  description = "Timeout in seconds."
  type        = number
  default     = 30
  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions (caps cost and protects downstreams)."
  type        = number
  validation {
    condition     = var.reserved_concurrency >= 1 && var.reserved_concurrency <= 1000
    error_message = "reserved_concurrency must be between 1 and 1000."
  }
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention (at least one year)."
  type        = number
  default     = 365
  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch retention value of at least 365."
  }
}

variable "environment_variables" {
  description = "Plain environment variables (encrypted at rest with the function's KMS key). No secrets: read them from Secrets Manager."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && !can(regex("(?i)(password|secret|token)", k))])
    error_message = "environment variable names must be identifiers and must not name secrets."
  }
}

variable "vpc_subnet_ids" {
  description = "Private subnets to attach the function to (empty: no VPC, for functions with no private dependencies)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for s in var.vpc_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "vpc_subnet_ids must be subnet-... ids."
  }
}

variable "vpc_security_group_ids" {
  description = "Security groups of the function when attached to a VPC."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for s in var.vpc_security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", s))])
    error_message = "vpc_security_group_ids must be sg-... ids."
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
