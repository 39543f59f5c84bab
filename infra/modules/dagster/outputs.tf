output "cluster_name" {
  description = "Name of the ECS cluster"
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster"
  value       = aws_ecs_cluster.this.arn
}

output "task_families" {
  description = "Task definition family of each task kind"
  value       = local.families
}

output "container_names" {
  description = "Container name inside each task definition"
  value       = local.container_names
}

output "service_names" {
  description = "ECS service of the webserver, the daemon and the code server"
  value       = { for kind, service in aws_ecs_service.this : kind => service.name }
}

output "subnet_ids" {
  description = "Subnets a one-off task (the migration) is started in"
  value       = var.subnet_ids
}

output "security_group_ids" {
  description = "Security group of each task kind"
  value       = { for kind, group in aws_security_group.this : kind => group.id }
}

output "task_role_arns" {
  description = "Task role of each task kind that has one (the migration needs no AWS access)"
  value       = { for kind, role in aws_iam_role.task : kind => role.arn }
}

output "execution_role_arns" {
  description = "Execution role of each task kind"
  value       = { for kind, role in aws_iam_role.execution : kind => role.arn }
}

output "log_group_names" {
  description = "CloudWatch log group of each task kind"
  value       = { for kind, group in aws_cloudwatch_log_group.this : kind => group.name }
}
