variable "name" {
  description = "Name prefix of every network resource, e.g. pharma-pipelines-poc"
  type        = string
}

variable "cidr_block" {
  description = "IPv4 range of the VPC; a /20 or larger leaves room for two subnet tiers in three zones"
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) <= 20
    error_message = "cidr_block must be an IPv4 CIDR of size /20 or larger (e.g. 10.40.0.0/20)."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread the subnets over (2 or 3, e.g. [\"eu-central-1a\", \"eu-central-1b\"]); named explicitly so that a zone AWS adds later never moves a subnet"
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3
    error_message = "availability_zones must name 2 or 3 zones: RDS Multi-AZ and the load balancer need two."
  }
}

variable "interface_endpoint_services" {
  description = "AWS services reached through interface endpoints (the private subnets have no route to the internet)"
  type        = list(string)
  default     = ["ecr.api", "ecr.dkr", "logs", "ssm", "ecs", "ec2"]
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the flow-log group"
  type        = string
}

variable "log_retention_days" {
  description = "Days VPC flow logs are kept"
  type        = number
  default     = 400
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
