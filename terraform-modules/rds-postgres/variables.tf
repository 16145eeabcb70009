variable "name" {
  description = "Identifier of the database instance and its companion resources."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,51}[a-z0-9]$", var.name))
    error_message = "name must be lowercase letters, digits and '-', starting with a letter, at most 53 characters."
  }
}

variable "database_name" {
  description = "Name of the initial database."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must be lowercase letters, digits and '_', starting with a letter."
  }
}

variable "master_username" {
  description = "Master user name (its password is generated and kept in Secrets Manager); applications use IAM authentication."
  type        = string
  default     = "postgres_admin"
  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.master_username)) && var.master_username != "postgres"
    error_message = "master_username must be a lowercase identifier other than 'postgres'."
  }
}

variable "engine_version" {
  description = "PostgreSQL major.minor version."
  type        = string
  default     = "16.4"
  validation {
    condition     = can(regex("^1[4-9](\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be PostgreSQL 14 or newer."
  }
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"
  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like db.t4g.medium."
  }
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20
  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536
    error_message = "allocated_storage must be between 20 and 65536 GiB."
  }
}

variable "max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 100
  validation {
    condition     = var.max_allocated_storage >= 20 && var.max_allocated_storage <= 65536
    error_message = "max_allocated_storage must be between 20 and 65536 GiB."
  }
}

variable "backup_retention_days" {
  description = "Automated backup retention in days (at least 7)."
  type        = number
  default     = 14
  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 7 and 35."
  }
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Private subnets in at least two availability zones."
  type        = list(string)
  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "subnet_ids needs at least two subnet-... ids."
  }
}

variable "allowed_cidr_blocks" {
  description = "CIDR blocks allowed to connect on 5432 (the service's pods)."
  type        = list(string)
  validation {
    condition     = length(var.allowed_cidr_blocks) > 0 && alltrue([for c in var.allowed_cidr_blocks : can(cidrnetmask(c)) && c != "0.0.0.0/0"])
    error_message = "allowed_cidr_blocks must be non-empty and never 0.0.0.0/0."
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
