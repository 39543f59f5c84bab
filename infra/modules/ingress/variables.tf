variable "name" {
  description = "Name prefix of every resource (at most 24 characters, load balancer names are short), e.g. pharma-pipelines-poc"
  type        = string

  validation {
    condition     = length(var.name) <= 24
    error_message = "name must have at most 24 characters: it prefixes the load balancer and target group names (32 at most)."
  }
}

variable "vpc_id" {
  description = "VPC of the load balancer"
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets of the load balancer"
  type        = list(string)
}

variable "allowed_cidr_blocks" {
  description = "IPv4 ranges allowed to reach the load balancer on HTTPS (the company network or VPN); never 0.0.0.0/0 for a GxP system"
  type        = list(string)

  validation {
    condition     = length(var.allowed_cidr_blocks) > 0 && !contains(var.allowed_cidr_blocks, "0.0.0.0/0")
    error_message = "allowed_cidr_blocks must list the company's ranges; 0.0.0.0/0 would put the login page on the whole internet."
  }
}

variable "hosted_zone_name" {
  description = "Route 53 public hosted zone that holds the webserver's name and the certificate's validation records, e.g. example.com"
  type        = string
}

variable "host_name" {
  description = "Host name of the webserver inside the hosted zone, e.g. dagster-poc.example.com"
  type        = string
}

variable "access_log_bucket" {
  description = "Bucket that receives the load balancer's access logs (SSE-S3 encrypted, as ALB log delivery requires)"
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the WAF log group"
  type        = string
}

variable "log_retention_days" {
  description = "Days the WAF logs are kept"
  type        = number
  default     = 400
}

variable "session_timeout_seconds" {
  description = "How long a sign-in lasts before the user is asked again"
  type        = number
  default     = 28800
}

variable "deletion_protection" {
  description = "Whether the load balancer and the user pool refuse deletion until this is turned off"
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
