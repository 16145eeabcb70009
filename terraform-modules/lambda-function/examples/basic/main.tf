module "function" {
  source = "../.."

  name                 = "orders-staging-fn"
  image_uri            = "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-fn@sha256:0000000000000000000000000000000000000000000000000000000000000000"
  reserved_concurrency = 10
}
