# Resources of rs-queue shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "rs-queue"
sub_service = "rs-queue"
owner       = "payments"

aws_region = "us-east-1"
