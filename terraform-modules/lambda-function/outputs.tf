output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "role_arn" {
  description = "Execution role (attach further least-privilege policies to it)."
  value       = aws_iam_role.this.arn
}

output "dead_letter_queue_arn" {
  description = "SQS dead-letter queue for failed asynchronous invocations."
  value       = aws_sqs_queue.dlq.arn
}
