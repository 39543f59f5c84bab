output "security_group_id" {
  description = "Security group of the load balancer; the webserver admits HTTP from it"
  value       = aws_security_group.this.id
}

output "target_group_arn" {
  description = "Target group the webserver service registers its tasks in"
  value       = aws_lb_target_group.webserver.arn
}

output "url" {
  description = "Address of the Dagster UI"
  value       = "https://${var.host_name}"
}

output "user_pool_id" {
  description = "Cognito user pool whose users may sign in (create them with aws cognito-idp admin-create-user)"
  value       = aws_cognito_user_pool.this.id
}
