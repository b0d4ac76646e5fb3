# Resources of {{ service_name }} shared by dev, staging and prod.

# Billing tags (mandatory on every resource).
environment = "shared"
service     = "{{ product }}"
sub_service = "{{ service_name }}"
owner       = "{{ owner }}"

aws_region = "{{ aws_region }}"
