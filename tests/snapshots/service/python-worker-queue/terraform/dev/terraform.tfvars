# py-queue in dev: small and cheap, one task is enough.

# Billing tags (mandatory on every resource).
environment = "dev"
service     = "py-queue"
sub_service = "py-queue"
owner       = "payments"

aws_region = "us-east-1"

# Task size, a valid Fargate pair: CPU units (1024 = 1 vCPU) and memory (MiB).
# `newsvc rightsize --apply` rewrites these two lines from observed usage.
cpu    = 256
memory = 512

# Number of tasks: autoscaling keeps it between the two, tracking 60% CPU.
min_count = 1
max_count = 2
