output "vpc_id" {
  description = "ID of the VPC"
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 range of the VPC"
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Subnets of the load balancer"
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Subnets of the tasks and databases (no internet route)"
  value       = aws_subnet.private[*].id
}

output "endpoint_security_group_id" {
  description = "Security group of the interface endpoints; tasks need HTTPS egress to it"
  value       = aws_security_group.endpoints.id
}

output "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint; tasks need HTTPS egress to it"
  value       = aws_vpc_endpoint.s3.prefix_list_id
}
