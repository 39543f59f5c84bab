variable "name" {
  description = "Globally unique name of the bucket"
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key that encrypts every object; null encrypts with S3-managed keys (SSE-S3), which only a bucket that an AWS service writes without KMS support (ALB access logs) may use"
  type        = string
  default     = null
}

variable "access_log_bucket" {
  description = "Bucket that receives the server access logs of this bucket; null for the access-log bucket itself"
  type        = string
  default     = null
}

variable "noncurrent_version_retention_days" {
  description = "Days a replaced or deleted object version is kept before it expires"
  type        = number
  default     = 365

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1 day."
  }
}

variable "current_version_expiration_days" {
  description = "Days after which current objects expire (logs); null keeps them until deleted"
  type        = number
  default     = null
}

variable "policy_statements" {
  description = "Additional bucket policy statements, a list of IAM policy statements as objects (Sid, Effect, Principal, Action, Resource, Condition), appended to the TLS-only statement"
  # Statements differ in shape (some have a Condition, principals differ in kind), which a
  # list(...) type constraint would refuse to unify.
  type    = any
  default = []
}

variable "force_destroy" {
  description = "Whether a destroy may delete a bucket that still holds objects (only for throw-away environments)"
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to the bucket"
  type        = map(string)
  default     = {}
}
