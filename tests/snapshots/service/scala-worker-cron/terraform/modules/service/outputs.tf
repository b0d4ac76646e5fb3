output "image_tag_parameter" {
  description = "SSM parameter the pipeline writes the deployed image tag to."
  value       = aws_ssm_parameter.image_tag.name
}

output "image" {
  description = "Image the task definition runs."
  value       = local.image
}

output "log_group" {
  description = "CloudWatch log group of the service."
  value       = aws_cloudwatch_log_group.this.name
}

output "dashboard_url" {
  description = "CloudWatch dashboard of the service in this environment."
  value       = local.dashboard_url
}

output "alarm_topics" {
  description = "SNS topics of the alarms, by urgency."
  value = {
    high = aws_sns_topic.high_urgency.arn
    low  = aws_sns_topic.low_urgency.arn
  }
}

output "task_role_arn" {
  description = "Role the application runs with; grant it access to other resources here."
  value       = aws_iam_role.task.arn
}

output "schedule" {
  description = "Name of the EventBridge Scheduler schedule."
  value       = aws_scheduler_schedule.this.name
}
