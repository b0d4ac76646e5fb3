# Default alarms of jv-cron. Each description links the playbook page
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

# --- schedule (cron worker) -------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "cron_missed" {
  alarm_name          = "${local.name}-cron-missed"
  alarm_description   = "No successful run (log event cron.completed) of ${var.service_name} (${var.environment}) within the expected schedule window. Playbook: https://github.com/payments/jv-cron/blob/main/docs/playbooks/cron-missed.md"
  namespace           = aws_cloudwatch_log_metric_filter.cron_completed.metric_transformation[0].namespace
  metric_name         = aws_cloudwatch_log_metric_filter.cron_completed.metric_transformation[0].name
  statistic           = "Sum"
  period              = local.cron_alarm_period
  evaluation_periods  = local.cron_alarm_evaluation_periods
  datapoints_to_alarm = local.cron_alarm_evaluation_periods
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  actions_enabled     = true
  alarm_actions       = local.low_urgency
  ok_actions          = local.low_urgency
}

resource "aws_cloudwatch_metric_alarm" "schedule_failures" {
  alarm_name          = "${local.name}-schedule-failures"
  alarm_description   = "EventBridge Scheduler could not start ${var.service_name} (${var.environment}) after its retries: the ticks are in the scheduler dead-letter queue. Playbook: https://github.com/payments/jv-cron/blob/main/docs/playbooks/schedule-failures.md"
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
    QueueName = aws_sqs_queue.schedule_dlq.name
  }
}
