variable "name" {
  description = "Name prefix of every resource, e.g. pharma-pipelines-poc"
  type        = string
}

variable "vpc_id" {
  description = "VPC of the tasks"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the tasks (no route to the internet)"
  type        = list(string)
}

variable "endpoint_security_group_id" {
  description = "Security group of the VPC interface endpoints (ECR, logs, SSM, ECS, EC2); tasks get HTTPS egress to it"
  type        = string
}

variable "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint; tasks get HTTPS egress to it (buckets and ECR image layers)"
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the environment: logs, SSM parameters and bucket objects"
  type        = string
}

variable "log_retention_days" {
  description = "Days the container logs are kept in CloudWatch"
  type        = number
  default     = 400
}

variable "images" {
  description = "Released image references by digest (repository@sha256:...), as the release pipeline records them"
  type = object({
    code_location = string
    dagster       = string
    migrate       = string
  })

  validation {
    condition     = alltrue([for image in values(var.images) : can(regex("@sha256:[0-9a-f]{64}$", image))])
    error_message = "Every image must be pinned by digest (repository@sha256:<64 hex digits>), so each environment runs exactly the image that was tested."
  }
}

variable "ecr_repository_arns" {
  description = "ECR repositories the tasks pull from"
  type        = list(string)
}

variable "dagster_database" {
  description = "Dagster's own storage (runs, event logs, schedules): connection and the SecureString holding its password"
  type = object({
    address                = string
    port                   = number
    database_name          = string
    username               = string
    password_parameter_arn = string
    security_group_id      = string
  })
}

variable "warehouse_database" {
  description = "The product's warehouse: the SecureString holding its SQLAlchemy URL, and its security group"
  type = object({
    url_parameter_arn = string
    security_group_id = string
  })
}

variable "landing_bucket" {
  description = "Bucket the extract files land in, and the prefix under which they land"
  type = object({
    id     = string
    arn    = string
    prefix = string
  })
}

variable "run_storage_bucket" {
  description = "Bucket of the compute logs (stdout and stderr of every step)"
  type = object({
    id  = string
    arn = string
  })
}

variable "load_balancer" {
  description = "Security group of the load balancer and the target group that forwards to the webserver"
  type = object({
    security_group_id = string
    target_group_arn  = string
  })
}

variable "pharma_settings" {
  description = "Product settings passed to the code location and the runs as environment variables (names with the PHARMA_ prefix, e.g. PHARMA_PLANTS); never secrets"
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.pharma_settings) : startswith(key, "PHARMA_") && !contains(["PHARMA_WAREHOUSE_URL", "PHARMA_LANDING_ZONE"], key)])
    error_message = "pharma_settings names must start with PHARMA_; PHARMA_WAREHOUSE_URL and PHARMA_LANDING_ZONE are set by this module."
  }
}

variable "task_sizes" {
  description = "Fargate CPU units and memory (MiB) of each task; a run solves schedules, so it gets the most"
  nullable    = false
  type = object({
    webserver     = object({ cpu = number, memory = number })
    daemon        = object({ cpu = number, memory = number })
    code_location = object({ cpu = number, memory = number })
    run           = object({ cpu = number, memory = number })
    migrate       = object({ cpu = number, memory = number })
  })
  default = {
    webserver     = { cpu = 512, memory = 1024 }
    daemon        = { cpu = 512, memory = 1024 }
    code_location = { cpu = 512, memory = 2048 }
    run           = { cpu = 2048, memory = 8192 }
    migrate       = { cpu = 256, memory = 512 }
  }
}

variable "code_location_scaling" {
  description = "Number of code-server tasks (between min and max) and the average CPU use the autoscaling keeps them at"
  type = object({
    min                = number
    max                = number
    target_cpu_percent = number
  })
  default = {
    min                = 1
    max                = 3
    target_cpu_percent = 60
  }

  validation {
    condition     = var.code_location_scaling.min >= 1 && var.code_location_scaling.max >= var.code_location_scaling.min
    error_message = "code_location_scaling needs 1 <= min <= max."
  }
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
