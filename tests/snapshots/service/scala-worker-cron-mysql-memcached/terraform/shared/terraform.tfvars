# Resources of sc-cron-stores shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "sc-cron-stores"
sub_service = "sc-cron-stores"
owner       = "payments"

aws_region = "us-east-1"
