# Resources of sc-queue shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "sc-queue"
sub_service = "sc-queue"
owner       = "payments"

aws_region = "us-east-1"
