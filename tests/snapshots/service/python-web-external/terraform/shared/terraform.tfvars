# Resources of py-web-ext shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "py-web-ext"
sub_service = "py-web-ext"
owner       = "payments"

aws_region = "us-east-1"
