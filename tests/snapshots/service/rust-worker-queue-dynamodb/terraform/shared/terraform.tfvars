# Resources of rs-queue-stores shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "rs-queue-stores"
sub_service = "rs-queue-stores"
owner       = "payments"

aws_region = "us-east-1"
