# Resources of py-web-int shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "py-web-int"
sub_service = "py-web-int"
owner       = "payments"

aws_region = "us-east-1"
