variable "name" {
  description = "Identifier of the DB instance, e.g. pharma-pipelines-poc-warehouse"
  type        = string
}

variable "purpose" {
  description = "What the database holds, for descriptions and tags (e.g. 'Dagster runs, events and schedules')"
  type        = string
}

variable "database_name" {
  description = "Name of the database created in the instance"
  type        = string
}

variable "username" {
  description = "Master user name; the tasks connect as this user"
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL major version; minor versions follow AWS's automatic upgrades. The tests run against the same major version"
  type        = string
  default     = "15"
}

variable "instance_class" {
  description = "DB instance class"
  type        = string
}

variable "allocated_storage_gib" {
  description = "Initial storage in GiB"
  type        = number
  default     = 20
}

variable "max_allocated_storage_gib" {
  description = "Upper limit of storage autoscaling in GiB"
  type        = number
  default     = 100
}

variable "multi_az" {
  description = "Whether a standby in a second availability zone takes over on failure"
  type        = bool
}

variable "backup_retention_days" {
  description = "Days automated backups (point-in-time recovery) are kept"
  type        = number

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must lie between 7 and 35 days."
  }
}

variable "deletion_protection" {
  description = "Whether the instance refuses deletion until this is turned off"
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "VPC of the instance"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the instance may be placed in"
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups whose members may connect on the PostgreSQL port, by name (the name only labels the rule)"
  type        = map(string)
}

variable "kms_key_arn" {
  description = "KMS key that encrypts storage, backups, Performance Insights, logs and the SSM parameters"
  type        = string
}

variable "log_retention_days" {
  description = "Days the PostgreSQL logs are kept in CloudWatch"
  type        = number
  default     = 400
}

variable "parameter_prefix" {
  description = "SSM Parameter Store path under which the connection secrets are stored, e.g. /pharma-pipelines/poc/warehouse"
  type        = string

  validation {
    condition     = startswith(var.parameter_prefix, "/") && !endswith(var.parameter_prefix, "/")
    error_message = "parameter_prefix must start with '/' and not end with '/' (e.g. /pharma-pipelines/poc/warehouse)."
  }
}

variable "sqlalchemy_url_driver" {
  description = "When set (e.g. postgresql+psycopg2), a second SecureString holds the whole SQLAlchemy URL with this driver, for settings that take a URL; null stores the password only"
  type        = string
  default     = null
}

variable "password_version" {
  description = "Raise by one to generate and store a new master password on the next apply (rotation); the password itself never enters the Terraform state"
  type        = number
  default     = 1
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
