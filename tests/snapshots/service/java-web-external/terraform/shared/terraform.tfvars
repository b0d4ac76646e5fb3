# Resources of jv-web-ext shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "jv-web-ext"
sub_service = "jv-web-ext"
owner       = "payments"

aws_region = "us-east-1"
