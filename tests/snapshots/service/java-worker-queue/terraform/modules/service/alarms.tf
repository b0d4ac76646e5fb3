# Default alarms of jv-queue. Each description links the playbook page
# in docs/playbooks/ with the same name as the alarm's suffix. Alarms notify
# on ALARM and on OK, so PagerDuty resolves incidents by itself.
#
# Routing: high urgency pages the on-call of payments; low urgency opens a
# low-urgency incident for the next working hours.

resource "aws_sns_topic" "high_urgency" {
  name              = "${local.name}-alarms-high-urgency"
  kms_master_key_id = aws_kms_key.this.arn
}

resource "aws_sns_topic" "low_urgency" {
  name              = "${local.name}-alarms-low-urgency"
  kms_master_key_id = aws_kms_key.this.arn
}

resource "aws_sns_topic_subscription" "high_urgency_pagerduty" {
  topic_arn              = aws_sns_topic.high_urgency.arn
  protocol               = "https"
  endpoint               = var.pagerduty_high_urgency_url
  endpoint_auto_confirms = true
}

resource "aws_sns_topic_subscription" "low_urgency_pagerduty" {
  topic_arn              = aws_sns_topic.low_urgency.arn
  protocol               = "https"
  endpoint               = var.pagerduty_low_urgency_url
  endpoint_auto_confirms = true
}

locals {
  high_urgency = [aws_sns_topic.high_urgency.arn]
  low_urgency  = [aws_sns_topic.low_urgency.arn]
}

# --- ECS service ------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "too_few_tasks" {
  alarm_name          = "${local.name}-too-few-tasks"
  alarm_description   = "Fewer than ${var.min_count} running tasks of ${var.service_name} (${var.environment}) for 5 minutes. Playbook: https://github.com/payments/jv-queue/blob/main/docs/playbooks/too-few-tasks.md"
  namespace           = "ECS/ContainerInsights"
  metric_name         = "RunningTaskCount"
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "LessThanThreshold"
  threshold           = var.min_count
  treat_missing_data  = "breaching"
  actions_enabled     = true
  alarm_actions       = local.high_urgency
  ok_actions          = local.high_urgency

  dimensions = {
    ClusterName = var.ecs_cluster_name
    ServiceName = aws_ecs_service.this.name
  }
}

resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  alarm_name          = "${local.name}-cpu-high"
  alarm_description   = "Average CPU of ${var.service_name} (${var.environment}) above ${var.cpu_high_threshold_percent}% for 15 minutes. Playbook: https://github.com/payments/jv-queue/blob/main/docs/playbooks/cpu-high.md"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.cpu_high_threshold_percent
  treat_missing_data  = "missing"
  actions_enabled     = true
  alarm_actions       = local.low_urgency
  ok_actions          = local.low_urgency

  dimensions = {
    ClusterName = var.ecs_cluster_name
    ServiceName = aws_ecs_service.this.name
  }
}

resource "aws_cloudwatch_metric_alarm" "memory_high" {
  alarm_name          = "${local.name}-memory-high"
  alarm_description   = "Average memory of ${var.service_name} (${var.environment}) above ${var.memory_high_threshold_percent}% for 15 minutes. Playbook: https://github.com/payments/jv-queue/blob/main/docs/playbooks/memory-high.md"
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.memory_high_threshold_percent
  treat_missing_data  = "missing"
  actions_enabled     = true
  alarm_actions       = local.low_urgency
  ok_actions          = local.low_urgency

  dimensions = {
    ClusterName = var.ecs_cluster_name
    ServiceName = aws_ecs_service.this.name
  }
}

# --- queue (worker) ---------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "oldest_message_age" {
  alarm_name          = "${local.name}-oldest-message-age"
  alarm_description   = "The oldest message in the ${var.service_name} (${var.environment}) queue is older than ${var.oldest_message_age_threshold_seconds}s for 5 minutes: work is not being consumed. Playbook: https://github.com/payments/jv-queue/blob/main/docs/playbooks/oldest-message-age.md"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.oldest_message_age_threshold_seconds
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.high_urgency
  ok_actions          = local.high_urgency

  dimensions = {
    QueueName = aws_sqs_queue.main.name
  }
}

resource "aws_cloudwatch_metric_alarm" "queue_backlog" {
  alarm_name          = "${local.name}-queue-backlog"
  alarm_description   = "More than ${var.queue_backlog_threshold} messages waiting in the ${var.service_name} (${var.environment}) queue for 15 minutes. Playbook: https://github.com/payments/jv-queue/blob/main/docs/playbooks/queue-backlog.md"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.queue_backlog_threshold
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.low_urgency
  ok_actions          = local.low_urgency

  dimensions = {
    QueueName = aws_sqs_queue.main.name
  }
}

resource "aws_cloudwatch_metric_alarm" "dead_letter_queue" {
  alarm_name          = "${local.name}-dead-letter-queue"
  alarm_description   = "Messages of ${var.service_name} (${var.environment}) failed 5 times and landed in the dead-letter queue. Playbook: https://github.com/payments/jv-queue/blob/main/docs/playbooks/dead-letter-queue.md"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.low_urgency
  ok_actions          = local.low_urgency

  dimensions = {
    QueueName = aws_sqs_queue.dlq.name
  }
}
