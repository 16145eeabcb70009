module "database" {
  source = "../.."

  name                = "orders-staging"
  database_name       = "orders"
  vpc_id              = "vpc-0123456789abcdef0"
  subnet_ids          = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  allowed_cidr_blocks = ["10.0.0.0/16"]
}
