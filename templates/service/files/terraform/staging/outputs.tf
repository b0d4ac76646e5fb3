output "dashboard_url" {
  description = "CloudWatch dashboard of {{ service_name }} in this environment."
  value       = module.service.dashboard_url
}

output "image" {
  description = "Image deployed by this configuration."
  value       = module.service.image
}

output "image_tag_parameter" {
  description = "SSM parameter the pipeline writes the image tag to before applying."
  value       = module.service.image_tag_parameter
}
{%- if kind == "web" %}

output "url" {
  description = "HTTPS endpoint of {{ service_name }}."
  value       = module.service.url
}
{%- elif trigger == "queue" %}

output "queue_url" {
  description = "Work queue of {{ service_name }}."
  value       = module.service.queue_url
}
{%- endif %}
