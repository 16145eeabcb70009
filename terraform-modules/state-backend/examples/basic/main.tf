module "state" {
  source = "../.."

  name = "acme-terraform-state-staging"
}
