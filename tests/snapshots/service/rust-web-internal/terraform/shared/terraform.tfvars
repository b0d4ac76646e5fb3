# Resources of rs-web-int shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "rs-web-int"
sub_service = "rs-web-int"
owner       = "payments"

aws_region = "us-east-1"
