# An IAM role that one GitHub Actions environment of one repository can assume through OIDC.
# Trust is pinned to `repo:<org>/<repo>:environment:<env>` and the sts audience; permissions are
# exactly the policy documents passed in (no managed admin policies, no wildcards added here).

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "GitHub Actions ${var.github_org}/${var.github_repo} (environment ${var.github_environment})"
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubActionsOidc"
      Effect    = "Allow"
      Principal = { Federated = var.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:${var.github_org}/${var.github_repo}:environment:${var.github_environment}"
        }
      }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  for_each = var.policy_documents
  name     = each.key
  role     = aws_iam_role.this.id
  policy   = each.value
}
