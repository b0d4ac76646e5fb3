# Resources of sc-cron shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "sc-cron"
sub_service = "sc-cron"
owner       = "payments"

aws_region = "us-east-1"
