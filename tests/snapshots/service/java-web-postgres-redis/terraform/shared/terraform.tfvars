# Resources of jv-web-stores shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "jv-web-stores"
sub_service = "jv-web-stores"
owner       = "payments"

aws_region = "us-east-1"
