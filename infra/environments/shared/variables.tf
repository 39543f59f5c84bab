variable "region" {
  description = "AWS region of the registry and of every environment"
  type        = string
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose deploy workflow builds and pushes the images"
  type        = string
}

variable "pull_principal_arns" {
  description = "Principals of other AWS accounts that may pull the images (when an environment lives in its own account); empty for one account"
  type        = list(string)
  default     = []
}
