output "dashboard_url" {
  description = "CloudWatch dashboard of jv-web-int in this environment."
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

output "url" {
  description = "HTTPS endpoint of jv-web-int."
  value       = module.service.url
}
