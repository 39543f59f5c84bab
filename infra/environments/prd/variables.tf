variable "region" {
  description = "AWS region of the environment (the same as the shared stack's registry)"
  type        = string
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose deploy workflow releases into this environment"
  type        = string
}

variable "hosted_zone_name" {
  description = "Route 53 public hosted zone of the UI's name, e.g. example.com"
  type        = string
}

variable "host_name" {
  description = "Host name of the Dagster UI, e.g. dagster.example.com"
  type        = string
}

variable "allowed_cidr_blocks" {
  description = "IPv4 ranges allowed to reach the UI (company network or VPN)"
  type        = list(string)
}

variable "bootstrap_release" {
  description = "Images (repository@sha256:digest) of the first apply; the deploy workflow records every later release itself"
  type = object({
    code_location = string
    dagster       = string
    migrate       = string
  })
}

variable "landing_writer_arns" {
  description = "IAM principals of the export jobs that deliver extract files to the landing zone"
  type        = list(string)
  default     = []
}

variable "plants" {
  description = "SAP plants (WERKS) planned in this environment, comma-separated (PHARMA_PLANTS)"
  type        = string
  default     = "0100"
}
