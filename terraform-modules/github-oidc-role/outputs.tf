output "role_arn" {
  description = "ARN of the role (store it as the repository variable the workflow reads)."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}
