# Resources of jv-queue shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "jv-queue"
sub_service = "jv-queue"
owner       = "payments"

aws_region = "us-east-1"
