# Resources of py-cron shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "py-cron"
sub_service = "py-cron"
owner       = "payments"

aws_region = "us-east-1"
