output "role_arn" {
  description = "ARN of the role; set it as the workflow's AWS role variable"
  value       = aws_iam_role.this.arn
}

output "provider_arn" {
  description = "ARN of the account's GitHub OIDC identity provider"
  value       = local.provider_arn
}
