# Resources of jv-cron shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "jv-cron"
sub_service = "jv-cron"
owner       = "payments"

aws_region = "us-east-1"
