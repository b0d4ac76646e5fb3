# {{ service_name }} in prod.

# Billing tags (mandatory on every resource).
environment = "prod"
service     = "{{ product }}"
sub_service = "{{ service_name }}"
owner       = "{{ owner }}"

aws_region = "{{ aws_region }}"

# Task size, a valid Fargate pair: CPU units (1024 = 1 vCPU) and memory (MiB).
# `newsvc rightsize --apply` rewrites these two lines from observed usage.
cpu    = {{ cpu }}
memory = {{ memory }}

# Number of tasks{% if kind == "worker" and trigger == "cron" %} (unused by a cron worker: one task per schedule tick){% else %}: autoscaling keeps it between the two, tracking 60% CPU{% endif %}.
min_count = {{ min_count }}
max_count = {{ max_count }}
