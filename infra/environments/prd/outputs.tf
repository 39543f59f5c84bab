output "url" {
  description = "Address of the Dagster UI"
  value       = module.platform.url
}

output "user_pool_id" {
  description = "Cognito user pool of the UI's users"
  value       = module.platform.user_pool_id
}

output "deploy_role_arn" {
  description = "Role of the deploy workflow in this environment (GitHub environment variable AWS_DEPLOY_ROLE_ARN)"
  value       = module.platform.deploy_role_arn
}

output "landing_zone" {
  description = "Where the export jobs deliver extract files"
  value       = module.platform.landing_zone
}
