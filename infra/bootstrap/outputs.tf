output "state_bucket" {
  description = "Bucket to pass as -backend-config=bucket=... to every other stack"
  value       = module.state.id
}
