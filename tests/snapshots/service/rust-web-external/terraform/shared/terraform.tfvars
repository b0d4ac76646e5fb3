# Resources of rs-web-ext shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "rs-web-ext"
sub_service = "rs-web-ext"
owner       = "payments"

aws_region = "us-east-1"
