# Resources of py-web-stores shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "py-web-stores"
sub_service = "py-web-stores"
owner       = "payments"

aws_region = "us-east-1"
