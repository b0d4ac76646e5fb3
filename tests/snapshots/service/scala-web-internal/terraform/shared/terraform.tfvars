# Resources of sc-web-int shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "sc-web-int"
sub_service = "sc-web-int"
owner       = "payments"

aws_region = "us-east-1"
