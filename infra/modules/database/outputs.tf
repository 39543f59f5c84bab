output "address" {
  description = "Host name of the instance"
  value       = aws_db_instance.this.address
}

output "port" {
  description = "PostgreSQL port of the instance"
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the database in the instance"
  value       = var.database_name
}

output "username" {
  description = "Master user name"
  value       = var.username
}

output "password_parameter_arn" {
  description = "ARN of the SecureString that holds the password"
  value       = aws_ssm_parameter.password.arn
}

output "url_parameter_arn" {
  description = "ARN of the SecureString that holds the SQLAlchemy URL (null when sqlalchemy_url_driver is null)"
  value       = one(aws_ssm_parameter.url[*].arn)
}

output "security_group_id" {
  description = "Security group of the instance; clients need egress to it on port 5432"
  value       = aws_security_group.this.id
}
