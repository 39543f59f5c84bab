variable "create_provider" {
  description = "Whether to create the account's GitHub OIDC identity provider (once per account; later stacks look it up)"
  type        = bool
  default     = false
}

variable "role_name" {
  description = "Name of the role the workflow assumes"
  type        = string
}

variable "role_description" {
  description = "What the workflow does with the role"
  type        = string
}

variable "github_repository" {
  description = "Repository whose workflows may assume the role, as owner/name"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name, e.g. acme/pharma-pipelines."
  }
}

variable "subjects" {
  description = "Token subjects allowed to assume the role, after repo:<owner/name>: e.g. ref:refs/heads/main (a job without environment on main) or environment:prd (a job of that GitHub environment)"
  type        = list(string)

  validation {
    condition     = length(var.subjects) > 0 && alltrue([for subject in var.subjects : !strcontains(subject, "*")])
    error_message = "subjects must name exact branches or environments; wildcards would let any branch or pull request assume the role."
  }
}

variable "policy_json" {
  description = "The role's permissions as an IAM policy document"
  type        = string
}

variable "max_session_duration_seconds" {
  description = "Longest a workflow job may hold the role's credentials"
  type        = number
  default     = 3600
}

variable "tags" {
  description = "Tags added to the role"
  type        = map(string)
  default     = {}
}
