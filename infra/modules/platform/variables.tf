variable "environment" {
  description = "Environment name: poc, tst or prd"
  type        = string

  validation {
    condition     = contains(["poc", "tst", "prd"], var.environment)
    error_message = "environment must be poc, tst or prd."
  }
}

variable "availability_zones" {
  description = "Availability zones of the environment (2 or 3)"
  type        = list(string)
}

variable "vpc_cidr_block" {
  description = "IPv4 range of the environment's VPC (/20 or larger, not overlapping the company network it is reached from)"
  type        = string
}

variable "allowed_cidr_blocks" {
  description = "IPv4 ranges allowed to reach the Dagster UI (company network or VPN)"
  type        = list(string)
}

variable "hosted_zone_name" {
  description = "Route 53 public hosted zone that holds the UI's name, e.g. example.com"
  type        = string
}

variable "host_name" {
  description = "Host name of the Dagster UI, e.g. dagster-poc.example.com"
  type        = string
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose deploy workflow may release into this environment"
  type        = string
}

variable "ecr_repository_names" {
  description = "ECR repositories of the three images (created by the shared stack)"
  type = object({
    code_location = string
    dagster       = string
    migrate       = string
  })
  default = {
    code_location = "pharma-pipelines/code-location"
    dagster       = "pharma-pipelines/dagster"
    migrate       = "pharma-pipelines/migrate"
  }
}

variable "bootstrap_release" {
  description = "Images (repository@sha256:digest) the environment starts with on its first apply; afterwards the release pipeline records each release in Parameter Store and this value is ignored"
  type = object({
    code_location = string
    dagster       = string
    migrate       = string
  })
}

variable "database" {
  description = "Size and resilience of the two PostgreSQL instances (Dagster storage and warehouse)"
  type = object({
    instance_class        = string
    multi_az              = bool
    backup_retention_days = number
  })
}

variable "deletion_protection" {
  description = "Whether the databases, the load balancer and the user pool refuse deletion until this is turned off"
  type        = bool
  default     = true
}

variable "task_sizes" {
  description = "Fargate CPU units and memory (MiB) of each task kind; null keeps the module's defaults"
  type = object({
    webserver     = object({ cpu = number, memory = number })
    daemon        = object({ cpu = number, memory = number })
    code_location = object({ cpu = number, memory = number })
    run           = object({ cpu = number, memory = number })
    migrate       = object({ cpu = number, memory = number })
  })
  default = null
}

variable "code_location_scaling" {
  description = "Task count range of the code server and the average CPU use autoscaling keeps"
  type = object({
    min                = number
    max                = number
    target_cpu_percent = number
  })
}

variable "pharma_settings" {
  description = "Product settings (PHARMA_ environment variables, e.g. PHARMA_PLANTS) of the code server and the runs; never secrets"
  type        = map(string)
  default     = {}
}

variable "landing_writer_arns" {
  description = "IAM principals (the SAP, LIMS and mail export jobs) allowed to put extract files under the landing prefix"
  type        = list(string)
  default     = []
}

variable "log_retention_days" {
  description = "Days every log group keeps its logs (GxP audit trail: at least a year)"
  type        = number
  default     = 400

  validation {
    condition     = var.log_retention_days >= 365
    error_message = "log_retention_days must be at least 365: logs are part of the audit trail."
  }
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
