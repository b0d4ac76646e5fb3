# {{ service_name }} in staging: the production task size, fewer tasks.

# Billing tags (mandatory on every resource).
environment = "staging"
service     = "{{ product }}"
sub_service = "{{ service_name }}"
owner       = "{{ owner }}"

aws_region = "{{ aws_region }}"

# Task size, a valid Fargate pair: CPU units (1024 = 1 vCPU) and memory (MiB).
# `newsvc rightsize --apply` rewrites these two lines from observed usage.
cpu    = {{ cpu }}
memory = {{ memory }}

# Number of tasks{% if kind == "worker" and trigger == "cron" %} (unused by a cron worker: one task per schedule tick){% else %}: autoscaling keeps it between the two, tracking 60% CPU{% endif %}.
min_count = {% if min_count < 2 %}{{ min_count }}{% else %}2{% endif %}
max_count = {% if max_count < 4 %}{{ max_count }}{% else %}4{% endif %}
