output "build_role_arn" {
  description = "Role of the build job (GitHub repository variable AWS_BUILD_ROLE_ARN)"
  value       = module.build_role.role_arn
}

output "registry" {
  description = "Registry host of the images (GitHub repository variable ECR_REGISTRY)"
  value       = split("/", values(module.registry.repository_urls)[0])[0]
}

output "repository_urls" {
  description = "Repository URL of each image"
  value       = module.registry.repository_urls
}
