module "bucket" {
  source = "../.."

  name                  = "acme-orders-staging-data"
  logging_target_bucket = "acme-s3-access-logs-staging"
}
