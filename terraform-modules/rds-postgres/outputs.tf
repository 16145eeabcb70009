output "endpoint" {
  description = "Connection endpoint (host:port); connect with IAM authentication and TLS."
  value       = aws_db_instance.this.endpoint
}

output "db_instance_resource_id" {
  description = "Resource id used in rds-db:connect IAM policies."
  value       = aws_db_instance.this.resource_id
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.this.id
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret holding the generated master password."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "kms_key_arn" {
  description = "KMS key encrypting storage, Performance Insights and the master secret."
  value       = aws_kms_key.this.arn
}
