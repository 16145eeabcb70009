output "bucket_name" {
  description = "State bucket (use it in the stacks' backend \"s3\" block)."
  value       = module.state.bucket_name
}

output "kms_key_arn" {
  description = "KMS key encrypting the state (grant the Terraform roles kms:Decrypt/GenerateDataKey)."
  value       = module.state.kms_key_arn
}

output "access_log_bucket_name" {
  description = "Bucket receiving the state bucket's access logs."
  value       = aws_s3_bucket.logs.id
}

output "dynamodb_table_name" {
  description = "Lock table name when create_dynamodb_lock_table is true, else null."
  value       = var.create_dynamodb_lock_table ? aws_dynamodb_table.lock[0].name : null
}
