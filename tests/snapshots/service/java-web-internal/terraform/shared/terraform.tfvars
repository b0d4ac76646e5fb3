# Resources of jv-web-int shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "jv-web-int"
sub_service = "jv-web-int"
owner       = "payments"

aws_region = "us-east-1"
