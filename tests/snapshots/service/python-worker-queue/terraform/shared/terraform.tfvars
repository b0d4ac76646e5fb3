# Resources of py-queue shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "py-queue"
sub_service = "py-queue"
owner       = "payments"

aws_region = "us-east-1"
