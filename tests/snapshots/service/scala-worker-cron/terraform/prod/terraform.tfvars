# sc-cron in prod.

# Billing tags (mandatory on every resource).
environment = "prod"
service     = "sc-cron"
sub_service = "sc-cron"
owner       = "payments"

aws_region = "us-east-1"

# Task size, a valid Fargate pair: CPU units (1024 = 1 vCPU) and memory (MiB).
# `newsvc rightsize --apply` rewrites these two lines from observed usage.
cpu    = 512
memory = 1024

# Number of tasks (unused by a cron worker: one task per schedule tick).
min_count = 2
max_count = 6
