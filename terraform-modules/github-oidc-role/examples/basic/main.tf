# Terraform role for the staging stack of acme/orders: state access plus what the stack manages.
data "aws_iam_policy_document" "terraform_state" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:aws:s3:::acme-terraform-state-staging/services/orders/staging/*"]
  }
  statement {
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::acme-terraform-state-staging"]
  }
}

module "terraform_role" {
  source = "../.."

  name               = "gha-orders-staging-terraform"
  oidc_provider_arn  = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  github_org         = "acme"
  github_repo        = "orders"
  github_environment = "staging"
  policy_documents   = { terraform-state = data.aws_iam_policy_document.terraform_state.json }
}
