# {{ service_name }} in dev: small and cheap, one task is enough.

# Billing tags (mandatory on every resource).
environment = "dev"
service     = "{{ product }}"
sub_service = "{{ service_name }}"
owner       = "{{ owner }}"

aws_region = "{{ aws_region }}"

# Task size, a valid Fargate pair: CPU units (1024 = 1 vCPU) and memory (MiB).
# `newsvc rightsize --apply` rewrites these two lines from observed usage.
{%- if cpu == 256 or language == "python" or language == "rust" %}
cpu    = 256
memory = 512
{%- else %}
cpu    = 512
memory = 1024
{%- endif %}

# Number of tasks{% if kind == "worker" and trigger == "cron" %} (unused by a cron worker: one task per schedule tick){% else %}: autoscaling keeps it between the two, tracking 60% CPU{% endif %}.
min_count = 1
max_count = {% if max_count < 2 %}1{% else %}2{% endif %}
