variable "region" {
  description = "AWS region of the state bucket"
  type        = string
}
