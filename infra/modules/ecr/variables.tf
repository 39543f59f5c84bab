variable "repositories" {
  description = "Names of the repositories to create, one per image (e.g. pharma-pipelines/code-location)"
  type        = set(string)
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the images"
  type        = string
}

variable "pull_principal_arns" {
  description = "IAM principals (roles or account roots) of other accounts that may pull the images; empty when every environment lives in this account"
  type        = list(string)
  default     = []
}

variable "untagged_image_retention_days" {
  description = "Days an image no tag points to is kept; released images carry a tag and are never expired"
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every repository"
  type        = map(string)
  default     = {}
}
