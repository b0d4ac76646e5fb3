# Resources of sc-web-ext shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "sc-web-ext"
sub_service = "sc-web-ext"
owner       = "payments"

aws_region = "us-east-1"
