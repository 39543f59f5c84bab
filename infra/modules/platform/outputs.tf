output "url" {
  description = "Address of the Dagster UI"
  value       = module.ingress.url
}

output "user_pool_id" {
  description = "Cognito user pool of the UI's users"
  value       = module.ingress.user_pool_id
}

output "deploy_role_arn" {
  description = "Role of the deploy workflow's job for this environment (GitHub environment variable AWS_DEPLOY_ROLE_ARN)"
  value       = module.deploy_role.role_arn
}

output "landing_zone" {
  description = "Where the export jobs deliver extract files"
  value       = "s3://${module.landing_bucket.id}/${local.landing_prefix}"
}

output "cluster_name" {
  description = "ECS cluster of the environment"
  value       = module.dagster.cluster_name
}
