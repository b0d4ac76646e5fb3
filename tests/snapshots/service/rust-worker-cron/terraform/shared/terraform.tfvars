# Resources of rs-cron shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "rs-cron"
sub_service = "rs-cron"
owner       = "payments"

aws_region = "us-east-1"
